#!/usr/bin/env python3
"""Writes the NN / Optim golden cases to Data/golden/nn/ (run with /work/peers-venv/bin/python).

The `safetensors` package is not installed in the venv, so the files are written by
`write_safetensors` below: 8-byte little-endian header length, JSON header
{name: {dtype, shape, data_offsets}}, then the raw little-endian data, as the format specifies.
Every case is deterministic (torch.manual_seed) and small (the whole folder is a few tens of KB).
"""
import json, struct, sys
from pathlib import Path
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = Path(__file__).resolve().parents[2] / "Data" / "golden" / "nn"


def write_safetensors(path, tensors):
    """tensors: name -> torch tensor (float32, float16 or bfloat16). Names sorted, data packed in order."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        dtype = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}[t.dtype]
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"generator": "Tools/golden/make_nn_goldens.py", "torch": torch.__version__}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)  # pad with spaces to 8 bytes, as the safetensors package does
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def block_case():
    """Linear(8→6) → LayerNorm(6) → exact GELU on x (2, 3, 8); backward of a fixed upstream gradient."""
    torch.manual_seed(1)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(8, 6)
            self.norm = nn.LayerNorm(6)
            with torch.no_grad():  # non-trivial affine parameters
                self.norm.weight.uniform_(0.5, 1.5)
                self.norm.bias.uniform_(-0.5, 0.5)

        def forward(self, x):
            return F.gelu(self.norm(self.linear(x)))

    m = Block()
    x = torch.randn(2, 3, 8, requires_grad=True)
    y = m(x)
    g = torch.randn_like(y)
    y.backward(g)
    out = {k: v for k, v in m.state_dict().items()}
    out.update({"input": x, "upstream": g, "output": y, "grad.input": x.grad})
    for k, p in m.named_parameters():
        out["grad." + k] = p.grad
    write_safetensors(OUT / "block.safetensors", out)


def optim_case():
    """Adam, AdamW (lr 1e-2, betas (0.9, 0.999), eps 1e-8, weight decay 0.1) and SGD (lr 0.1,
    momentum 0.9, weight decay 0.01): parameters after each of 3 steps with given gradients."""
    torch.manual_seed(2)
    p0 = [torch.randn(3, 4), torch.randn(5)]
    grads = [[torch.randn_like(p) for p in p0] for _ in range(3)]
    out = {f"param.{i}": p for i, p in enumerate(p0)}
    for s in range(3):
        for i in range(2):
            out[f"grad.{s + 1}.{i}"] = grads[s][i]
    makers = {
        "adam": lambda ps: torch.optim.Adam(ps, lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1),
        "adamw": lambda ps: torch.optim.AdamW(ps, lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1),
        "sgd": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
    }
    for name, make in makers.items():
        ps = [nn.Parameter(p.clone()) for p in p0]
        opt = make(ps)
        for s in range(3):
            for p, g in zip(ps, grads[s]):
                p.grad = g.clone()
            opt.step()
            for i, p in enumerate(ps):
                out[f"{name}.{s + 1}.{i}"] = p.detach().clone()
    write_safetensors(OUT / "optim.safetensors", out)


class Conv1dSubsampler(nn.Module):
    """fairseq/models/speech_to_text/modules/convolution.py (copied: fairseq is not installed)."""

    def __init__(self, in_channels, mid_channels, out_channels, kernel_sizes=(3, 3)):
        super().__init__()
        self.n_layers = len(kernel_sizes)
        self.conv_layers = nn.ModuleList(
            nn.Conv1d(in_channels if i == 0 else mid_channels // 2,
                      mid_channels if i < self.n_layers - 1 else out_channels * 2,
                      k, stride=2, padding=k // 2)
            for i, k in enumerate(kernel_sizes))

    def get_out_seq_lens_tensor(self, in_seq_lens_tensor):
        out = in_seq_lens_tensor.clone()
        for _ in range(self.n_layers):
            out = ((out.float() - 1) / 2 + 1).floor().long()
        return out

    def forward(self, src_tokens, src_lengths):
        x = src_tokens.transpose(1, 2).contiguous()  # B x T x C -> B x C x T
        for conv in self.conv_layers:
            x = conv(x)
            x = nn.functional.glu(x, dim=1)
        x = x.transpose(1, 2).transpose(0, 1).contiguous()  # -> T x B x C
        return x, self.get_out_seq_lens_tensor(src_lengths)


def subsampler_case():
    """Conv1dSubsampler(in 6, mid 8, out 4, kernels (5, 5)) on x (B 2, T 11, 6), lengths (11, 8)."""
    torch.manual_seed(3)
    m = Conv1dSubsampler(6, 8, 4, (5, 5))
    x = torch.randn(2, 11, 6, requires_grad=True)
    lengths = torch.tensor([11, 8])
    y, out_lengths = m(x, lengths)
    g = torch.randn_like(y)
    y.backward(g)
    out = dict(m.state_dict())
    out.update({"input": x, "upstream": g, "output": y, "grad.input": x.grad,
                "input_lengths": lengths.float(), "output_lengths": out_lengths.float()})
    for k, p in m.named_parameters():
        out["grad." + k] = p.grad
    write_safetensors(OUT / "subsampler.safetensors", out)


def clip_case():
    """torch.nn.utils.clip_grad_norm_ (L2, max_norm 1.0 and 100.0) on two gradients."""
    torch.manual_seed(4)
    out = {}
    for tag, max_norm in (("small", 1.0), ("large", 100.0)):
        ps = [nn.Parameter(torch.zeros(4, 3)), nn.Parameter(torch.zeros(7))]
        for i, p in enumerate(ps):
            p.grad = torch.randn_like(p) * 2
            out[f"{tag}.grad.{i}"] = p.grad.clone()
        norm = torch.nn.utils.clip_grad_norm_(ps, max_norm)
        out[f"{tag}.norm"] = norm.reshape(1)
        out[f"{tag}.max_norm"] = torch.tensor([max_norm])
        for i, p in enumerate(ps):
            out[f"{tag}.clipped.{i}"] = p.grad.clone()
    write_safetensors(OUT / "clip.safetensors", out)


def dtype_case():
    """One tensor per dtype (F32, F16, BF16), with the exact Float32 values each decodes to."""
    vals = torch.tensor([[0.0, 1.0, -2.5], [3.140625, 65504.0, 1e-3]])
    out = {"f32": vals, "f16": vals.half(), "bf16": vals[:, :2].bfloat16(),
           "f16.as_f32": vals.half().float(), "bf16.as_f32": vals[:, :2].bfloat16().float()}
    write_safetensors(OUT / "dtypes.safetensors", out)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    block_case(); optim_case(); subsampler_case(); clip_case(); dtype_case()
    print("torch", torch.__version__, "numpy", np.__version__, "python", sys.version.split()[0])
