#!/usr/bin/env bash
# One incremental decode step of one attention layer per variant, mtla against the reference PyTorch
# modules (PyPI `mtla` 0.3.2 in PEERS_VENV, see Tools/bench/README-attention.md), same threads, one run.
#   THREADS=1 Tools/bench/bench-attention.sh
# PASSES=N (default 1) alternates N passes of each side; every cell is then each side's best per-pass median.
set -euo pipefail
. "$(cd "$(dirname "$0")/.." && pwd)/openblas-kernels.sh"   # the OpenBLAS kernel family, as the recipes
root=$(cd "$(dirname "$0")/../.." && pwd)
py=${PEERS_VENV:-$root/../peers-venv}/bin/python
threads=${THREADS:-1}
passes=${PASSES:-1}
work=$(mktemp -d /tmp/mtla-bench-attention.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$root"
swift build -c release --product mtla-bench >/dev/null
ours=() peer=()
for pass in $(seq 1 "$passes"); do
    echo "pass $pass: $(date -u +%H:%M:%S), load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    .build/release/mtla-bench attention --threads "$threads" > "$work/ours$pass.jsonl"
    "$py" Tools/bench/peer_attention_step.py "$threads" > "$work/peer$pass.jsonl"
    ours+=("$work/ours$pass.jsonl") peer+=("$work/peer$pass.jsonl")
done
python3 Tools/bench/attention_table.py "$(IFS=,; echo "${ours[*]}")" "$(IFS=,; echo "${peer[*]}")"
