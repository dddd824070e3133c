#!/usr/bin/env bash
# Benchmark of `mtla score` against the Python reference tools on 100,000 lines.
# Run by hand (never in CI):   [SCORE_THREADS=N] Tools/bench/bench-scoring.sh [lines] [metric...]
# (SCORE_THREADS: --threads for WER/CER, default 1; the peers are single-threaded.)
# Needs the release binary (swift build -c release --product mtla) and a venv with sacrebleu 2.6.0,
# jiwer 4.0.0 and rouge-score 0.1.2 (PEERS_VENV, default /work/peers-venv).
# Per metric: both numbers (they must agree within 1e-9 relative), the median wall time of 3 runs of
# each whole command (process start and file reading included) and the ratio.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
N="${1:-100000}"; shift || true
if [ "$#" -gt 0 ]; then METRICS=("$@"); else METRICS=(bleu chrf ter wer cer rouge); fi
PY="${PEERS_VENV:-/work/peers-venv}/bin/python"
MTLA="${MTLA:-$ROOT/.build/release/mtla}"
WORK="$(mktemp -d /tmp/bench-scoring.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
"$PY" "$ROOT/Tools/bench/make_scoring_corpus.py" "$ROOT/Data/reference/scoring" "$WORK" "$N"
H="$WORK/bench.hyp.txt"; R="$WORK/bench.ref.txt"
echo "corpus: $N lines, $(wc -c < "$H") bytes of hypotheses; $(nproc) cores; $("$MTLA" --version)" >&2

median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }
now() { date +%s.%N; }

printf '| metric | mtla | peer | mtla median (s) | peer median (s) | speed-up |\n|---|---|---|---|---|---|\n' > "$WORK/table"
for m in "${METRICS[@]}"; do
  extra=()
  case "$m" in
    bleu|chrf|ter) key=score;;
    wer) key=wer; extra=(--threads "${SCORE_THREADS:-1}");;
    cer) key=cer; extra=(--threads "${SCORE_THREADS:-1}");;
    rouge) key=rougeL.fmeasure; extra=(--stem);;
  esac
  ours=(); peers=()
  for _ in 1 2 3; do
    t0=$(now); "$MTLA" score "$m" --hyp "$H" --ref "$R" --json "${extra[@]}" > "$WORK/ours.json"; t1=$(now)
    ours+=("$(python3 -c "print($t1 - $t0)")")
  done
  for _ in 1 2 3; do
    t0=$(now); "$PY" "$ROOT/Tools/bench/peer_score.py" "$m" "$H" "$R" > "$WORK/peer.txt"; t1=$(now)
    peers+=("$(python3 -c "print($t1 - $t0)")")
  done
  a=$(python3 -c "import json; o=json.load(open('$WORK/ours.json')); k='$key'.split('.'); v=o[k[0]]; v=v[k[1]] if len(k) > 1 else v; print(repr(v))")
  b=$(cat "$WORK/peer.txt")
  agree=$(python3 -c "a=$a; b=$b; print('yes' if abs(a - b) <= 1e-9 * max(abs(b), 1e-300) or a == b else 'NO')")
  mo=$(median "${ours[@]}"); mp=$(median "${peers[@]}")
  ratio=$(python3 -c "print(f'{$mp / $mo:.1f}x')")
  printf '| %s | %s | %s | %.3f | %.3f | %s |\n' "$m" "$a" "$b" "$mo" "$mp" "$ratio" >> "$WORK/table"
  echo "$m: mtla $a (${mo}s) peer $b (${mp}s) agree=$agree $ratio" >&2
  [ "$agree" = yes ] || echo "MISMATCH for $m" >&2
done
cat "$WORK/table"
