#!/usr/bin/env python3
"""Markdown table of Tools/bench/bench-train.sh's JSON lines (mtla-bench train + peer_train.py, ROUNDS rounds).
Per (decoder, threads, side): `best` = the lowest per-round median (load from other processes only adds time),
`pooled` = the median of all timed updates of all rounds."""
import json, statistics, sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
meta = next((r for r in rows if r["side"] == "meta"), {})
end = next((r for r in rows if r["side"] == "meta_end"), {})
loads = [float(r["load"].split()[0]) for r in rows if r["side"] == "load"]
flops = {r["kind"]: r["flops"] for r in rows if r["side"] == "flops"}
runs = {}
for r in rows:
    if r["side"] in ("mtla", "pytorch"):
        runs.setdefault((r["kind"], r["threads"], r["side"]), []).append(r)


def best(key):
    rs = runs.get(key, [])
    return min(rs, key=lambda r: r["ms"]) if rs else None


def pooled(key):
    ts = [t for r in runs.get(key, []) for t in r["times_ms"]]
    return statistics.median(ts) if ts else None


def cpu_cell(kind, t):
    """Process CPU time per update (all threads, spin-waits included) of each side's lowest-CPU round."""
    cm = min((r["cpu_ms"] for r in runs.get((kind, t, "mtla"), [])), default=None)
    cp = min((r["cpu_ms"] for r in runs.get((kind, t, "pytorch"), [])), default=None)
    return f"{cm:.0f} / {cp:.0f}, {cp / cm:.2f}" if cm and cp else "–"


print(f"Run {meta.get('date', '?')} – {end.get('date', '?')}; load average (1/5/15 min) at start "
      f"{meta.get('load_start', '?')}, at end {end.get('load_end', '?')}; 1-min load before each pair "
      f"{min(loads, default=0):.1f}–{max(loads, default=0):.1f}; "
      f"{max((len(v) for v in runs.values()), default=0)} rounds.\n")
print("| decoder | threads | mtla ms/update | PyTorch ms/update | ratio PyTorch / mtla (target ≥ 1.2) "
      "| pooled medians ms (mtla / PyTorch, ratio) | CPU ms/update, best round (mtla / PyTorch, ratio) | mtla frames/s | mtla tokens/s | PyTorch frames/s | PyTorch tokens/s "
      "| GFLOP/update | mtla GFLOP/s | sgemm GFLOP/s (mtla / torch proc) | mtla share of sgemm | peak RSS MB (mtla / PyTorch) |")
print("|---" * 16 + "|")
keys = sorted({(k, t) for (k, t, _) in runs}, key=lambda k: (k[0] != "MTLA", k[0], k[1]))
for kind, t in keys:
    m, p = best((kind, t, "mtla")), best((kind, t, "pytorch"))
    if m is None:
        continue
    pm, pp = pooled((kind, t, "mtla")), pooled((kind, t, "pytorch"))
    f = flops.get(kind)
    gf = f / 1e9 if f else None
    rate = gf / (m["ms"] / 1000) if gf else None
    # the best sgemm rate each process type measured at this thread count (any decoder): load only lowers it
    sg = max(r["sgemm_gflops"] for (k2, t2, side), rs in runs.items() if t2 == t and side == "mtla" for r in rs)
    sgp = max((r["sgemm_gflops"] for (k2, t2, side), rs in runs.items() if t2 == t and side == "pytorch" for r in rs),
              default=None)
    cells = [kind, t, f"{m['ms']:.0f}", f"{p['ms']:.0f}" if p else "–", f"**{p['ms'] / m['ms']:.2f}**" if p else "–",
             f"{pm:.0f} / {pp:.0f}, {pp / pm:.2f}" if pp else f"{pm:.0f}",
             cpu_cell(kind, t),
             f"{m['frames_per_s']:.0f}", f"{m['tokens_per_s']:.0f}",
             f"{p['frames_per_s']:.0f}" if p else "–", f"{p['tokens_per_s']:.0f}" if p else "–",
             f"{gf:.1f}" if gf else "–", f"{rate:.0f}" if rate else "–",
             f"{sg:.0f} / {sgp:.0f}" if sgp else f"{sg:.0f}",
             f"{rate / sg:.0%}" if rate else "–",
             f"{max(r['hwm_kb'] for r in runs[(kind, t, 'mtla')]) / 1024:.0f} / "
             + (f"{max(r['hwm_kb'] for r in runs[(kind, t, 'pytorch')]) / 1024:.0f}" if p else "–")]
    print("| " + " | ".join(str(c) for c in cells) + " |")
print("\nPer-round medians (ms):")
for kind, t in keys:
    fmt = lambda side: [round(r["ms"]) for r in runs.get((kind, t, side), [])]
    print(f"- {kind} {t}T: mtla {fmt('mtla')}, PyTorch {fmt('pytorch')}")
