#!/usr/bin/env python3
"""Markdown table from one or more outputs of peer_attention_step.py (JSON lines; several passes may be
concatenated).  Per (variant, cache_len, batch, threads) it reports the lowest per-pass median over the passes
("best of passes": interference from other processes on the machine only ever adds time) and the number of passes.

    peer_attention_summary.py FILE.jsonl [FILE2.jsonl ...]
"""
import json, sys
from collections import defaultdict

rows = [json.loads(l) for f in sys.argv[1:] for l in open(f) if l.strip()]
best, n, cache, extra = {}, defaultdict(int), {}, {}
threads = sorted({r["threads"] for r in rows if "variant" in r})
for r in rows:
    if "variant" not in r:
        continue
    k = (r["variant"], r["cache_len"], r["batch"], r["threads"])
    n[k] += 1
    if k not in best or r["ms"] < best[k]["ms"]:
        best[k] = r
    cache[k[:3]] = (r["cache_bytes"], r["analytic_bytes"])
variants = list(dict.fromkeys(r["variant"] for r in rows if "variant" in r))
head = " | ".join(f"T={t} ms" for t in threads)
print(f"| variant | cache_len | batch | {head} | cache bytes (measured) | analytic | passes |")
print("|---|---|---|" + "---|" * len(threads) + "---|---|---|")
for b in sorted({k[2] for k in best}):
    for v in variants:
        for L in sorted({k[1] for k in best}):
            ks = [(v, L, b, t) for t in threads]
            if not all(k in best for k in ks):
                continue
            cells = []
            for k in ks:
                r = best[k]
                c = f"{r['ms']:.3f}"
                if "ms_append" in r:
                    c += f" ({r['ms_append']:.2f}/{r['ms_update']:.2f})"
                cells.append(c)
            cb, ab = cache[(v, L, b)]
            print(f"| {v} | {L} | {b} | " + " | ".join(cells) + f" | {cb} | {ab} | {min(n[k] for k in ks)} |")
