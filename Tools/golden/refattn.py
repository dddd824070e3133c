"""Load the reference attention modules of the `mtla` 0.3.2 wheel on CPU, the way the goldens in
shared/reference/attention were produced (shared/reference/README.md section 2):

* MTLA: `mtla.MultiheadTemporalLatentAttention` (stand-alone `mtla/MTLA.py`).
* MHA / GQA / MQA / MLA: `RotaryMultiheadAttention`, `GQARotaryMultiheadAttention`, `MultiheadLatentAttention`
  from the fairseq copy the wheel installs as `experiments/tools/fairseq/fairseq`.  That copy cannot be imported
  as a package (missing version.txt, hydra/omegaconf on Python 3.11), so the unmodified files
  utils.py, incremental_decoding_utils.py, models/fairseq_decoder.py, models/fairseq_incremental_decoder.py,
  modules/fairseq_dropout.py, modules/quant_noise.py, modules/multihead_attention.py are imported under stub
  packages (their __init__ skipped), and the attention class definitions are executed verbatim from
  models/transformer/transformer_decoder.py with fairseq's real MultiheadAttention as base.  No source line changed.

    from refattn import build, state_layout
    mod = build("MTLA", dict(embed_dim=512, num_heads=8, down_rate=2))
"""
import ast, contextlib, importlib.util, io, math, os, sys, types
from typing import Dict, List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

_CACHE = {}


def _site():
    import experiments  # the top-level package the mtla wheel installs
    for base in list(experiments.__path__):  # namespace package (no __init__.py in the wheel)
        root = os.path.join(base, "tools", "fairseq", "fairseq")
        if os.path.isdir(root):
            return root
    raise RuntimeError("fairseq copy of the mtla wheel not found")


def _load_file(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def fairseq_classes():
    """Dict class-name -> class for the four fairseq variants plus the vendored fairseq MTLA."""
    if "fd" in _CACHE:
        return _CACHE["fd"]
    root = _site()
    if "fairseq" in sys.modules and not getattr(sys.modules["fairseq"], "_refattn_stub", False):
        raise RuntimeError("a real fairseq package is already imported")
    for pkg, sub in (("fairseq", ""), ("fairseq.models", "models"), ("fairseq.modules", "modules")):
        m = types.ModuleType(pkg)
        m.__path__ = [os.path.join(root, sub)] if sub else [root]
        m._refattn_stub = True
        sys.modules[pkg] = m
    fs = sys.modules["fairseq"]
    fs.utils = _load_file("fairseq.utils", os.path.join(root, "utils.py"))
    fs.incremental_decoding_utils = _load_file("fairseq.incremental_decoding_utils",
                                               os.path.join(root, "incremental_decoding_utils.py"))
    fm = sys.modules["fairseq.models"]
    fm.FairseqDecoder = _load_file("fairseq.models.fairseq_decoder",
                                   os.path.join(root, "models", "fairseq_decoder.py")).FairseqDecoder
    fm.FairseqIncrementalDecoder = _load_file(
        "fairseq.models.fairseq_incremental_decoder",
        os.path.join(root, "models", "fairseq_incremental_decoder.py")).FairseqIncrementalDecoder
    _load_file("fairseq.modules.fairseq_dropout", os.path.join(root, "modules", "fairseq_dropout.py"))
    _load_file("fairseq.modules.quant_noise", os.path.join(root, "modules", "quant_noise.py"))
    mha = _load_file("fairseq.modules.multihead_attention", os.path.join(root, "modules", "multihead_attention.py"))
    src_path = os.path.join(root, "models", "transformer", "transformer_decoder.py")
    src = open(src_path).read()
    tree = ast.parse(src)
    want = ["RotaryMultiheadAttention", "GQARotaryMultiheadAttention", "MultiheadLatentAttention",
            "HyperNetwork", "MultiheadTemporalLatentAttention"]
    ns = dict(math=math, torch=torch, nn=nn, F=F, Tensor=Tensor, Optional=Optional, Dict=Dict, List=List,
              MultiheadAttention=mha.MultiheadAttention, utils=fs.utils, __name__="fairseq_transformer_decoder")
    lines = src.splitlines(keepends=True)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name in want:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            code = "".join(lines[start - 1:node.end_lineno])
            exec(compile("\n" * (start - 1) + code, src_path, "exec"), ns)
    _CACHE["fd"] = {k: ns[k] for k in want}
    return _CACHE["fd"]


def sa_mtla_class():
    with contextlib.redirect_stdout(io.StringIO()):  # the wheel prints a flash_attn warning on import
        from mtla import MultiheadTemporalLatentAttention
    return MultiheadTemporalLatentAttention


def build(variant, kwargs):
    """variant: MHA, GQA, MQA, MLA, MTLA (case-insensitive); kwargs: the reference constructor kwargs
    (as in the golden JSONs' constructor_kwargs).  Returns the module in eval mode."""
    v = variant.upper()
    kw = dict(kwargs)
    if v == "MTLA":
        mod = sa_mtla_class()(**kw)
    else:
        fd = fairseq_classes()
        if v == "MHA":
            mod = fd["RotaryMultiheadAttention"](**kw)
        elif v in ("GQA", "MQA"):
            kw.setdefault("num_kv_heads", 2 if v == "GQA" else 1)
            mod = fd["GQARotaryMultiheadAttention"](**kw)
        elif v == "MLA":
            mod = fd["MultiheadLatentAttention"](**kw)
        else:
            raise ValueError(f"unknown variant {variant}")
    return mod.eval()


def call(mod, **kw):
    """Forward that returns only the output tensor (fairseq classes return (out, None))."""
    out = mod(**kw)
    return out[0] if isinstance(out, tuple) else out


def cache_tensors(mod, incremental_state):
    """The module's cache dict (reference names -> tensors) inside a fairseq-style incremental_state."""
    return mod._get_input_buffer(incremental_state)
