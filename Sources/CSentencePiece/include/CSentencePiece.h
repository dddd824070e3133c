/*
 * CSentencePiece: a pure-C interface over the SentencePiece C++ library (libsentencepiece 0.1.97,
 * libsentencepiece_train), so that Swift needs no C++ interop.
 *
 * Conventions
 * - Text is UTF-8 bytes with an explicit length (it may contain NUL).
 * - Functions that can fail return 0 on success and -1 on failure; on failure `*error` (when `error`
 *   is not NULL) receives a malloc'ed, NUL-terminated message that the caller frees with `spm_free`.
 * - Every buffer returned through an out-parameter is malloc'ed and freed with `spm_free`.
 * - No function lets a C++ exception escape; library statuses become error messages.
 * - A processor is immutable after loading; encoding and decoding from several threads is safe.
 *   Training is serialised internally (it sets the library's process-wide log level).
 */
#ifndef CSENTENCEPIECE_H
#define CSENTENCEPIECE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An opaque loaded model. */
typedef struct spm_processor spm_processor;

/** Frees a buffer or message returned by this library (NULL is allowed). */
void spm_free(void *pointer);

/** Loads a serialized model (a `.model` file). Returns NULL and sets `*error` on failure. */
spm_processor *spm_load_file(const char *path, char **error);
/** Loads a serialized model from memory. Returns NULL and sets `*error` on failure. */
spm_processor *spm_load_bytes(const void *bytes, size_t length, char **error);
/** Releases a processor (NULL is allowed). */
void spm_processor_free(spm_processor *processor);

/** The serialized model (the bytes of a `.model` file). */
int spm_serialized_model(const spm_processor *processor, char **bytes, size_t *length, char **error);

/** Number of pieces. */
int32_t spm_vocab_size(const spm_processor *processor);
/** Id of a piece, or the unknown id when the piece is not in the vocabulary. */
int32_t spm_piece_to_id(const spm_processor *processor, const char *piece, size_t length);
/** The piece of `id` (borrowed, valid while the processor lives), or NULL when out of range. */
const char *spm_id_to_piece(const spm_processor *processor, int32_t id, size_t *length);
/** Score of `id` (0 when out of range). */
float spm_score(const spm_processor *processor, int32_t id);
/** Special ids from the model; -1 when the model has none. */
int32_t spm_unk_id(const spm_processor *processor);
int32_t spm_bos_id(const spm_processor *processor);
int32_t spm_eos_id(const spm_processor *processor);
int32_t spm_pad_id(const spm_processor *processor);

/** How to segment: the best segmentation, or one sampled (subword regularisation). */
typedef struct spm_encode_options {
    /** 0: best segmentation; 1: sample (unigram: from the nbest_size best, -1 = all; BPE: BPE-dropout). */
    int32_t sample;
    int32_t nbest_size;
    /** Unigram smoothing, or the BPE-dropout probability. */
    float alpha;
} spm_encode_options;

/** Encodes to ids (malloc'ed array of `*count` int32). */
int spm_encode_ids(const spm_processor *processor, const char *text, size_t length,
                   spm_encode_options options, int32_t **ids, size_t *count, char **error);
/**
 * Encodes to pieces: `*bytes` holds the pieces back to back, `*lengths` their byte lengths
 * (`*count` of them).
 */
int spm_encode_pieces(const spm_processor *processor, const char *text, size_t length,
                      spm_encode_options options, char **bytes, size_t **lengths, size_t *count,
                      char **error);
/** Decodes ids to text (`*text` malloc'ed, `*text_length` bytes, also NUL-terminated). */
int spm_decode_ids(const spm_processor *processor, const int32_t *ids, size_t count,
                   char **text, size_t *text_length, char **error);
/** Decodes pieces given as `count` (pointer, length) pairs. */
int spm_decode_pieces(const spm_processor *processor, const char *const *pieces, const size_t *lengths,
                      size_t count, char **text, size_t *text_length, char **error);

/**
 * Trains a model. `keys`/`values` are SentencePiece trainer flags without the dashes
 * (`model_type`, `vocab_size`, `character_coverage`, `user_defined_symbols`, …; see
 * `spm_train --help` of 0.1.97). When `sentences` is not NULL the training text is the
 * `sentence_count` sentences (`sentence_lengths[i]` bytes each) and no `input` key may be given;
 * otherwise `input` names the file(s). `model_prefix` is ignored: nothing is written to disk, the
 * serialized model comes back in `*model` (`*model_length` bytes). `log_level` is
 * SentencePiece's minloglevel (0 info … 2 error). 0.1.97 has no seed option: its sampling
 * (`input_sentence_size`) and shuffling of the input are deterministic (the same model for any
 * `SetRandomGeneratorSeed`), so training is reproducible as it is.
 */
int spm_train(const char *const *keys, const char *const *values, size_t option_count,
              const char *const *sentences, const size_t *sentence_lengths, size_t sentence_count,
              int32_t log_level, char **model, size_t *model_length, char **error);

#ifdef __cplusplus
}
#endif

#endif
