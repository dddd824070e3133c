#!/usr/bin/env python3
"""Markdown table of Tools/bench/bench-train.sh's JSON lines (mtla-bench train + peer_train.py)."""
import json, sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
meta = next((r for r in rows if r["side"] == "meta"), {})
end = next((r for r in rows if r["side"] == "meta_end"), {})
flops = {r["kind"]: r["flops"] for r in rows if r["side"] == "flops"}
print(f"Run {meta.get('date', '?')} – {end.get('date', '?')}; load average (1/5/15 min) at start "
      f"{meta.get('load_start', '?')}, at end {end.get('load_end', '?')}.\n")
print("| decoder | threads | mtla ms/update | PyTorch ms/update | ratio (PyTorch / mtla, target ≥ 1.2) "
      "| mtla frames/s | mtla tokens/s | PyTorch frames/s | PyTorch tokens/s | GFLOP/update | mtla GFLOP/s "
      "| sgemm GFLOP/s (mtla / torch proc) | mtla share of sgemm | mtla peak RSS MB | PyTorch peak RSS MB |")
print("|---" * 15 + "|")
ours = {(r["kind"], r["threads"]): r for r in rows if r["side"] == "mtla"}
peer = {(r["kind"], r["threads"]): r for r in rows if r["side"] == "pytorch"}
for key in sorted(ours, key=lambda k: (k[0] != "MTLA", k[0], k[1])):
    m, p = ours[key], peer.get(key)
    f = flops.get(key[0])
    gf = f / 1e9 if f else None
    rate = gf / (m["ms"] / 1000) if gf else None
    cells = [key[0], key[1], f"{m['ms']:.0f}", f"{p['ms']:.0f}" if p else "–",
             f"{p['ms'] / m['ms']:.2f}" if p else "–", f"{m['frames_per_s']:.0f}", f"{m['tokens_per_s']:.0f}",
             f"{p['frames_per_s']:.0f}" if p else "–", f"{p['tokens_per_s']:.0f}" if p else "–",
             f"{gf:.1f}" if gf else "–", f"{rate:.0f}" if rate else "–",
             f"{m['sgemm_gflops']:.0f} / {p['sgemm_gflops']:.0f}" if p else f"{m['sgemm_gflops']:.0f}",
             f"{rate / m['sgemm_gflops']:.0%}" if rate else "–", f"{m['hwm_kb'] / 1024:.0f}",
             f"{p['hwm_kb'] / 1024:.0f}" if p else "–"]
    print("| " + " | ".join(str(c) for c in cells) + " |")
print("\nRaw update times (ms):")
for key in sorted(ours, key=lambda k: (k[0] != "MTLA", k[0], k[1])):
    print(f"- {key[0]} {key[1]}T: mtla {ours[key].get('times_ms')}, PyTorch {peer.get(key, {}).get('times_ms')}")
