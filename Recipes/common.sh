# Shared by the recipes' run.sh (sourced after their defaults; the stage functions read mtla, work,
# fbank, exp, conf, attention, down_rate, average, beam, dict): option parsing, logging and the
# stages that are the same for every corpus. Optional settings a recipe may make first: spm_model (the
# SentencePiece model of the targets, for validation scoring), data_root (the training manifests'
# directory; default fbank), decode_frames and decode_threads (stage 6 and 8 batches; 20000 and 2).

# The OpenBLAS kernel family (why: Tools/openblas-kernels.sh).
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/Tools/openblas-kernels.sh"

# The options every recipe takes (defaults set by the recipe before calling): parse_options "$@".
parse_options() {
  while [ $# -gt 0 ]; do
    case $1 in
      --stage) stage=$2; shift 2 ;; --stop-stage) stop_stage=$2; shift 2 ;; --mini) mini=true; shift ;;
      --corpus) corpus=$2; shift 2 ;; --attention) attention=$2; shift 2 ;; --down-rate) down_rate=$2; shift 2 ;;
      --conf) conf=$2; shift 2 ;; --name) name=$2; shift 2 ;; --utterances) utterances=$2; shift 2 ;;
      --documents) documents=$2; shift 2 ;;
      --jobs) jobs=$2; shift 2 ;; --vocab) vocab=$2; shift 2 ;; --beam) beam=$2; shift 2 ;;
      --mla-warmup) mla_warmup=$2; shift 2 ;; --mtla-lr) mtla_lr=$2; shift 2 ;;
      --max-update) max_update=$2; shift 2 ;; --ranks) ranks=$2; shift 2 ;;
      *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    esac
  done
}

log() { echo "[$(date +%H:%M:%S)] $*"; }
timed() { local t0=$SECONDS; "$@"; log "stage took $((SECONDS - t0)) s"; }

# Stage 4: train `conf` on TRAIN, validating on VALID (relative to data_root), resuming a killed run;
# any further arguments are more `mtla train` options (both phases). `max_update` (`--max-update N`)
# replaces the config's max_update (the total, MLA warm-up included).
# MTLA with `mla_warmup` N > 0 (`--mla-warmup N`): the first N of the config's max_update updates train
# the same model with MLA attention (exp/NAME/mla_warmup), then MTLA starts from every MLA tensor but the
# hyper-networks (`init_exclude: [hypernet_down]`) for the remaining updates, with peak learning rate
# `mtla_lr` (`--mtla-lr`; default the config's: the model is trained already, and a lower peak than a fresh
# start's recovers the MLA model's loss sooner, Recipes/mustc/st/RESULTS.md). From scratch, MTLA's
# temporal merge makes the decoder read its prefix far later than MLA or MHA (Recipes/mustc/st/RESULTS.md).
#
# With `ranks` N > 1 (`--ranks N`), each phase trains data-parallel on N threads of one core each
# (`mtla train --ranks N --split-batches`, threads 1): the ranks share each batch's sentences, so the
# updates are the config's (up to float rounding; without dropout); on 2 cores this is faster than one process
# splitting every product over 2 threads (Recipes/mustc/st/RESULTS.md).
recipe_train() {
  local train=$1 valid=$2 resume="" init=() total warm parallel=()
  shift 2
  case ${ranks:-1} in ''|*[!0-9]*) echo "run.sh: --ranks $ranks: expected a positive whole number" >&2; exit 2 ;; esac
  [ "${ranks:-1}" -gt 1 ] && parallel=(--ranks "$ranks" --split-batches --set threads=1)
  local common=(--set data.root="${data_root:-$fbank}" --set data.train="$train" --set data.valid="$valid"
    --set data.dict="$dict" ${spm_model:+--set data.spm_model="$spm_model"}
    ${max_update:+--set optimization.max_update="$max_update"} "${parallel[@]}" "$@")
  [ -f "$exp/checkpoint_last.json" ] && resume=--resume
  if [ "$attention" = mtla ] && [ "${mla_warmup:-0}" -gt 0 ]; then
    total=${max_update:-$(awk '$1 == "max_update:" { print $2 }' "$conf")}
    [ -n "$total" ] && [ "$total" -gt "$mla_warmup" ] || { echo "run.sh: --mla-warmup $mla_warmup needs a larger max_update than $total" >&2; exit 2; }
    warm=$exp/mla_warmup/checkpoints/checkpoint_u$(printf %08d "$mla_warmup")/model.safetensors
    if [ -n "$resume" ]; then   # a run started from another warm-up cannot continue into this schedule
      local started
      started=$(awk '$1 == "init_from:" { print $2 }' "$exp/config.yaml" 2>/dev/null || true)
      if [ -n "$started" ] && [ "$started" != "$warm" ]; then
        echo "run.sh: $exp was started from $started, not from this --mla-warmup $mla_warmup ($warm);" \
          "give another --name, the warm-up it was started with, or remove $exp" >&2
        exit 2
      fi
    fi
    if [ -z "$resume" ] && [ ! -f "$warm" ]; then
      log "stage 4: MLA warm-up, $mla_warmup updates"
      timed "$mtla" train "$conf" --exp-dir "$exp/mla_warmup" "${common[@]}" --set model.decoder_att_type=mla \
        --set optimization.max_update="$mla_warmup" $([ -f "$exp/mla_warmup/checkpoint_last.json" ] && echo --resume)
    fi
    init=(--set checkpoint.init_from="$warm" --set "checkpoint.init_exclude=[hypernet_down]"
          --set optimization.max_update=$((total - mla_warmup)) ${mtla_lr:+--set optimization.lr="$mtla_lr"})
  fi
  timed "$mtla" train "$conf" --exp-dir "$exp" "${common[@]}" \
    --set model.decoder_att_type="$attention" --set model.decoder_down_rate="$down_rate" "${init[@]}" $resume
}

# Stage 5: average the last `average` checkpoints (fewer when fewer exist).
recipe_average() {
  local n
  n=$(ls -d "$exp"/checkpoints/checkpoint_u* | wc -l); [ "$n" -lt "$average" ] && average=$n
  "$mtla" average --exp-dir "$exp" --last "$average" -o "$exp/average.safetensors" --overwrite
}

# Stage 6: beam search of the averaged model over MANIFEST into exp/decode_NAME.
recipe_decode() {
  local manifest=$1 name=$2
  timed "$mtla" decode "$exp/average.safetensors" --manifest "$manifest" --dict "$dict" \
    --out-dir "$exp/decode_$name" --beam "$beam" --max-len-b 60 --batch-frames "${decode_frames:-20000}" \
    --threads "${decode_threads:-2}" --overwrite
}

# Stage 8: every trained variant of this recipe (exp/*/average.safetensors) decodes MANIFEST (targets in
# DICT, default the recipe's dict) with the same batch budget and beam; `mtla bench decode` writes the comparison table (quality by METRIC with the
# paired-bootstrap p-value against MHA, time, memory, KV cache) to compare/ under the work directory.
recipe_compare() {
  local manifest=$1 metric=$2 dict=${3:-$dict} args=() m
  shift $(( $# < 3 ? $# : 3 ))   # the rest: more `mtla bench decode` options (e.g. --references FILE)
  for m in "$work"/exp/*/average.safetensors; do
    [ -f "$m" ] && args+=(--checkpoint "$(basename "$(dirname "$m")")=$m")
  done
  [ ${#args[@]} -ge 2 ] || { log "stage 8: fewer than two trained variants under $work/exp; nothing to compare"; return 0; }
  timed "$mtla" bench decode "${args[@]}" --manifest "$manifest" --dict "$dict" --metric "$metric" \
    --beam "$beam" --max-len-b 60 --batch-frames "${decode_frames:-20000}" --threads "${decode_threads:-2}" \
    --out-dir "$work/compare" --overwrite "$@"
}
