#!/usr/bin/env bash
# Training throughput (issue 6): `mtla-bench train` against the reference model in PyTorch CPU eager
# (Tools/bench/peer_train.py), same model, batch and thread count, in one run. See README-train.md.
#   Tools/bench/bench-train.sh            # THREADS="1 2" UPDATES=10 WARMUP=3 KINDS="MTLA MHA" ROUNDS=3
# ROUNDS alternates the two sides ROUNDS times (mtla, PyTorch, mtla, …), so that load from other processes on
# a shared machine hits both; the table takes each side's best round (noise only adds time) and the pooled median.
set -euo pipefail
. "$(cd "$(dirname "$0")/.." && pwd)/openblas-kernels.sh"   # the OpenBLAS kernel family, as the recipes
root=$(cd "$(dirname "$0")/../.." && pwd)
py=${PEERS_VENV:-$root/../peers-venv}/bin/python
threads_list=${THREADS:-1 2}
updates=${UPDATES:-10}
warmup=${WARMUP:-3}
kinds=${KINDS:-MTLA MHA}
rounds=${ROUNDS:-3}
work=$(mktemp -d /tmp/mtla-bench-train.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$root"
swift build -c release --product mtla-bench >/dev/null
{
  echo "{\"side\": \"meta\", \"load_start\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"date\": \"$(date -u +%FT%TZ)\"}"
  for kind in $kinds; do
    "$py" Tools/bench/peer_train.py --threads 1 --kind "$kind" --updates 1 --warmup 0 --flops | \
      "$py" -c 'import json,sys; r=json.loads(sys.stdin.read()); print(json.dumps({"side":"flops","kind":r["kind"],"flops":r["flops"]}))'
  done
  for round in $(seq "$rounds"); do
    for kind in $kinds; do
      for t in $threads_list; do
        echo "{\"side\": \"load\", \"load\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}"
        .build/release/mtla-bench train --threads "$t" --kind "$kind" --updates "$updates" --warmup "$warmup"
        "$py" Tools/bench/peer_train.py --threads "$t" --kind "$kind" --updates "$updates" --warmup "$warmup"
      done
    done
  done
  echo "{\"side\": \"meta_end\", \"load_end\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"date\": \"$(date -u +%FT%TZ)\"}"
} | tee "$work/all.jsonl" >&2
python3 Tools/bench/train_table.py "$work/all.jsonl"
if [ -n "${KEEP:-}" ]; then cp "$work/all.jsonl" "$KEEP"; fi
