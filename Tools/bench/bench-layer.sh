#!/usr/bin/env bash
# Engine benchmark: forward+backward of a pre-LN Transformer layer (d 512, 8 heads, FFN 2048, batch 8 x
# 512 positions, causal) with mtla (release build) and PyTorch CPU eager, 1 and 2 threads on both sides;
# the sgemm rate measured in the same process; peak RSS; and the RSS growth from step 10 to step 1000 of
# a repeated training step (batch 2 x 128). Run by hand (never in CI):
#   Tools/bench/bench-layer.sh [out.md]      (default: print the table)
# Env: PEERS_VENV (default /work/peers-venv, torch 2.11 CPU), STEPS (7), RSS_STEPS (1000), THREADS ("1 2").
# The mtla driver is the LayerBench suite in Tests/AutogradTests (enabled by MTLA_BENCH_LAYER=1): the
# mtla-bench target does not depend on Autograd.
set -euo pipefail
. "$(cd "$(dirname "$0")/.." && pwd)/openblas-kernels.sh"   # the OpenBLAS kernel family, as the recipes
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
PY="${PEERS_VENV:-/work/peers-venv}/bin/python"
STEPS="${STEPS:-7}"; RSS_STEPS="${RSS_STEPS:-1000}"; THREADS="${THREADS:-1 2}"
OUT="${1:-/dev/stdout}"
swift build -c release --build-tests >&2
WORK="$(mktemp -d /tmp/bench-layer.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

ours() {  # threads test-name
  MTLA_BENCH_LAYER=1 MTLA_BENCH_THREADS="$1" MTLA_BENCH_STEPS="$STEPS" MTLA_BENCH_RSS_STEPS="$RSS_STEPS" \
    swift test -c release --skip-build --disable-xctest --filter "LayerBench.$2" 2>&1 \
    | sed -n 's/^LAYERBENCH //p' | tail -1
}
for t in $THREADS; do
  ours "$t" layerStep > "$WORK/mtla-$t.json"; cat "$WORK/mtla-$t.json" >&2
  "$PY" Tools/bench/peer_layer.py "$t" "$STEPS" > "$WORK/torch-$t.json"; cat "$WORK/torch-$t.json" >&2
  ours "$t" rssGrowth > "$WORK/rss-$t.json"; cat "$WORK/rss-$t.json" >&2
done

python3 - "$WORK" "$THREADS" "$RSS_STEPS" > "$OUT" <<'PY'
import json, os, sys
work, threads, rss_steps = sys.argv[1], sys.argv[2].split(), sys.argv[3]
load = lambda n: json.load(open(os.path.join(work, n)))
print("| threads | mtla ms | PyTorch ms | ratio (PyTorch / mtla, target >= 1.0) | mtla GFLOP/s | PyTorch GFLOP/s "
      "| sgemm GFLOP/s (mtla proc / torch proc) | mtla share of sgemm (target >= 75%) | PyTorch share | mtla peak RSS MB | PyTorch peak RSS MB |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for t in threads:
    m, p = load(f"mtla-{t}.json"), load(f"torch-{t}.json")
    print(f"| {t} | {m['ms']:.0f} | {p['ms']:.0f} | {p['ms'] / m['ms']:.2f} | {m['gflops']:.0f} | {p['gflops']:.0f} "
          f"| {m['sgemm_gflops']:.0f} / {p['sgemm_gflops']:.0f} | {100 * m['gflops'] / m['sgemm_gflops']:.0f}% "
          f"| {100 * p['gflops'] / p['sgemm_gflops']:.0f}% | {m['peak_rss_mb']:.0f} | {p['peak_rss_mb']:.0f} |")
print()
print(f"| threads | peak RSS at step 10 (MB) | peak RSS at step {rss_steps} (MB) | growth | limit (max(2%, 20 MB)) | current RSS 10 → {rss_steps} (MB) | seconds |")
print("|---|---|---|---|---|---|---|")
for t in threads:
    r = load(f"rss-{t}.json")
    g = r["peakN_mb"] - r["peak10_mb"]
    print(f"| {t} | {r['peak10_mb']:.1f} | {r['peakN_mb']:.1f} | {g:+.1f} MB ({100 * g / r['peak10_mb']:+.2f}%) "
          f"| {max(0.02 * r['peak10_mb'], 20):.1f} MB | {r['rss10_mb']:.1f} → {r['rssN_mb']:.1f} | {r['seconds']:.1f} |")
print()
print("Step times (ms):", "; ".join(f"mtla {t}T {load(f'mtla-{t}.json')['times_ms']}, "
                                      f"PyTorch {t}T {load(f'torch-{t}.json')['times_ms']}" for t in threads))
print("BLAS:", load(f"mtla-{threads[0]}.json")["blas"], "| torch", load(f"torch-{threads[0]}.json")["torch"])
PY
