#!/usr/bin/env bash
# XSum abstractive summarisation, stage by stage (fairseq translation style, as the reference's
# experiments/text_summarisation/prepare.sh, with SentencePiece BPE for subword-nmt).
#   Recipes/xsum/summ/run.sh [--mini] [--corpus DIR] [--stage N] [--stop-stage M] [--attention mtla|mha|gqa|mqa|mla]
#                            [--down-rate S] [--conf conf/mini.yaml] [--name NAME] [--documents N] [--jobs N] [--vocab N]
#                            [--beam N] [--max-update N] [--mla-warmup N] [--mtla-lr LR] [--ranks N]  (as Recipes/common.sh; no warm-up by default)
# Stages: 0 corpus (check it, or synthesise the mini one), 1 data (line-aligned .src/.tgt), 2 features (none
#         for text), 3 vocabulary (joint BPE + encoded text + joined dict), 4 train, 5 average, 6 decode,
#         7 score (ROUGE). Every stage skips work already done; re-run to resume.
# Environment: MTLA (the binary), WORK (where corpus/, data/, bpe<V>/, exp/ go; default next to this script),
# THREADS (training and decoding threads, default 1), TRAIN_ARGS (extra `mtla train` options, e.g.
# "--set optimization.max_update=500").
# The corpus is XSum as the HF dataset exports it: DIR/{train,validation,test}.jsonl with document, summary, id
# (`mtla make-corpus xsum` writes the same layout).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
mtla=${MTLA:-$root/.build/release/mtla}
stage=0; stop_stage=7; mini=false; corpus=""; attention=mtla; down_rate=2; conf=$here/conf/mini.yaml
name=""; utterances=""; documents=""; jobs=2; vocab=2000; average=3; beam=5
threads=${THREADS:-1}
. "$root/Recipes/common.sh"
parse_options "$@"
work=${WORK:-$here}
[ -n "$corpus" ] || corpus=$work/corpus
[ -n "$name" ] || name=summ_${attention}$([ "$attention" = mtla ] && echo "_s$down_rate" || true)
data=$work/data; bpe=$work/bpe$vocab; exp=$work/exp/$name
splits="train validation test"
spm=$work/spm_bpe$vocab; dict=$bpe/dict.txt
data_root=$bpe; decode_frames=8000; decode_threads=$threads
[ -x "$mtla" ] || { echo "run.sh: $mtla not built (swift build -c release)" >&2; exit 1; }

if [ "$stage" -le 0 ] && [ "$stop_stage" -ge 0 ]; then
  log "stage 0: corpus $corpus"
  if [ ! -f "$corpus/test.jsonl" ]; then
    $mini || { echo "run.sh: no XSum at $corpus (give --corpus, or --mini to synthesise one)" >&2; exit 1; }
    timed "$mtla" make-corpus xsum --out "$corpus" ${documents:+--documents $documents}
  fi
  for s in $splits; do
    [ -f "$corpus/$s.jsonl" ] || { echo "run.sh: $corpus/$s.jsonl missing" >&2; exit 1; }
  done
fi
if [ "$stage" -le 1 ] && [ "$stop_stage" -ge 1 ]; then
  log "stage 1: data (documents → .src, summaries → .tgt, white space collapsed, one example per line)"
  for s in $splits; do
    [ -f "$data/$s.tgt" ] || timed "$mtla" prepare xsum --root "$corpus" --splits "$s" --out "$data"
  done
fi
if [ "$stage" -le 2 ] && [ "$stop_stage" -ge 2 ]; then
  log "stage 2: features: none for text input (the encoder reads the BPE-encoded documents of stage 3)"
fi
if [ "$stage" -le 3 ] && [ "$stop_stage" -ge 3 ]; then
  log "stage 3: joint SentencePiece BPE vocabulary ($vocab) over train src+tgt, encoded text, joined dict"
  if [ ! -f "$spm.model" ]; then
    cat "$data/train.src" "$data/train.tgt" > "$work/spm_input.txt"
    timed "$mtla" spm train --input "$work/spm_input.txt" --model-prefix "$spm" --vocab-size "$vocab" \
      --model-type bpe --fairseq --num-threads "$jobs" --overwrite
    rm -f "$work/spm_input.txt"
  fi
  if [ ! -f "$dict" ]; then
    mkdir -p "$bpe.tmp"
    for s in $splits; do
      for side in src tgt; do
        "$mtla" spm encode --model "$spm.model" --input "$data/$s.$side" -o "$bpe.tmp/$s.$side" --overwrite
      done
    done
    # fairseq-preprocess --joined-dictionary: the pieces of the training sources and targets, by count.
    cat "$bpe.tmp/train.src" "$bpe.tmp/train.tgt" > "$bpe.tmp/joined.txt"
    "$mtla" vocab --words --input "$bpe.tmp/joined.txt" --out "$bpe.tmp/dict.txt" --overwrite
    rm "$bpe.tmp/joined.txt"
    rm -rf "$bpe"; mv "$bpe.tmp" "$bpe"
  fi
fi
if [ "$stage" -le 4 ] && [ "$stop_stage" -ge 4 ]; then
  log "stage 4: train $name"
  # shellcheck disable=SC2086  # TRAIN_ARGS: several words
  recipe_train train validation --set threads="$threads" ${TRAIN_ARGS:-}
fi
if [ "$stage" -le 5 ] && [ "$stop_stage" -ge 5 ]; then
  log "stage 5: average the last $average checkpoints"
  recipe_average
fi
if [ "$stage" -le 6 ] && [ "$stop_stage" -ge 6 ]; then
  log "stage 6: decode test"
  recipe_decode "$bpe/test" test
fi
if [ "$stage" -le 7 ] && [ "$stop_stage" -ge 7 ]; then
  log "stage 7: score (ROUGE-1/2/L F1 against the untokenised summaries, stemmed; the MTLA preset ×100)"
  d=$exp/decode_test
  "$mtla" score rouge --hyp "$d/hyp.txt" --ref "$data/test.tgt" --mtla-preset --json > "$d/rouge.json"
  "$mtla" score rouge --hyp "$d/hyp.txt" --ref "$data/test.tgt" --mtla-preset
  "$mtla" summarize "$d" --score "$d/rouge.json" -o "$exp/summary.json"
fi
if [ "$stage" -le 8 ] && [ "$stop_stage" -ge 8 ]; then
  log "stage 8: compare the trained variants on test (ROUGE-L against the untokenised summaries)"
  recipe_compare "$bpe/test" rouge "$dict" --references "$data/test.tgt"
fi
