#!/usr/bin/env bash
# SLURP spoken language understanding (intent + transcript), stage by stage (Kaldi/ESPnet style).
#   Recipes/slurp/slu/run.sh [--mini] [--corpus DIR] [--stage N] [--stop-stage M] [--attention mtla|mha|gqa|mqa|mla]
#                            [--down-rate S] [--conf conf/mini.yaml] [--name NAME] [--utterances N] [--jobs N] [--vocab N]
#                            [--mla-warmup N] [--mtla-lr LR]  (MTLA: the first N updates train MLA, default 3000; 0: none;
#                                                              then MTLA with peak learning rate LR, default 0.001)
#                            [--max-update N]  (training updates in all, warm-up included; default the config's)
#                            [--ranks N]       (train data-parallel on N threads sharing each batch; default 1)
# Stages: 0 corpus (check it, or synthesise the mini one), 1 data dirs, 2 features, 3 vocabulary,
#         4 train, 5 average, 6 decode, 7 score (intent accuracy, SLURP scenario/action/intent, transcript WER).
# Every stage skips work already done; re-run to resume. Stage 8 (run on its own: --stage 8 --stop-stage 8)
# compares every variant trained so far (intent accuracy, time, memory, KV cache).
# The corpus is SLURP's layout: DIR/dataset/slurp/{train,devel,test}.jsonl and DIR/audio/slurp_real/*.flac
# (the published corpus, or `mtla make-corpus slurp`). Targets follow ESPnet/MTLA: "<scenario>_<action>"
# as one word token, then the transcript's SentencePiece BPE pieces (spec mtla.md §4.4, formats.md §3.6).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
mtla=${MTLA:-$root/.build/release/mtla}
stage=0; stop_stage=7; mini=false; corpus=""; attention=mtla; down_rate=2; conf=$here/conf/mini.yaml
name=""; utterances=""; jobs=2; vocab=500; average=3; beam=5; mla_warmup=3000; mtla_lr=0.001
. "$root/Recipes/common.sh"
parse_options "$@"
work=${WORK:-$here}
[ -n "$corpus" ] || corpus=$work/corpus
[ -n "$name" ] || name=slu_${attention}$([ "$attention" = mtla ] && echo "_s$down_rate" || true)
data=$work/data; fbank=$work/fbank; exp=$work/exp/$name
bpe=$work/spm_bpe$vocab; dict=$work/spm_bpe${vocab}_words.txt
splits="train devel test"; decode_set=${DECODE_SET:-test}   # DECODE_SET=train: the overfitting check of conf/ci.yaml
[ -x "$mtla" ] || { echo "run.sh: $mtla not built (swift build -c release)" >&2; exit 1; }

if [ "$stage" -le 0 ] && [ "$stop_stage" -ge 0 ]; then
  log "stage 0: corpus $corpus"
  if [ ! -f "$corpus/dataset/slurp/test.jsonl" ]; then
    $mini || { echo "run.sh: no SLURP at $corpus (give --corpus, or --mini to synthesise one)" >&2; exit 1; }
    timed "$mtla" make-corpus slurp --out "$corpus" --jobs "$jobs" ${utterances:+--utterances $utterances}
  fi
  for s in $splits; do
    [ -f "$corpus/dataset/slurp/$s.jsonl" ] || { echo "run.sh: $corpus/dataset/slurp/$s.jsonl missing" >&2; exit 1; }
  done
  [ -d "$corpus/audio/slurp_real" ] || { echo "run.sh: $corpus/audio/slurp_real missing" >&2; exit 1; }
fi
if [ "$stage" -le 1 ] && [ "$stop_stage" -ge 1 ]; then
  log "stage 1: data dirs"
  for s in $splits; do
    [ -f "$data/$s/text" ] || timed "$mtla" prepare slurp --corpus "$corpus" --splits "$s" --out "$data"
  done
fi
if [ "$stage" -le 2 ] && [ "$stop_stage" -ge 2 ]; then
  # Offline 80-d fbank with the on-the-fly settings of the reference (Hamming window, no dither; spec P14).
  log "stage 2: features"
  for s in $splits; do
    [ -f "$fbank/$s/${s}_raw.tsv" ] || timed "$mtla" fbank --manifest "$data/$s" --out-dir "$fbank/$s" --name "${s}_raw" \
      --window-type hamming --dither 0 --jobs "$jobs"
  done
fi
if [ "$stage" -le 3 ] && [ "$stop_stage" -ge 3 ]; then
  # Word tokens as ESPnet's `--token_type word` over BPE'd text: the intent label stays one token, the
  # transcript becomes SentencePiece BPE pieces; the dictionary lists both (intents first by count).
  log "stage 3: intent tokens + SentencePiece BPE ($vocab) vocabulary"
  if [ ! -f "$bpe.model" ]; then
    cut -d' ' -f3- "$data/train/text" > "$work/spm_input.txt"
    timed "$mtla" spm train --input "$work/spm_input.txt" --model-prefix "$bpe" --vocab-size "$vocab" --model-type bpe --fairseq
  fi
  for s in $splits; do
    [ -f "$data/$s/text.tok" ] && continue
    cut -d' ' -f3- "$data/$s/text" | "$mtla" spm encode --model "$bpe.model" > "$data/$s/pieces.tmp"
    cut -d' ' -f1-2 "$data/$s/text" | paste -d' ' - "$data/$s/pieces.tmp" > "$data/$s/text.tok.tmp"
    rm "$data/$s/pieces.tmp"; mv "$data/$s/text.tok.tmp" "$data/$s/text.tok"
  done
  [ -f "$dict" ] || "$mtla" vocab --input "$data/train/text.tok" --kaldi-text --words --out "$dict"
  for s in $splits; do
    t=$fbank/$s/${s}_slu.tsv
    [ -f "$t" ] && continue
    # The feature manifest with tgt_text replaced by the tokenised target (joined on the utterance id).
    awk -F'\t' -v OFS='\t' 'NR == FNR { i = index($0, " "); tok[substr($0, 1, i - 1)] = substr($0, i + 1); next }
      FNR == 1 { for (c = 1; c <= NF; c++) if ($c == "tgt_text") col = c; print; next }
      { if (!($1 in tok)) { print "run.sh: no target for " $1 > "/dev/stderr"; exit 1 }; $col = tok[$1]; print }' \
      "$data/$s/text.tok" "$fbank/$s/${s}_raw.tsv" > "$t.tmp"
    mv "$t.tmp" "$t"
  done
fi
if [ "$stage" -le 4 ] && [ "$stop_stage" -ge 4 ]; then
  log "stage 4: train $name"
  recipe_train train/train_slu.tsv devel/devel_slu.tsv
fi
if [ "$stage" -le 5 ] && [ "$stop_stage" -ge 5 ]; then
  log "stage 5: average the last $average checkpoints"
  recipe_average
fi
if [ "$stage" -le 6 ] && [ "$stop_stage" -ge 6 ]; then
  log "stage 6: decode $decode_set"
  recipe_decode "$fbank/$decode_set/${decode_set}_slu.tsv" "$decode_set"
fi
if [ "$stage" -le 7 ] && [ "$stop_stage" -ge 7 ]; then
  log "stage 7: score"
  d=$exp/decode_$decode_set
  # References in ESPnet's text convention, in the decode's order (that of the manifest).
  cut -f1 "$fbank/$decode_set/${decode_set}_slu.tsv" | tail -n +2 > "$d/ids.txt"
  awk 'NR == FNR { i = index($0, " "); t[substr($0, 1, i - 1)] = substr($0, i + 1); next } { print t[$1] }' \
    "$data/$decode_set/text" "$d/ids.txt" > "$d/ref_text.txt"
  # SLURP predictions, one per recording (file from wav.scp; scenario/action split at the first '_').
  # A plain transcript carries no entity tags, so "entities" is empty: the entity and SLU-F1 rows are 0.
  awk 'FILENAME == ARGV[1] { n = split($2, p, "/"); file[$1] = p[n]; next }
       FILENAME == ARGV[2] { id[FNR] = $1; next }
       { intent = $1; i = index(intent, "_"); sc = i ? substr(intent, 1, i - 1) : intent; ac = i ? substr(intent, i + 1) : ""
         gsub(/["\\]/, "", sc); gsub(/["\\]/, "", ac)
         printf "{\"file\": \"%s\", \"scenario\": \"%s\", \"action\": \"%s\", \"entities\": []}\n", file[id[FNR]], sc, ac }' \
    "$data/$decode_set/wav.scp" "$d/ids.txt" "$d/hyp.txt" > "$d/predictions.jsonl"
  cut -s -d' ' -f2- "$d/ref_text.txt" > "$d/ref_words.txt"
  awk '{ $1 = ""; sub(/^ /, ""); print }' "$d/hyp.txt" > "$d/hyp_words.txt"
  "$mtla" score intent --hyp "$d/hyp.txt" --ref "$d/ref_text.txt" --json > "$d/intent.json"
  "$mtla" score intent --hyp "$d/hyp.txt" --ref "$d/ref_text.txt"
  "$mtla" score slurp --hyp "$d/predictions.jsonl" --ref "$data/$decode_set/slurp.jsonl" > "$d/slurp.txt"
  "$mtla" score slurp --hyp "$d/predictions.jsonl" --ref "$data/$decode_set/slurp.jsonl" --json > "$d/slurp.json"
  "$mtla" score wer --hyp "$d/hyp_words.txt" --ref "$d/ref_words.txt" --allow-empty-refs --json > "$d/wer.json"
  if command -v jq > /dev/null; then
    jq -r '"SLURP (micro F1, \(.gold_recordings) recordings): scenario \(.scenario.f1 * 100 | . * 100 | round / 100)"
           + " action \(.action.f1 * 100 | . * 100 | round / 100) intent \(.intent.f1 * 100 | . * 100 | round / 100)"
           + " (entities are not predicted from a plain transcript)"' "$d/slurp.json"
    jq -r '"transcript WER \(.wer * 100 | . * 100 | round / 100) (\(.substitutions + .deletions + .insertions) / \(.ref_len))"' "$d/wer.json"
  else
    cat "$d/slurp.txt" "$d/wer.json"
  fi
  "$mtla" summarize "$d" --score "$d/intent.json" -o "$exp/summary.json"
fi
if [ "$stage" -le 8 ] && [ "$stop_stage" -ge 8 ]; then
  log "stage 8: compare the trained variants on $decode_set"
  recipe_compare "$fbank/$decode_set/${decode_set}_slu.tsv" intent "$dict"
fi
