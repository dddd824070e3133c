#!/usr/bin/env python3
"""PyTorch CPU eager peer of mtla's LayerBench: forward+backward of the same pre-LN Transformer layer
(d 512, 8 heads, FFN 2048, ReLU, batch 8 x 512 positions, causal) with the same thread count.

    peer_layer.py THREADS [STEPS]

Prints one JSON line: median ms of STEPS (7) steps after 2 warm-up steps, GFLOP/s (same flop count as
mtla's: GEMMs only, attention on the causal half, backward = 2 x forward), the sgemm rate of the layer's
largest GEMM measured in this process, and peak RSS (ru_maxrss)."""
import json, resource, sys, time
import torch
import torch.nn.functional as F

threads = int(sys.argv[1])
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 7
torch.set_num_threads(threads)
torch.manual_seed(0)
B, T, D, H, FF = 8, 512, 512, 8, 2048


def median(xs):
    return sorted(xs)[len(xs) // 2]


def timed(fn):
    t0 = time.perf_counter(); fn(); return time.perf_counter() - t0


a = torch.randn(B * T, D); w = torch.randn(FF, D)
F.linear(a, w)
gemm = median([timed(lambda: F.linear(a, w)) for _ in range(7)])
sgemm = 2 * B * T * D * FF / gemm

p = lambda *s: (torch.randn(*s) * 0.02).requires_grad_()
ones = lambda *s: torch.ones(*s).requires_grad_()
zeros = lambda *s: torch.zeros(*s).requires_grad_()
ln1w, ln1b, ln2w, ln2b = ones(D), zeros(D), ones(D), zeros(D)
wqkv, bqkv, wo, bo = p(3 * D, D), zeros(3 * D), p(D, D), zeros(D)
w1, b1, w2, b2 = p(FF, D), zeros(FF), p(D, FF), zeros(D)
params = [ln1w, ln1b, ln2w, ln2b, wqkv, bqkv, wo, bo, w1, b1, w2, b2]
x = torch.randn(B, T, D, requires_grad=True)
seed = torch.ones(B, T, D)


def layer(x):
    h = F.layer_norm(x, (D,), ln1w, ln1b)
    q, k, v = F.linear(h, wqkv, bqkv).view(B, T, 3, H, D // H).permute(2, 0, 3, 1, 4)   # (B, H, T, Dh) each
    att = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, D)
    x1 = x + F.linear(att, wo, bo)
    return x1 + F.linear(F.relu(F.linear(F.layer_norm(x1, (D,), ln2w, ln2b), w1, b1)), w2, b2)


def step():
    y = layer(x)
    y.backward(seed)
    x.grad = None
    for q in params:
        q.grad = None


step(); step()
times = [timed(step) for _ in range(steps)]
t = median(times)
n = B * T
flops = 3 * (2 * n * (D * 3 * D + D * D + 2 * D * FF) + 2 * 2 * B * T * T * D / 2)
print(json.dumps({"threads": threads, "ms": t * 1e3, "gflops": flops / t / 1e9, "sgemm_gflops": sgemm / 1e9,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "times_ms": [round(s * 1e3, 1) for s in times], "torch": torch.__version__}))
