#!/usr/bin/env bash
# MuST-C En-De speech translation, stage by stage (Kaldi/ESPnet style).
#   Recipes/mustc/st/run.sh [--mini] [--corpus DIR] [--stage N] [--stop-stage M] [--attention mtla|mha|gqa|mqa|mla]
#                           [--down-rate S] [--conf conf/mini.yaml] [--name NAME] [--utterances N] [--jobs N]
#                           [--mla-warmup N]   (MTLA: the first N updates train MLA, default 7200; 0: none)
#                           [--mtla-lr LR]     (peak learning rate of the MTLA updates after the warm-up, default 0.001)
#                           [--max-update N]   (training updates in all, warm-up included; default the config's)
#                           [--ranks N]        (train data-parallel on N threads sharing each batch; default 1)
# Stages: 0 corpus (check it, or synthesise the mini one), 1 data dirs, 2 features, 3 vocabulary,
#         4 train, 5 average, 6 decode, 7 score. Every stage skips work already done; re-run to resume.
#         Stage 8 (run on its own: --stage 8 --stop-stage 8) compares every variant trained so far.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
mtla=${MTLA:-$root/.build/release/mtla}
stage=0; stop_stage=7; mini=false; corpus=""; attention=mtla; down_rate=2; conf=$here/conf/mini.yaml
name=""; utterances=""; jobs=2; lang=de; vocab=1000; average=3; beam=5; mla_warmup=7200; mtla_lr=0.001
. "$root/Recipes/common.sh"
parse_options "$@"
work=${WORK:-$here}
[ -n "$corpus" ] || corpus=$work/corpus
[ -n "$name" ] || name=st_${attention}$([ "$attention" = mtla ] && echo "_s$down_rate" || true)
data=$work/data; fbank=$work/fbank; exp=$work/exp/$name
spm_model=$work/spm_unigram$vocab.model; dict=$work/spm_unigram$vocab.txt
splits="train dev tst-COMMON"
[ -x "$mtla" ] || { echo "run.sh: $mtla not built (swift build -c release)" >&2; exit 1; }

if [ "$stage" -le 0 ] && [ "$stop_stage" -ge 0 ]; then
  log "stage 0: corpus $corpus"
  if [ ! -f "$corpus/en-$lang/data/tst-COMMON/txt/tst-COMMON.yaml" ]; then
    $mini || { echo "run.sh: no MuST-C at $corpus (give --corpus, or --mini to synthesise one)" >&2; exit 1; }
    # Mini default: 12,000 training segments (4x make-corpus's default; at the same training time the
    # encoder's CTC generalises better from more sentences), 200 dev, 1,000 tst-COMMON.
    sizes="--utterances 12000 --dev-utterances 200 --test-utterances 1000"
    [ -z "$utterances" ] || sizes="--utterances $utterances"
    timed "$mtla" make-corpus mustc --out "$corpus" $sizes --jobs "$jobs"
  fi
fi
if [ "$stage" -le 1 ] && [ "$stop_stage" -ge 1 ]; then
  log "stage 1: data dirs"
  for s in $splits; do
    [ -f "$data/$s/segments" ] || timed "$mtla" prepare mustc --root "$corpus/en-$lang" --lang "$lang" --splits "$s" --out "$data"
  done
fi
if [ "$stage" -le 2 ] && [ "$stop_stage" -ge 2 ]; then
  log "stage 2: features"
  for s in $splits; do
    [ -f "$fbank/$s/${s}_st.tsv" ] || timed "$mtla" fbank --manifest "$data/$s" --out-dir "$fbank/$s" --name "${s}_st" \
      --extra-column src_text=text.en --jobs "$jobs"
  done
fi
if [ "$stage" -le 3 ] && [ "$stop_stage" -ge 3 ]; then
  log "stage 3: joint SentencePiece vocabulary ($vocab)"
  if [ ! -f "$work/spm_unigram$vocab.txt" ]; then
    cut -d' ' -f2- "$data/train/text" "$data/train/text.en" > "$work/spm_input.txt"
    timed "$mtla" spm train --input "$work/spm_input.txt" --model-prefix "$work/spm_unigram$vocab" --vocab-size "$vocab" \
      --model-type unigram --fairseq
  fi
fi
if [ "$stage" -le 4 ] && [ "$stop_stage" -ge 4 ]; then
  log "stage 4: train $name"
  recipe_train train/train_st.tsv dev/dev_st.tsv
fi
if [ "$stage" -le 5 ] && [ "$stop_stage" -ge 5 ]; then
  log "stage 5: average the last $average checkpoints"
  recipe_average
fi
if [ "$stage" -le 6 ] && [ "$stop_stage" -ge 6 ]; then
  log "stage 6: decode tst-COMMON"
  recipe_decode "$fbank/tst-COMMON/tst-COMMON_st.tsv" tst-COMMON
fi
if [ "$stage" -le 7 ] && [ "$stop_stage" -ge 7 ]; then
  log "stage 7: score"
  d=$exp/decode_tst-COMMON
  "$mtla" score bleu --hyp "$d/hyp.txt" --ref "$d/ref.txt" --json > "$d/bleu.json"
  "$mtla" score bleu --hyp "$d/hyp.txt" --ref "$d/ref.txt"
  "$mtla" summarize "$d" --score "$d/bleu.json" -o "$exp/summary.json"
fi
if [ "$stage" -le 8 ] && [ "$stop_stage" -ge 8 ]; then
  log "stage 8: compare the trained variants on tst-COMMON"
  recipe_compare "$fbank/tst-COMMON/tst-COMMON_st.tsv" bleu
fi
