#!/usr/bin/env python3
"""Deterministic 100k-line benchmark corpus from the scoring goldens (Data/reference/scoring).

Each output line k is golden line k % 300 (hypothesis and reference), perturbed by a seeded
random.Random(k) so that no two lines are identical (sacreBLEU's tokenizers cache 65,536 lines):
one extra word `w<k>` is inserted into the hypothesis and another into the reference at seeded
positions, and one adjacent pair of hypothesis words may be swapped.
"""
import random, sys, os

def main(src, out, n):
    langs = ["en", "de"]
    hyps, refs = [], []
    for lang in langs:
        hyps += open(os.path.join(src, f"{lang}.hyp.txt"), encoding="utf-8").read().split("\n")[:300]
        refs += open(os.path.join(src, f"{lang}.ref.txt"), encoding="utf-8").read().split("\n")[:300]
    with open(os.path.join(out, "bench.hyp.txt"), "w", encoding="utf-8") as fh, \
         open(os.path.join(out, "bench.ref.txt"), "w", encoding="utf-8") as fr:
        for k in range(n):
            r = random.Random(k)
            i = k % len(refs)
            h, ref = hyps[i].split(" "), refs[i].split(" ")
            h.insert(r.randint(0, len(h)), f"w{k}")
            ref.insert(r.randint(0, len(ref)), f"w{k + 7}")
            if len(h) > 3 and r.random() < 0.5:
                j = r.randint(0, len(h) - 2)
                h[j], h[j + 1] = h[j + 1], h[j]
            fh.write(" ".join(h) + "\n")
            fr.write(" ".join(ref) + "\n")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 100000)
