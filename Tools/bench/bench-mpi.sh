#!/usr/bin/env bash
# Data-parallel training throughput (issue 9): the reference-shaped model of `mtla-bench train` (d 256,
# 6 + 6 layers, 10.3M parameters, batches of 8 × 400 frames) on this machine's 2 cores, three ways with the
# same effective batch of 2 batches per update:
#   1 rank × 1 thread, update_freq 2      (the baseline: one core)
#   1 rank × 2 threads, update_freq 2     (threads inside one process)
#   2 ranks × 1 thread, update_freq 1     (mpirun -np 2: one batch per rank, gradients all-reduced)
#   2 thread ranks × 1 thread, update_freq 1 (--ranks 2: the same ranks as threads of one process)
# and the same three ways in PyTorch (Tools/bench/peer_train.py: the reference model, DistributedDataParallel
# over gloo on loopback for 2 ranks), alternated ROUNDS times; the table takes each configuration's best round
# (noise only adds time) and prints the all-reduce time per update, its share, the scaling efficiency and the
# ratio against PyTorch. Needs Open MPI (Tools/install-deps) and the peers venv (PEERS_VENV, as bench-train.sh).
#   Tools/bench/bench-mpi.sh            # UPDATES=8 WARMUP=2 ROUNDS=3 KIND=MTLA KEEP=file.jsonl
set -euo pipefail
. "$(cd "$(dirname "$0")/.." && pwd)/openblas-kernels.sh"   # the OpenBLAS kernel family, as the recipes
root=$(cd "$(dirname "$0")/../.." && pwd)
updates=${UPDATES:-8}
warmup=${WARMUP:-2}
rounds=${ROUNDS:-3}
kind=${KIND:-MTLA}
work=$(mktemp -d /tmp/mtla-bench-mpi.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$root"
swift build -c release --product mtla-bench >/dev/null
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader
bench=.build/release/mtla-bench
py=${PEERS_VENV:-$root/../peers-venv}/bin/python
peer=(Tools/bench/peer_train.py --kind "$kind" --updates "$updates" --warmup "$warmup" --batches 4)
common=(train --kind "$kind" --updates "$updates" --warmup "$warmup" --batches 4)
{
  echo "{\"side\": \"meta\", \"load_start\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"date\": \"$(date -u +%FT%TZ)\", \"mpirun\": \"$(mpirun --version | head -1)\"}"
  for round in $(seq "$rounds"); do
    "$bench" "${common[@]}" --threads 1 --update-freq 2
    "$bench" "${common[@]}" --threads 2 --update-freq 2
    mpirun --bind-to none -np 2 "$bench" "${common[@]}" --threads 1 --update-freq 1
    "$bench" "${common[@]}" --threads 1 --update-freq 1 --ranks 2
    "$py" "${peer[@]}" --threads 1 --update-freq 2
    "$py" "${peer[@]}" --threads 2 --update-freq 2
    "$py" "${peer[@]}" --threads 1 --ranks 2
  done
  echo "{\"side\": \"meta_end\", \"load_end\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"date\": \"$(date -u +%FT%TZ)\"}"
} | tee "$work/all.jsonl" >&2
python3 Tools/bench/mpi_table.py "$work/all.jsonl"
if [ -n "${KEEP:-}" ]; then cp "$work/all.jsonl" "$KEEP"; fi
