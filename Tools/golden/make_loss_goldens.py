#!/usr/bin/env python3
"""Golden values for mtla's loss kernels (TensorCore: LabelSmoothedCrossEntropy, CTCLoss).

Run once with the peers venv (torch CPU):
    /work/peers-venv/bin/python Tools/golden/make_loss_goldens.py
Writes Data/golden/losses/{label_smoothed_ce,ctc}.json (fixed seeds, float64 inputs rounded to float32
so Swift reads the exact same inputs; computation in float32 as in training).
"""
import json
import pathlib
import sys

import torch
import torch.nn.functional as F

OUT = pathlib.Path(__file__).resolve().parents[2] / "Data" / "golden" / "losses"


# Copied from fairseq/criterions/label_smoothed_cross_entropy.py (fairseq >= 0.10; fairseq is not
# installed here, the definition is reproduced verbatim).
def label_smoothed_nll_loss(lprobs, target, epsilon, ignore_index=None, reduce=True):
    if target.dim() == lprobs.dim() - 1:
        target = target.unsqueeze(-1)
    nll_loss = -lprobs.gather(dim=-1, index=target)
    smooth_loss = -lprobs.sum(dim=-1, keepdim=True)
    if ignore_index is not None:
        pad_mask = target.eq(ignore_index)
        nll_loss.masked_fill_(pad_mask, 0.0)
        smooth_loss.masked_fill_(pad_mask, 0.0)
    else:
        nll_loss = nll_loss.squeeze(-1)
        smooth_loss = smooth_loss.squeeze(-1)
    if reduce:
        nll_loss = nll_loss.sum()
        smooth_loss = smooth_loss.sum()
    eps_i = epsilon / (lprobs.size(-1) - 1)
    loss = (1.0 - epsilon - eps_i) * nll_loss + eps_i * smooth_loss
    return loss, nll_loss


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def lsce_case(name, seed, n, v, eps, ignore_index, n_ignored):
    g = torch.Generator().manual_seed(seed)
    logits = (torch.randn(n, v, generator=g) * 2).float()
    target = torch.randint(0, v, (n,), generator=g)
    if ignore_index is not None:
        target[target == ignore_index] = (ignore_index + 1) % v
        target[torch.randperm(n, generator=g)[:n_ignored]] = ignore_index
    # gradient w.r.t. the logits (log-softmax inside)
    x = logits.clone().requires_grad_(True)
    loss, nll = label_smoothed_nll_loss(F.log_softmax(x, dim=-1), target, eps, ignore_index)
    loss.backward()
    # gradient w.r.t. log-probabilities as a leaf
    lp = F.log_softmax(logits, dim=-1).detach().requires_grad_(True)
    loss2, _ = label_smoothed_nll_loss(lp, target, eps, ignore_index)
    loss2.backward()
    # per-row losses (reduce=False)
    rows, _ = label_smoothed_nll_loss(lp.detach(), target, eps, ignore_index, reduce=False)
    return {
        "name": name, "rows": n, "vocab": v, "epsilon": eps,
        "ignore_index": ignore_index, "logits": flat(logits), "log_probs": flat(lp),
        "targets": [int(t) for t in target.tolist()],
        "loss": float(loss.detach()), "nll_loss": float(nll.detach()), "row_loss": flat(rows),
        "grad_logits": flat(x.grad), "grad_log_probs": flat(lp.grad),
    }


def ctc_case(name, seed, t_max, c, blank, input_lengths, targets, zero_infinity=False):
    """targets: list of label lists; stored both padded and concatenated."""
    n = len(input_lengths)
    g = torch.Generator().manual_seed(seed)
    logits = (torch.randn(t_max, n, c, generator=g) * 1.5).float()
    s_max = max(1, max(len(tg) for tg in targets))
    padded = torch.zeros(n, s_max, dtype=torch.long)
    for i, tg in enumerate(targets):
        padded[i, :len(tg)] = torch.tensor(tg, dtype=torch.long)
    tl = torch.tensor([len(tg) for tg in targets], dtype=torch.long)
    il = torch.tensor(input_lengths, dtype=torch.long)
    out = {"name": name, "T": t_max, "N": n, "C": c, "blank": blank, "zero_infinity": zero_infinity,
           "input_lengths": input_lengths, "target_lengths": tl.tolist(),
           "targets_padded": flat(padded), "max_target_length": s_max,
           "targets_concatenated": [x for tg in targets for x in tg], "logits": flat(logits)}
    x = logits.clone().requires_grad_(True)
    lp = F.log_softmax(x, dim=-1)
    losses = F.ctc_loss(lp, padded, il, tl, blank=blank, reduction="none", zero_infinity=zero_infinity)
    losses.sum().backward()
    out["losses"] = flat(losses)
    out["grad_logits_sum"] = flat(x.grad)
    x2 = logits.clone().requires_grad_(True)
    mean = F.ctc_loss(F.log_softmax(x2, dim=-1), padded, il, tl, blank=blank, reduction="mean",
                      zero_infinity=zero_infinity)
    mean.backward()
    out["loss_mean"] = float(mean.detach())
    out["grad_logits_mean"] = flat(x2.grad)
    # PyTorch's native CTC backward w.r.t. log-probs given as a leaf (exp(lp) - occupancy).
    lpl = F.log_softmax(logits, dim=-1).detach().requires_grad_(True)
    F.ctc_loss(lpl, padded, il, tl, blank=blank, reduction="sum", zero_infinity=zero_infinity).backward()
    out["log_probs"] = flat(lpl)
    out["grad_log_probs_torch_native"] = flat(lpl.grad)
    return out


def main():
    torch.set_num_threads(1)
    OUT.mkdir(parents=True, exist_ok=True)
    lsce = [
        lsce_case("eps0.1_ignore1", 0, 12, 11, 0.1, 1, 3),
        lsce_case("eps0_no_ignore", 1, 7, 5, 0.0, None, 0),
        lsce_case("eps0.2_ignore0_v37", 2, 20, 37, 0.2, 0, 5),
    ]
    ctc = [
        ctc_case("blank0_padded", 10, 12, 6, 0, [12, 9, 7], [[1, 2, 3, 1], [4, 4], [5, 1, 5]]),
        ctc_case("blank_last_repeats", 11, 15, 5, 4, [15, 10, 6, 15], [[2, 2, 3], [0, 0, 0], [1], [3, 2, 1, 0, 1]]),
        ctc_case("empty_target", 12, 8, 4, 0, [8, 5], [[], [3]]),
        ctc_case("infeasible_zero_infinity", 13, 6, 4, 0, [6, 2], [[1, 2], [1, 2, 3]], zero_infinity=True),
    ]
    meta = {"torch": torch.__version__, "python": sys.version.split()[0]}
    (OUT / "label_smoothed_ce.json").write_text(json.dumps({"meta": meta, "cases": lsce}))
    (OUT / "ctc.json").write_text(json.dumps({"meta": meta, "cases": ctc}))
    print("wrote", OUT, meta)


if __name__ == "__main__":
    main()
