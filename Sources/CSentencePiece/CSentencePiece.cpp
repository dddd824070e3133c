// The C API of include/CSentencePiece.h over SentencePiece's C++ classes. Every entry point catches
// all exceptions; library statuses are turned into error messages.
#include "CSentencePiece.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

struct spm_processor {
    sentencepiece::SentencePieceProcessor sp;
};

namespace {

char *copy_string(const std::string &s) {
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (p == nullptr) return nullptr;
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

int fail(char **error, const std::string &message) {
    if (error != nullptr) *error = copy_string(message);
    return -1;
}

int fail_status(char **error, const char *what, const sentencepiece::util::Status &status) {
    return fail(error, std::string(what) + ": " + status.ToString());
}

int fail_exception(char **error, const char *what) {
    try {
        throw;
    } catch (const std::bad_alloc &) {
        return fail(error, std::string(what) + ": out of memory");
    } catch (const std::exception &e) {
        return fail(error, std::string(what) + ": " + e.what());
    } catch (...) {
        return fail(error, std::string(what) + ": unknown C++ exception");
    }
}

int return_text(const std::string &s, char **text, size_t *text_length, char **error) {
    char *p = copy_string(s);
    if (p == nullptr) return fail(error, "out of memory");
    *text = p;
    *text_length = s.size();
    return 0;
}

// Training text from memory.
class ArrayIterator final : public sentencepiece::SentenceIterator {
  public:
    ArrayIterator(const char *const *sentences, const size_t *lengths, size_t count)
        : sentences_(sentences), lengths_(lengths), count_(count) { load(); }
    bool done() const override { return index_ >= count_; }
    void Next() override { ++index_; load(); }
    const std::string &value() const override { return value_; }
    sentencepiece::util::Status status() const override { return sentencepiece::util::Status(); }

  private:
    void load() {
        if (index_ < count_) value_.assign(sentences_[index_], lengths_[index_]);
    }
    const char *const *sentences_;
    const size_t *lengths_;
    size_t count_;
    size_t index_ = 0;
    std::string value_;
};

std::mutex &training_mutex() {
    static std::mutex m;
    return m;
}

}  // namespace

extern "C" {

void spm_free(void *pointer) { std::free(pointer); }

spm_processor *spm_load_file(const char *path, char **error) {
    try {
        auto *p = new spm_processor();
        const auto status = p->sp.Load(path);
        if (!status.ok()) {
            delete p;
            fail_status(error, "cannot load SentencePiece model", status);
            return nullptr;
        }
        return p;
    } catch (...) {
        fail_exception(error, "cannot load SentencePiece model");
        return nullptr;
    }
}

spm_processor *spm_load_bytes(const void *bytes, size_t length, char **error) {
    try {
        auto *p = new spm_processor();
        const auto status =
            p->sp.LoadFromSerializedProto(absl::string_view(static_cast<const char *>(bytes), length));
        if (!status.ok()) {
            delete p;
            fail_status(error, "cannot load SentencePiece model", status);
            return nullptr;
        }
        return p;
    } catch (...) {
        fail_exception(error, "cannot load SentencePiece model");
        return nullptr;
    }
}

void spm_processor_free(spm_processor *processor) { delete processor; }

int spm_serialized_model(const spm_processor *processor, char **bytes, size_t *length, char **error) {
    try {
        return return_text(processor->sp.serialized_model_proto(), bytes, length, error);
    } catch (...) {
        return fail_exception(error, "cannot serialize model");
    }
}

int32_t spm_vocab_size(const spm_processor *processor) { return processor->sp.GetPieceSize(); }

int32_t spm_piece_to_id(const spm_processor *processor, const char *piece, size_t length) {
    try {
        return processor->sp.PieceToId(absl::string_view(piece, length));
    } catch (...) {
        return processor->sp.unk_id();
    }
}

const char *spm_id_to_piece(const spm_processor *processor, int32_t id, size_t *length) {
    if (id < 0 || id >= processor->sp.GetPieceSize()) return nullptr;
    const std::string &s = processor->sp.IdToPiece(id);
    *length = s.size();
    return s.data();
}

float spm_score(const spm_processor *processor, int32_t id) {
    if (id < 0 || id >= processor->sp.GetPieceSize()) return 0;
    return processor->sp.GetScore(id);
}

int32_t spm_unk_id(const spm_processor *processor) { return processor->sp.unk_id(); }
int32_t spm_bos_id(const spm_processor *processor) { return processor->sp.bos_id(); }
int32_t spm_eos_id(const spm_processor *processor) { return processor->sp.eos_id(); }
int32_t spm_pad_id(const spm_processor *processor) { return processor->sp.pad_id(); }

int spm_encode_ids(const spm_processor *processor, const char *text, size_t length,
                   spm_encode_options options, int32_t **ids, size_t *count, char **error) {
    try {
        std::vector<int> out;
        const absl::string_view input(text, length);
        const auto status = options.sample
                                ? processor->sp.SampleEncode(input, options.nbest_size, options.alpha, &out)
                                : processor->sp.Encode(input, &out);
        if (!status.ok()) return fail_status(error, "cannot encode", status);
        auto *p = static_cast<int32_t *>(std::malloc(sizeof(int32_t) * (out.empty() ? 1 : out.size())));
        if (p == nullptr) return fail(error, "cannot encode: out of memory");
        for (size_t i = 0; i < out.size(); ++i) p[i] = static_cast<int32_t>(out[i]);
        *ids = p;
        *count = out.size();
        return 0;
    } catch (...) {
        return fail_exception(error, "cannot encode");
    }
}

int spm_encode_pieces(const spm_processor *processor, const char *text, size_t length,
                      spm_encode_options options, char **bytes, size_t **lengths, size_t *count,
                      char **error) {
    try {
        std::vector<std::string> out;
        const absl::string_view input(text, length);
        const auto status = options.sample
                                ? processor->sp.SampleEncode(input, options.nbest_size, options.alpha, &out)
                                : processor->sp.Encode(input, &out);
        if (!status.ok()) return fail_status(error, "cannot encode", status);
        size_t total = 0;
        for (const auto &s : out) total += s.size();
        auto *b = static_cast<char *>(std::malloc(total + 1));
        auto *l = static_cast<size_t *>(std::malloc(sizeof(size_t) * (out.empty() ? 1 : out.size())));
        if (b == nullptr || l == nullptr) {
            std::free(b);
            std::free(l);
            return fail(error, "cannot encode: out of memory");
        }
        size_t offset = 0;
        for (size_t i = 0; i < out.size(); ++i) {
            std::memcpy(b + offset, out[i].data(), out[i].size());
            offset += out[i].size();
            l[i] = out[i].size();
        }
        *bytes = b;
        *lengths = l;
        *count = out.size();
        return 0;
    } catch (...) {
        return fail_exception(error, "cannot encode");
    }
}

int spm_decode_ids(const spm_processor *processor, const int32_t *ids, size_t count,
                   char **text, size_t *text_length, char **error) {
    try {
        const int size = processor->sp.GetPieceSize();
        std::vector<int> in(count);
        for (size_t i = 0; i < count; ++i) {
            if (ids[i] < 0 || ids[i] >= size)
                return fail(error, "cannot decode: id " + std::to_string(ids[i]) + " is out of range 0..<" +
                                       std::to_string(size));
            in[i] = ids[i];
        }
        std::string out;
        const auto status = processor->sp.Decode(in, &out);
        if (!status.ok()) return fail_status(error, "cannot decode", status);
        return return_text(out, text, text_length, error);
    } catch (...) {
        return fail_exception(error, "cannot decode");
    }
}

int spm_decode_pieces(const spm_processor *processor, const char *const *pieces, const size_t *lengths,
                      size_t count, char **text, size_t *text_length, char **error) {
    try {
        std::vector<std::string> in;
        in.reserve(count);
        for (size_t i = 0; i < count; ++i) in.emplace_back(pieces[i], lengths[i]);
        std::string out;
        const auto status = processor->sp.Decode(in, &out);
        if (!status.ok()) return fail_status(error, "cannot decode", status);
        return return_text(out, text, text_length, error);
    } catch (...) {
        return fail_exception(error, "cannot decode");
    }
}

int spm_train(const char *const *keys, const char *const *values, size_t option_count,
              const char *const *sentences, const size_t *sentence_lengths, size_t sentence_count,
              int32_t log_level, char **model, size_t *model_length, char **error) {
    try {
        std::unordered_map<std::string, std::string> kwargs;
        for (size_t i = 0; i < option_count; ++i) kwargs[keys[i]] = values[i];
        if (sentences != nullptr && kwargs.count("input") != 0)
            return fail(error, "cannot train: both an input file and in-memory sentences were given");
        if (sentences == nullptr && kwargs.count("input") == 0)
            return fail(error, "cannot train: no input");
        kwargs["minloglevel"] = std::to_string(log_level);
        kwargs.erase("model_prefix");
        // The library's log level is process-wide state: one training at a time.
        std::lock_guard<std::mutex> lock(training_mutex());
        std::string serialized;
        sentencepiece::util::Status status;
        if (sentences != nullptr) {
            ArrayIterator iterator(sentences, sentence_lengths, sentence_count);
            status = sentencepiece::SentencePieceTrainer::Train(kwargs, &iterator, &serialized);
        } else {
            status = sentencepiece::SentencePieceTrainer::Train(kwargs, nullptr, &serialized);
        }
        if (!status.ok()) return fail_status(error, "cannot train", status);
        return return_text(serialized, model, model_length, error);
    } catch (...) {
        return fail_exception(error, "cannot train");
    }
}

}  // extern "C"
