#!/usr/bin/env python3
"""Scores a hypothesis file against a reference file with the peer tool and prints one number.

usage: peer_score.py METRIC HYP REF  (METRIC: bleu chrf ter wer cer rouge)
The numbers are what `mtla score METRIC --json` reports (BLEU/chrF/TER 0-100, WER/CER fraction,
ROUGE: mean F1 of rougeL over lines, with the Porter stemmer).
"""
import sys

def lines(p):
    with open(p, encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f]

def main():
    metric, hp, rp = sys.argv[1:4]
    if metric in ("bleu", "chrf", "ter"):
        import sacrebleu
        h = [l.rstrip() for l in lines(hp)]; r = [l.rstrip() for l in lines(rp)]
        m = {"bleu": sacrebleu.metrics.BLEU, "chrf": sacrebleu.metrics.CHRF, "ter": sacrebleu.metrics.TER}[metric]()
        print(repr(m.corpus_score(h, [r]).score))
    elif metric in ("wer", "cer"):
        import jiwer
        h, r = lines(hp), lines(rp)
        print(repr(jiwer.wer(r, h) if metric == "wer" else jiwer.cer(r, h)))
    elif metric == "rouge":
        from rouge_score import rouge_scorer
        h, r = lines(hp), lines(rp)
        sc = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=True)
        tot = 0.0
        for a, b in zip(r, h):
            tot += sc.score(a, b)["rougeL"].fmeasure
        print(repr(tot / len(h)))

if __name__ == "__main__":
    main()
