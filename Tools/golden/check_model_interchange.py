"""Checkpoint interchange for the full model: load a fairseq-named safetensors checkpoint strictly into the
reference PyTorch model (refmodel.py: the `mtla` 0.3.2 wheel's fairseq classes), run the golden procedure on the
inputs and compare with an expectation file.

    /work/peers-venv/bin/python Tools/golden/check_model_interchange.py CKPT.safetensors --config CFG.json \\
        [--inputs IN.safetensors] [--expect EXP.safetensors] [--tol 1e-5] [--report report.json]

* CKPT: every tensor of the model's fairseq state_dict() under its fairseq name (entries named input*, output*,
  debug* are ignored, so a golden file can be passed as CKPT).  Loaded with load_state_dict(strict=True):
  a missing, unexpected or mis-shaped tensor fails (exit 1).
* Inputs: `input.*` (batched set) and/or `input1.*` (batch-1 set) from --inputs (default: the CKPT file).
* Expectations: every `output*` tensor of --expect (default: the --inputs file) is recomputed and compared:
  |ours - expected| <= tol * max(1, |expected|) elementwise (absolute, relative above 1).
  An expected tensor the procedure does not produce is a failure.
* Exit 0 = PASS (all compared within tol), 1 = FAIL.
"""
import argparse, json, os, sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refmodel as R  # noqa: E402


def _read(path):
    from safetensors.torch import load_file
    return {k: v.clone() for k, v in load_file(path).items()}  # copy out of the mmapped file


def compare(ours, expected, tol):
    rows, ok = [], True
    for name in sorted(k for k in expected if k.startswith("output")):
        e = expected[name]
        if name not in ours:
            rows.append((name, tuple(e.shape), None, None, "NOT PRODUCED"))
            ok = False
            continue
        o = ours[name]
        if tuple(o.shape) != tuple(e.shape):
            rows.append((name, tuple(e.shape), None, None, f"SHAPE {tuple(o.shape)}"))
            ok = False
            continue
        o64, e64 = o.double(), e.double()
        diff = (o64 - e64).abs()
        bound = tol * torch.clamp(e64.abs(), min=1.0)
        good = bool((diff <= bound).all()) and bool(torch.isfinite(o64).all())
        ok &= good
        rows.append((name, tuple(e.shape), diff.max().item(), (diff / torch.clamp(e64.abs(), min=1.0)).max().item(),
                     "ok" if good else "FAIL"))
    return ok, rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ckpt")
    ap.add_argument("--config", required=True)
    ap.add_argument("--inputs")
    ap.add_argument("--expect")
    ap.add_argument("--tol", type=float, default=1e-5)
    ap.add_argument("--report")
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    cfg = R.load_config(a.config)
    model, _ = R.build_model(cfg)
    ckpt = _read(a.ckpt)
    try:
        R.load_checkpoint(model, ckpt)
    except RuntimeError as e:
        print(f"FAIL: checkpoint does not load strictly into the reference model:\n{e}")
        return 1
    n_w = len([k for k in ckpt if not k.split(".")[0].startswith(("input", "output", "debug"))])
    inputs = _read(a.inputs) if a.inputs else ckpt
    exp_path = a.expect or a.inputs or a.ckpt
    expected = _read(exp_path) if exp_path != a.ckpt else ckpt
    inputs = {k: v for k, v in inputs.items() if k.startswith(("input.", "input1."))}
    if not inputs:
        print("FAIL: no input.* / input1.* tensors found")
        return 1
    ours = R.run_procedure(model, cfg, inputs)
    if "output1.step_logits" in ours:  # the reference's own consistency (incremental vs training path)
        d = (ours["output1.step_logits"] - ours["output1.logits"][0]).abs().max().item()
        print(f"reference incremental vs full-sequence logits (batch 1): max abs {d:.3e}")
    ok, rows = compare(ours, expected, a.tol)
    if not rows:
        print(f"FAIL: no output* tensors in {exp_path}")
        ok = False
    print(f"checkpoint {a.ckpt}: {n_w} tensors loaded strictly; config {a.config}; expectations {exp_path}")
    print(f"{'tensor':28s} {'shape':16s} {'max abs':>10s} {'max rel':>10s}  status   (tol {a.tol:g})")
    for name, shape, mabs, mrel, st in rows:
        ms = "-" if mabs is None else f"{mabs:.3e}"
        mr = "-" if mrel is None else f"{mrel:.3e}"
        print(f"{name:28s} {str(shape):16s} {ms:>10s} {mr:>10s}  {st}")
    print("PASS" if ok else "FAIL")
    if a.report:
        with open(a.report, "w") as f:
            json.dump({"pass": ok, "tol": a.tol, "rows": [dict(name=r[0], shape=list(r[1]), max_abs=r[2],
                                                              max_rel=r[3], status=r[4]) for r in rows]}, f,
                      indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
