#!/usr/bin/env bash
# One incremental decode step of one attention layer per variant, mtla against the reference PyTorch
# modules (PyPI `mtla` 0.3.2 in PEERS_VENV, see Tools/bench/README-attention.md), same threads, one run.
#   THREADS=1 Tools/bench/bench-attention.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
py=${PEERS_VENV:-$root/../peers-venv}/bin/python
threads=${THREADS:-1}
work=$(mktemp -d /tmp/mtla-bench-attention.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$root"
swift build -c release --product mtla-bench >/dev/null
.build/release/mtla-bench attention --threads "$threads" > "$work/ours.jsonl"
"$py" Tools/bench/peer_attention_step.py "$threads" > "$work/peer.jsonl"
python3 Tools/bench/attention_table.py "$work/ours.jsonl" "$work/peer.jsonl"
