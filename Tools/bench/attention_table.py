#!/usr/bin/env python3
"""Joins `mtla-bench attention` and `peer_attention_step.py` JSON lines into the BENCHMARKS table.
Usage: attention_table.py OURS.jsonl[,OURS2.jsonl...] PEER.jsonl[,PEER2.jsonl...]
With several passes per side, each cell is the lowest per-pass median of that side ("best of passes":
interference from other processes only ever adds time), as peer_attention_summary.py does."""
import json, sys

ORDER = ["MHA", "GQA", "MQA", "MLA", "MTLA"]


def load(paths):
    rows = {}
    for line in (l for path in paths.split(",") for l in open(path)):
        line = line.strip()
        if not line.startswith("{"):
            continue
        d = json.loads(line)
        if "variant" not in d:
            continue
        v = d["variant"].upper()
        name = next(n for n in sorted(ORDER, key=len, reverse=True) if v.startswith(n))
        k = (name, d["cache_len"], d["batch"])
        if k not in rows or d["ms"] < rows[k]["ms"]:
            rows[k] = d
    return rows


ours, peer = load(sys.argv[1]), load(sys.argv[2])
print("| variant | cache len | batch | mtla ms | reference ms | reference / mtla | mtla cache MiB | reference cache MiB |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for k in sorted(ours, key=lambda k: (ORDER.index(k[0]), k[1], k[2])):
    o, p = ours[k], peer.get(k)
    ratio = f"{p['ms'] / o['ms']:.1f}x" if p else "-"
    print(f"| {k[0]} | {k[1]} | {k[2]} | {o['ms']:.2f} | {p['ms']:.2f} | {ratio} | {o['cache_bytes'] / 2**20:.1f} | "
          f"{p['cache_bytes'] / 2**20:.1f} |" if p else f"| {k[0]} | {k[1]} | {k[2]} | {o['ms']:.2f} | - | - | - | - |")
mha, mtla = ours.get(("MHA", 4096, 40)), ours.get(("MTLA", 4096, 40))
if mha and mtla:
    print(f"\nInside mtla at cache length 4096, 40 rows: MTLA s=2 is {mha['ms'] / mtla['ms']:.1f}x faster than MHA "
          f"with {mha['cache_bytes'] / mtla['cache_bytes']:.1f}x less cache.")
