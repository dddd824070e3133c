"""Beam-search goldens: fairseq's own `SequenceGenerator` (sequence_generator.py + search.py of the fairseq copy in
the PyPI `mtla` 0.3.2 wheel, executed unmodified under the stub packages of fairseq_stubs.py) run on the golden
models of Data/golden/model (refmodel.py), batch size 1, beams 1/2/5 and one temperature/length-penalty setting.
Writes Data/golden/beam/<case>.{safetensors,json} and Data/golden/beam/summary.json (see that folder's README.md).
Deterministic: re-running rewrites identical files.

    /work/peers-venv/bin/python Tools/golden/make_beam_goldens.py [--out Data/golden/beam] [--only CASE ...]
    /work/peers-venv/bin/python Tools/golden/make_beam_goldens.py --explore CASE   # the EOS-row grid of the README
"""
import argparse, collections, itertools, json, math, os, sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fairseq_stubs  # noqa: E402
import refmodel as R  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "Data", "golden", "model"))

# Generator arguments common to every setting (everything else is SequenceGenerator's default).
MAX_LEN_A, MAX_LEN_B, MIN_LEN = 0, 12, 1
# setting name -> (beam_size, temperature, len_penalty)
SETTINGS = collections.OrderedDict([
    ("beam1", (1, 1.0, 1.0)),
    ("beam2", (2, 1.0, 1.0)),
    ("beam5", (5, 1.0, 1.0)),
    ("beam5_t0.9_lp0.5", (5, 0.9, 0.5)),
])

# EOS-row modification per case: with the golden weights every hypothesis either ends right after its first token
# or runs to max_len (the random models put EOS either very high or very low), so row `eos` (= 2) of
# decoder.output_projection.weight is replaced by  a * row + c * std(W) * r,  r ~ N(0, I) from
# torch.Generator().manual_seed(seed) (W = the golden's output projection, std over all its entries).  In tied
# models the same matrix is decoder.embed_tokens.weight, so the EOS *input* embedding changes too (both names are
# stored, equal).  Parameters chosen with --explore (grid a in {0, 0.5, 1, 1.5, 2}, c in {0.5, 1, 1.5, 2, 3, 4},
# seed 1..12) for many distinct hypothesis lengths and tokens, some max_len hypotheses, and no near-ties (README).
CASES = collections.OrderedDict([
    ("speech_mtla_s2", dict(a=1.5, c=1.5, seed=1)),
    ("speech_mha", dict(a=1.0, c=3.0, seed=8)),
    ("speech_mla", dict(a=1.0, c=4.0, seed=8)),
    ("text_mtla_s2", dict(a=1.0, c=1.0, seed=3)),
    ("speech_mtla_s3_tied", dict(a=0.5, c=1.5, seed=7)),
])


def load_generator_modules():
    """The unmodified search/generator files of the wheel's fairseq, as real modules under the stub packages."""
    fairseq_stubs.load()
    root = fairseq_stubs.site_root()
    L = fairseq_stubs._load_file
    if "fairseq.sequence_generator" in sys.modules:
        return sys.modules["fairseq.search"], sys.modules["fairseq.sequence_generator"]
    L("fairseq.token_generation_constraints", os.path.join(root, "token_generation_constraints.py"))
    search = L("fairseq.search", os.path.join(root, "search.py"))
    L("fairseq.ngram_repeat_block", os.path.join(root, "ngram_repeat_block.py"))  # CUDA extension absent: fallback
    sg = L("fairseq.sequence_generator", os.path.join(root, "sequence_generator.py"))
    return search, sg


def golden_weights(case):
    from safetensors.torch import load_file
    sd = load_file(os.path.join(MODEL_DIR, case + ".safetensors"))
    weights = {k: v for k, v in sd.items() if not k.split(".")[0].startswith(("input", "output", "debug"))}
    inputs = {k: v for k, v in sd.items() if k.startswith("input")}
    return weights, inputs


def modified_weights(cfg, weights, a, c, seed):
    w0 = weights["decoder.output_projection.weight"]
    w = w0.clone()
    eos = cfg["eos"]
    r = torch.randn(w.shape[1], generator=torch.Generator().manual_seed(seed)) * w0.std()
    w[eos] = a * w0[eos] + c * r
    out = dict(weights)
    out["decoder.output_projection.weight"] = w
    if cfg["share_decoder_input_output_embed"]:
        assert torch.equal(weights["decoder.embed_tokens.weight"], w0)
        out["decoder.embed_tokens.weight"] = w.clone()
    return out


def utterances(cfg, inputs):
    """Batch-1 utterances: k = 0, 1 = rows of the golden's `input.*`, k = 2 = its `input1.*`."""
    key = "features" if cfg["input_mode"] == "speech" else "src_tokens"
    out = []
    for i in range(inputs["input.src_lengths"].shape[0]):
        out.append((key, inputs["input." + key][i:i + 1].clone(), inputs["input.src_lengths"][i:i + 1].clone()))
    out.append((key, inputs["input1." + key].clone(), inputs["input1.src_lengths"].clone()))
    return out


def make_generator(sg, model, cfg, beam, temperature, lenpen):
    tgt = R.Dictionary(cfg["vocab_size"], cfg["bos"], cfg["padding_idx"], cfg["eos"], cfg["unk"])
    return sg.SequenceGenerator([model], tgt, beam_size=beam, max_len_a=MAX_LEN_A, max_len_b=MAX_LEN_B,
                                min_len=MIN_LEN, len_penalty=lenpen, temperature=temperature)


def generate(g, src, lengths):
    # speech features travel under net_input["src_tokens"] as in fairseq's speech_to_text task
    return g.forward({"net_input": {"src_tokens": src, "src_lengths": lengths}})[0]


def generate_observed(g, src, lengths, cfg):
    """Run the same generator with pass-through observers (nothing they return differs from the real calls):
    raw log-probs of every step (before the generator's pad/unk/min_len/max_len edits), the candidate sets,
    and every finalize_hypos call.  Returns (hypotheses, record)."""
    pad, eos, unk = cfg["padding_idx"], cfg["eos"], cfg["unk"]
    rec = collections.OrderedDict(
        steps_run=0, min_candidate_gap=math.inf, pad_mask_changed_candidates=0, pad_would_be_selected=0,
        eos_min_len_changed_candidates=0, eos_min_len_would_finalize=0, unk_in_candidates=0, finalize=[])
    raw = {}
    real_fd = g.model.forward_decoder
    real_step = g.search.step
    real_fin = g.finalize_hypos
    max_len = min(int(MAX_LEN_A * src.size(1) + MAX_LEN_B), g.max_len - 1)

    def fd(tokens, encoder_outs, incremental_states, temperature=1.0):
        lp, attn = real_fd(tokens, encoder_outs, incremental_states, temperature)
        raw["lp"] = lp.clone()
        return lp, attn

    def topk(step, lp, scores, k):
        bsz, B, V = lp.shape
        x = lp[:, ::B, :] if step == 0 else lp + scores[:, :, step - 1].unsqueeze(-1)
        flat = x.reshape(bsz, -1)
        return torch.topk(flat, min(k, flat.size(1) - 1))

    def step(step, lprobs, scores, *args, **kw):
        bsz, B, V = lprobs.shape
        rec["steps_run"] = step + 1
        vals, idx = topk(step, lprobs, scores, 2 * B)
        fin = vals[torch.isfinite(vals)]
        vals1, _ = topk(step, lprobs, scores, 2 * B + 1)
        v1 = vals1[torch.isfinite(vals1)]
        if v1.numel() > 1:
            rec["min_candidate_gap"] = min(rec["min_candidate_gap"], (v1[:-1] - v1[1:]).min().item())
        if bool((idx % V == unk).any()):
            rec["unk_in_candidates"] += 1
        r = raw["lp"].view(bsz, B, V)
        if step < max_len:
            cf = lprobs.clone()
            cf[:, :, pad] = r[:, :, pad]
            cv, ci = topk(step, cf, scores, 2 * B)
            if not torch.equal(ci, idx):
                rec["pad_mask_changed_candidates"] += 1
            # continuations = the first B non-EOS candidates of the 2B
            tok = (ci % V)[0]
            if pad in tok[tok != eos][:B].tolist():
                rec["pad_would_be_selected"] += 1
        if step < MIN_LEN:
            cf = lprobs.clone()
            cf[:, :, eos] = r[:, :, eos]
            cv, ci = topk(step, cf, scores, 2 * B)
            if not torch.equal(ci, idx):
                rec["eos_min_len_changed_candidates"] += 1
            if bool((ci[:, :B] % V == eos).any()):
                rec["eos_min_len_would_finalize"] += 1
        return real_step(step, lprobs, scores, *args, **kw)

    def finalize(step, bbsz_idx, eos_scores, tokens, scores, finalized, finished, beam_size, *rest):
        before = len(finalized[0])
        n = int(bbsz_idx.numel())
        out = real_fin(step, bbsz_idx, eos_scores, tokens, scores, finalized, finished, beam_size, *rest)
        rec["finalize"].append(dict(step=step, eos_candidates=n, kept=len(finalized[0]) - before,
                                    sentence_done=len(out) > 0))
        return out

    g.model.forward_decoder, g.search.step, g.finalize_hypos = fd, step, finalize
    try:
        hyps = generate(g, src, lengths)
    finally:
        del g.model.forward_decoder, g.search.step, g.finalize_hypos
    rec["max_len"] = max_len
    return hyps, rec


def rescore(model, src, lengths, tokens, temperature, eos):
    """Teacher-forced per-token log-probs of a hypothesis on the training path: log_softmax(logits / T)."""
    prev = torch.cat([torch.tensor([eos]), tokens[:-1]]).unsqueeze(0)
    with torch.no_grad():
        logits = model(src, lengths, prev)[0][0]
    lp = torch.log_softmax(logits.float() / temperature, dim=-1)
    return lp.gather(1, tokens.unsqueeze(1)).squeeze(1)


def make_case(case, out_dir):
    from safetensors.torch import save_file
    search_mod, sg = load_generator_modules()
    cfg = R.load_config(os.path.join(MODEL_DIR, case + ".json"))
    p = CASES[case]
    weights, inputs = golden_weights(case)
    wmod = modified_weights(cfg, weights, p["a"], p["c"], p["seed"])
    model, _ = R.build_model(cfg)
    R.load_checkpoint(model, wmod)
    sdict = R.state_dict_tensors(model)
    assert sorted(sdict) == sorted(wmod) and all(torch.equal(sdict[k], wmod[k]) for k in sdict)
    tensors = dict(sdict)
    summary = collections.OrderedDict(case=case, eos_row_modification=p, settings=collections.OrderedDict())
    utts = utterances(cfg, inputs)
    for k, (key, src, lengths) in enumerate(utts):
        tensors[f"input.{k}.{key}"] = src.contiguous()
        tensors[f"input.{k}.src_lengths"] = lengths.contiguous()
    worst_rescore = 0.0
    for name, (beam, temp, lenpen) in SETTINGS.items():
        g = make_generator(sg, model, cfg, beam, temp, lenpen)
        srec = collections.OrderedDict(beam=beam, temperature=temp, len_penalty=lenpen, utterances=[])
        for k, (key, src, lengths) in enumerate(utts):
            hyps = generate(g, src, lengths)
            hyps2, rec = generate_observed(g, src, lengths, cfg)  # instrumented rerun: must agree exactly
            assert len(hyps) == len(hyps2) == beam
            for h, h2 in zip(hyps, hyps2):
                assert torch.equal(h["tokens"], h2["tokens"]) and torch.equal(h["score"], h2["score"]) \
                    and torch.equal(h["positional_scores"], h2["positional_scores"])
            scores = [h["score"].item() for h in hyps]
            assert scores == sorted(scores, reverse=True)
            gaps = [a - b for a, b in zip(scores, scores[1:])]
            for rank, h in enumerate(hyps):
                base = f"{name}.{k}"
                tensors[f"{base}.tokens.{rank}"] = h["tokens"].to(torch.int64).contiguous()
                tensors[f"{base}.score.{rank}"] = h["score"].to(torch.float32).reshape(()).contiguous()
                tensors[f"{base}.positional_scores.{rank}"] = h["positional_scores"].to(torch.float32).contiguous()
                ps = h["positional_scores"]
                assert abs(ps.sum().item() / len(ps) ** lenpen - h["score"].item()) < 1e-5
                rs = rescore(model, src, lengths, h["tokens"], temp, cfg["eos"])
                worst_rescore = max(worst_rescore, (rs - ps).abs().max().item())
            rec = collections.OrderedDict(
                k=k, src_len=int(src.size(1)),
                lengths=[int(h["tokens"].numel()) for h in hyps],
                scores=[round(s, 6) for s in scores],
                unk_in_hypotheses=sum(int((h["tokens"] == cfg["unk"]).sum()) for h in hyps),
                min_score_gap=round(min(gaps), 6) if gaps else None,
                **{kk: (round(v, 6) if isinstance(v, float) else v) for kk, v in rec.items()})
            srec["utterances"].append(rec)
        srec["max_len"] = srec["utterances"][0]["max_len"]
        summary["settings"][name] = srec
    summary["rescore_max_abs"] = float(f"{worst_rescore:.3e}")
    meta = {"case": case, "generator": "Tools/golden/make_beam_goldens.py",
            "reference": "mtla 0.3.2 wheel, vendored fairseq SequenceGenerator", "torch": torch.__version__,
            "eos_row_modification": json.dumps(p, sort_keys=True),
            "args": json.dumps(dict(max_len_a=MAX_LEN_A, max_len_b=MAX_LEN_B, min_len=MIN_LEN,
                                    settings={n: dict(beam=b, temperature=t, len_penalty=l)
                                              for n, (b, t, l) in SETTINGS.items()}), sort_keys=True)}
    os.makedirs(out_dir, exist_ok=True)
    tensors = {k: v.contiguous() for k, v in tensors.items()}
    save_file(tensors, os.path.join(out_dir, case + ".safetensors"),
              metadata={"golden": json.dumps(meta, sort_keys=True)})
    with open(os.path.join(out_dir, case + ".json"), "w") as f:
        json.dump(cfg, f, indent=1)
        f.write("\n")
    return summary


def explore(case):
    """Grid over the EOS-row modification; prints lengths, minimum score gap and minimum candidate gap."""
    _, sg = load_generator_modules()
    cfg = R.load_config(os.path.join(MODEL_DIR, case + ".json"))
    weights, inputs = golden_weights(case)
    model, _ = R.build_model(cfg)
    utts = utterances(cfg, inputs)
    for a, c, seed in itertools.product([0.0, 0.5, 1.0, 1.5, 2.0], [0.5, 1.0, 1.5, 2.0, 3.0, 4.0], range(1, 13)):
        R.load_checkpoint(model, modified_weights(cfg, weights, a, c, seed))
        lens, sgap, cgap, toks = [], math.inf, math.inf, set()
        for name, (beam, temp, lenpen) in SETTINGS.items():
            g = make_generator(sg, model, cfg, beam, temp, lenpen)
            for key, src, lengths in utts:
                hyps, rec = generate_observed(g, src, lengths, cfg)
                sc = [h["score"].item() for h in hyps]
                sgap = min([sgap] + [x - y for x, y in zip(sc, sc[1:])])
                cgap = min(cgap, rec["min_candidate_gap"])
                lens.append([len(h["tokens"]) for h in hyps])
                for h in hyps:
                    toks.update(h["tokens"][:-1].tolist())
        hist = collections.Counter(x for l in lens for x in l)
        print(f"{case} a={a} c={c} seed={seed} distinct={len(hist)} n2={hist[2]} n{MAX_LEN_B + 1}="
              f"{hist[MAX_LEN_B + 1]} tokens={len(toks)} score_gap={sgap:.5f} cand_gap={cgap:.6f} {lens}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(HERE, "..", "..", "Data", "golden", "beam"))
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--explore")
    a = ap.parse_args()
    torch.set_num_threads(1)
    if a.explore:
        explore(a.explore)
        return
    out_dir = os.path.normpath(a.out)
    summaries = collections.OrderedDict()
    spath = os.path.join(out_dir, "summary.json")
    if a.only and os.path.exists(spath):
        summaries.update(json.load(open(spath), object_pairs_hook=collections.OrderedDict))
    for case in CASES:
        if a.only and case not in a.only:
            continue
        s = make_case(case, out_dir)
        summaries[case] = s
        for name, srec in s["settings"].items():
            print(case, name, "max_len", srec["max_len"],
                  [(u["lengths"], u["min_score_gap"], u["min_candidate_gap"]) for u in srec["utterances"]],
                  flush=True)
        print(case, "rescore max abs", s["rescore_max_abs"], flush=True)
    summaries = collections.OrderedDict((c, summaries[c]) for c in CASES if c in summaries)
    with open(spath, "w") as f:
        json.dump(summaries, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
