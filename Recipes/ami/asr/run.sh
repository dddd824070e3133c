#!/usr/bin/env bash
# AMI IHM speech recognition, stage by stage (Kaldi/ESPnet style).
#   Recipes/ami/asr/run.sh [--mini] [--corpus DIR] [--stage N] [--stop-stage M] [--attention mtla|mha|gqa|mqa|mla]
#                          [--down-rate S] [--conf conf/mini.yaml] [--name NAME] [--utterances N] [--jobs N] [--vocab N]
#                          [--mla-warmup N] [--mtla-lr LR]  (MTLA: the first N updates train MLA, default 2000; 0: none;
#                                                            then MTLA with peak learning rate LR, default 0.001)
#                          [--max-update N]  (training updates in all, warm-up included; default the config's)
#                          [--ranks N]       (train data-parallel on N threads sharing each batch; default 1)
# Stages: 0 corpus (check it, or synthesise the mini one), 1 data dirs, 2 features, 3 vocabulary,
#         4 train, 5 average, 6 decode, 7 score (WER). Every stage skips work already done; re-run to resume.
#         Stage 8 (run on its own: --stage 8 --stop-stage 8) compares every variant trained so far.
# The corpus is an AMI preparation: DIR/data/{train,dev,eval}/ Kaldi dirs (wav.scp, segments, text, utt2spk)
# over the IHM headset WAVs, as ESPnet's egs2/ami/asr1 stage 1 or `mtla make-corpus ami` leave them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
mtla=${MTLA:-$root/.build/release/mtla}
stage=0; stop_stage=7; mini=false; corpus=""; attention=mtla; down_rate=2; conf=$here/conf/mini.yaml
name=""; utterances=""; jobs=2; vocab=300; average=3; beam=5; mla_warmup=2000; mtla_lr=0.001
. "$root/Recipes/common.sh"
parse_options "$@"
work=${WORK:-$here}
[ -n "$corpus" ] || corpus=$work/corpus
[ -n "$name" ] || name=asr_${attention}$([ "$attention" = mtla ] && echo "_s$down_rate" || true)
data=$work/data; fbank=$work/fbank; exp=$work/exp/$name
spm_model=$work/spm_unigram$vocab.model; dict=$work/spm_unigram$vocab.txt
splits="train dev eval"
[ -x "$mtla" ] || { echo "run.sh: $mtla not built (swift build -c release)" >&2; exit 1; }

if [ "$stage" -le 0 ] && [ "$stop_stage" -ge 0 ]; then
  log "stage 0: corpus $corpus"
  if [ ! -f "$corpus/data/eval/segments" ]; then
    $mini || { echo "run.sh: no AMI preparation at $corpus/data (give --corpus, or --mini to synthesise one)" >&2; exit 1; }
    # Mini default: 12,000 training utterances, 200 dev, 1,000 eval (as the MuST-C mini; make-corpus's
    # own default is 3,000 / 200 / 1,000).
    timed "$mtla" make-corpus ami --out "$corpus" --jobs "$jobs" --utterances "${utterances:-12000}"
  fi
  for s in $splits; do
    for f in wav.scp segments text utt2spk; do
      [ -f "$corpus/data/$s/$f" ] || { echo "run.sh: $corpus/data/$s/$f missing" >&2; exit 1; }
    done
  done
fi
if [ "$stage" -le 1 ] && [ "$stop_stage" -ge 1 ]; then
  log "stage 1: data dirs"
  for s in $splits; do
    if [ ! -f "$data/$s/segments" ]; then
      mkdir -p "$data/$s.tmp"
      cp "$corpus/data/$s/"{wav.scp,segments,text,utt2spk} "$data/$s.tmp/"
      [ -f "$corpus/data/$s/spk2utt" ] && cp "$corpus/data/$s/spk2utt" "$data/$s.tmp/"
      mv "$data/$s.tmp" "$data/$s"
    fi
  done
fi
if [ "$stage" -le 2 ] && [ "$stop_stage" -ge 2 ]; then
  log "stage 2: features"
  for s in $splits; do
    [ -f "$fbank/$s/${s}_asr.tsv" ] || timed "$mtla" fbank --manifest "$data/$s" --out-dir "$fbank/$s" --name "${s}_asr" --jobs "$jobs"
  done
fi
if [ "$stage" -le 3 ] && [ "$stop_stage" -ge 3 ]; then
  log "stage 3: SentencePiece vocabulary ($vocab)"
  if [ ! -f "$work/spm_unigram$vocab.txt" ]; then
    cut -d' ' -f2- "$data/train/text" > "$work/spm_input.txt"
    timed "$mtla" spm train --input "$work/spm_input.txt" --model-prefix "$work/spm_unigram$vocab" --vocab-size "$vocab" \
      --model-type unigram --fairseq
  fi
fi
if [ "$stage" -le 4 ] && [ "$stop_stage" -ge 4 ]; then
  log "stage 4: train $name"
  recipe_train train/train_asr.tsv dev/dev_asr.tsv
fi
if [ "$stage" -le 5 ] && [ "$stop_stage" -ge 5 ]; then
  log "stage 5: average the last $average checkpoints"
  recipe_average
fi
if [ "$stage" -le 6 ] && [ "$stop_stage" -ge 6 ]; then
  log "stage 6: decode eval"
  recipe_decode "$fbank/eval/eval_asr.tsv" eval
fi
if [ "$stage" -le 7 ] && [ "$stop_stage" -ge 7 ]; then
  log "stage 7: score"
  d=$exp/decode_eval
  "$mtla" score wer --hyp "$d/hyp.txt" --ref "$d/ref.txt" --json > "$d/wer.json"
  "$mtla" score wer --hyp "$d/hyp.txt" --ref "$d/ref.txt" --report kaldi
  "$mtla" summarize "$d" --score "$d/wer.json" -o "$exp/summary.json"
fi
if [ "$stage" -le 8 ] && [ "$stop_stage" -ge 8 ]; then
  log "stage 8: compare the trained variants on eval"
  recipe_compare "$fbank/eval/eval_asr.tsv" wer
fi
