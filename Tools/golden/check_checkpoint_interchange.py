#!/usr/bin/env python3
"""Checkpoint interchange between mtla (Swift) and the reference PyTorch attention modules (pip `mtla` 0.3.2).

Two directions:

  check  WEIGHTS.safetensors --config CFG.json [--expect EXP.safetensors] [--inputs IN.safetensors]
         [--prefix decoder.layers.0.self_attn.] [--tol 1e-5] [--report OUT.json]
      mtla -> PyTorch.  Loads the weights (reference state-dict names, spec section 3.2; with --prefix, the
      names under that prefix of a full fairseq-named checkpoint, section 3.3) into the reference module built
      from CFG.json (`variant` + `constructor_kwargs`, the golden-case JSON format) with
      load_state_dict(strict=True): a missing, unexpected or mis-shaped weight is an error.  Non-weight tensors
      in the file (x, position, y_*, cache_*, debug.*, masks) are ignored for loading.  Then runs the golden
      procedure of shared/reference/README.md section 2 on `x`, `position` (from --inputs, else from
      --expect, else from WEIGHTS) with `prompt_length` P from CFG.json, producing y_full, y_incremental,
      y_prefill, cache_prompt.* (after the prompt call), cache_final.* (after the
      last token of the token-by-token run from an empty cache, as in the goldens) (MTLA also y_prefill_recompute, cache_prompt_recompute.*),
      and compares every one that the expectation file holds (default: --expect, else WEIGHTS itself) within
      --tol (absolute; relative for |values| > 1).  Exit status 0 iff all compared tensors match and at
      least one was compared.

  dump   --config CFG.json --out CASE.safetensors [--seed S] [--batch 2] [--length 13] [--init golden|default]
      PyTorch -> mtla.  Builds the reference module, initialises it (golden recipe of the README, or PyTorch
      default init) under the seed, draws x ~ N(0,1) and positions arange(T) + (0, 3, 6, ...), and writes one
      safetensors file with the module's state_dict() under its own names plus x, position and all the outputs
      and caches above (the exact format of shared/reference/attention), and CASE.json next to it.  Our side
      loads it with `mtla attention run CASE.safetensors --config CASE.json --output OUT.safetensors`, and
      `check OUT.safetensors --config CASE.json --expect CASE.safetensors` closes the loop.

Runs with the peers venv (torch 2.11 CPU, mtla 0.3.2, safetensors):  /work/peers-venv/bin/python
"""
import argparse, json, math, os, sys

import torch
from safetensors.torch import load_file, save_file

sys.dont_write_bytecode = True  # keep Tools/golden free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refattn  # noqa: E402

NON_WEIGHT_PREFIXES = ("x", "position", "self_attn_mask", "stride_aware_mask", "y_", "cache_", "debug.")


def is_weight(name):
    return not (name in ("x", "position", "self_attn_mask", "stride_aware_mask")
                or name.startswith(("y_", "cache_", "debug.")))


def load_config(path):
    cfg = json.load(open(path))
    if "variant" not in cfg or "constructor_kwargs" not in cfg:
        raise SystemExit(f"{path}: needs 'variant' and 'constructor_kwargs' (golden-case JSON format)")
    return cfg


def cache_names(variant):
    v = variant.upper()
    if v in ("MHA", "GQA", "MQA"):
        return ["prev_key", "prev_value"]
    if v == "MLA":
        return ["prev_kv", "prev_k_pe"]
    return ["prev_kv_t", "prev_k_pe", "infer_steps"]


def run_case(variant, kwargs, state, x, position, P):
    """The golden procedure (shared/reference/README.md section 2).  Returns name -> float32 tensor."""
    out = {}
    mod = refattn.build(variant, kwargs)
    mod.load_state_dict(state, strict=True)
    B, T, _ = x.shape
    names = cache_names(variant)
    with torch.no_grad():
        mask = torch.triu(torch.full((T, T), float("-inf")), 1)
        out["y_full"] = refattn.call(mod, query=x, key=x, value=x, self_attn_mask=mask, position=position)
        inc, ys = {}, []
        for t in range(T):
            ys.append(refattn.call(mod, query=x[:, t:t + 1], key=x[:, t:t + 1], value=x[:, t:t + 1],
                                   position=position[:, t:t + 1], incremental_state=inc))
        out["y_incremental"] = torch.cat(ys, 1)
        buf = refattn.cache_tensors(mod, inc)  # cache_final = after the last token of the token-by-token run
        for n in names:
            out[f"cache_final.{n}"] = buf[n].clone()
        if P is not None and 1 <= P <= T:
            inc, ys = {}, []
            ys.append(refattn.call(mod, query=x[:, P - 1:P], key=x[:, :P], value=x[:, :P],
                                   position=position[:, :P], incremental_state=inc))
            buf = refattn.cache_tensors(mod, inc)
            for n in names:
                out[f"cache_prompt.{n}"] = buf[n].clone()
            for t in range(P, T):
                ys.append(refattn.call(mod, query=x[:, t:t + 1], key=x[:, t:t + 1], value=x[:, t:t + 1],
                                       position=position[:, t:t + 1], incremental_state=inc))
            out["y_prefill"] = torch.cat(ys, 1)
            if variant.upper() == "MTLA":
                kw = dict(kwargs, recompute_prompt_attn=True)
                mod2 = refattn.build("MTLA", kw)
                mod2.load_state_dict(state, strict=True)
                inc, ys = {}, []
                ys.append(mod2(query=x[:, :P], key=x[:, :P], value=x[:, :P], position=position[:, :P],
                               incremental_state=inc))
                buf = refattn.cache_tensors(mod2, inc)
                for n in names:
                    out[f"cache_prompt_recompute.{n}"] = buf[n].clone()
                for t in range(P, T):
                    ys.append(mod2(query=x[:, t:t + 1], key=x[:, t:t + 1], value=x[:, t:t + 1],
                                   position=position[:, t:t + 1], incremental_state=inc))
                out["y_prefill_recompute"] = torch.cat(ys, 1)
    return {k: v.detach().float().contiguous() for k, v in out.items()}


def compare(got, exp, tol):
    rows, ok = [], True
    for k in sorted(exp):
        if k not in got:
            continue
        a, b = got[k], exp[k].float()
        if tuple(a.shape) != tuple(b.shape):
            rows.append(dict(name=k, ok=False, error=f"shape {tuple(a.shape)} vs {tuple(b.shape)}"))
            ok = False
            continue
        d = (a - b).abs()
        lim = tol * torch.clamp(b.abs(), min=1.0)
        good = bool((d <= lim).all())
        rows.append(dict(name=k, ok=good, max_abs=float(d.max()) if d.numel() else 0.0, shape=list(a.shape)))
        ok &= good
    return ok and bool(rows), rows


def cmd_check(a):
    cfg = load_config(a.config)
    raw = load_file(a.weights)
    pre = a.prefix or ""
    state = {k[len(pre):]: v for k, v in raw.items() if k.startswith(pre) and is_weight(k[len(pre):])}
    src = load_file(a.inputs) if a.inputs else (load_file(a.expect) if a.expect else raw)
    exp = load_file(a.expect) if a.expect else raw
    x, position = src["x"].float().clone(), src["position"].float().clone()  # aligned copies (mmap offsets can change SIMD paths by 1 ulp)
    try:
        got = run_case(cfg["variant"], cfg["constructor_kwargs"], state, x, position, cfg.get("prompt_length"))
    except RuntimeError as e:  # strict load_state_dict: missing / unexpected / mis-shaped
        print(f"FAIL loading {a.weights} into the reference {cfg['variant']} module:\n{e}")
        return 1
    ok, rows = compare(got, exp, a.tol)
    print(f"{cfg['variant']} {json.dumps(cfg['constructor_kwargs'])}: {len(state)} weights loaded (strict), "
          f"{len(rows)} tensors compared, tol {a.tol}")
    for r in rows:
        print(f"  {'ok  ' if r['ok'] else 'FAIL'} {r['name']:38s} " +
              (f"max abs {r['max_abs']:.3g}" if "max_abs" in r else r["error"]))
    if a.report:
        json.dump(dict(ok=ok, variant=cfg["variant"], weights=a.weights, compared=rows), open(a.report, "w"), indent=1)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def golden_init(mod, variant, seed):
    """The README's weight recipe (default init under manual_seed(seed), then generator seed+1 rescaling)."""
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for name, m in mod.named_modules():
            if isinstance(m, torch.nn.LayerNorm):
                m.weight.copy_(1 + 0.2 * torch.randn(m.weight.shape, generator=g))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=g))
        for n in ("q_proj", "k_proj", "wq", "wq_b", "wkv_a", "wkv_b"):
            if hasattr(mod, n):
                getattr(mod, n).weight.mul_(2)
        if hasattr(mod, "hypernet_down"):
            for fc in (mod.hypernet_down.fc_c, mod.hypernet_down.fc_p):
                fc.weight.mul_(1.6)
                fc.bias.copy_(0.3 * torch.randn(fc.bias.shape, generator=g))
    return g


def cmd_dump(a):
    cfg = load_config(a.config)
    variant, kw = cfg["variant"], dict(cfg["constructor_kwargs"])
    torch.manual_seed(a.seed)
    mod = refattn.build(variant, kw)
    g = golden_init(mod, variant, a.seed) if a.init == "golden" else torch.Generator().manual_seed(a.seed + 1)
    B, T, d = a.batch, a.length, kw["embed_dim"]
    x = torch.randn(B, T, d, generator=g)
    position = (torch.arange(T, dtype=torch.float32)[None] + 3.0 * torch.arange(B, dtype=torch.float32)[:, None])
    P = a.prompt_length if a.prompt_length is not None else cfg.get("prompt_length", min(5, T))
    state = {k: v.detach().float().contiguous() for k, v in mod.state_dict().items()}
    outs = run_case(variant, kw, state, x, position, P)
    tensors = dict(state, x=x.contiguous(), position=position.contiguous(), **outs)
    meta_cfg = dict(variant=variant, constructor_kwargs=kw, prompt_length=P, batch=B, length=T, seed=a.seed,
                    init=a.init, positions=f"row b = arange({T}) + 3*b",
                    reference="RotaryMultiheadAttention / GQARotaryMultiheadAttention / MultiheadLatentAttention "
                              "(fairseq copy in the mtla 0.3.2 wheel), mtla.MultiheadTemporalLatentAttention",
                    weight_names=list(state), tensors={k: list(v.shape) for k, v in tensors.items()},
                    versions=dict(torch=torch.__version__, mtla="0.3.2"))
    save_file(tensors, a.out, metadata={"config": json.dumps(kw)})
    jpath = os.path.splitext(a.out)[0] + ".json"
    json.dump(meta_cfg, open(jpath, "w"), indent=1)
    print(f"wrote {a.out} ({len(state)} weights, {len(outs)} outputs/caches) and {jpath}")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("weights")
    c.add_argument("--config", required=True)
    c.add_argument("--expect")
    c.add_argument("--inputs")
    c.add_argument("--prefix")
    c.add_argument("--tol", type=float, default=1e-5)
    c.add_argument("--report")
    d = sub.add_parser("dump")
    d.add_argument("--config", required=True)
    d.add_argument("--out", required=True)
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--batch", type=int, default=2)
    d.add_argument("--length", type=int, default=13)
    d.add_argument("--prompt-length", type=int)
    d.add_argument("--init", choices=["golden", "default"], default="golden")
    a = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("THREADS", "1")))
    sys.exit(cmd_check(a) if a.cmd == "check" else cmd_dump(a))


if __name__ == "__main__":
    main()
