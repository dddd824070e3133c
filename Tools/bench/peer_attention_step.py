#!/usr/bin/env python3
"""PyTorch CPU peer of the attention decode-step benchmark (issue 5, "Benchmark"): one incremental decode step
of ONE reference attention layer, per variant / cache length / batch, with torch.set_num_threads(THREADS).

    peer_attention_step.py THREADS [--steps N] [--lengths 256,1024,4096] [--batches 1,40]
                           [--variants MHA,GQA,MQA,MLA,MTLA]

Prints one JSON object per line: first {"meta": {torch, cpu, nproc, loadavg, ...}}, then one row per case
  {variant, cache_len, batch, threads, ms, cache_bytes, ...extra fields}
and last {"meta_end": {loadavg}} (a busy machine shows in the load averages).

Modules (the reference itself, unmodified, see Tools/golden/refattn.py): MHA = fairseq RotaryMultiheadAttention
(bias), GQA / MQA = GQARotaryMultiheadAttention(num_kv_heads=2 / 1) (bias), MLA = MultiheadLatentAttention,
MTLA = mtla.MultiheadTemporalLatentAttention(down_rate=2) (stand-alone package, CPU path
use_flashattn_infer=False: the FlashAttention path needs the authors' CUDA flash_attn fork).  Default sizes of
spec 1.7: d 512, 8 heads (d_h 64); r 256, d_R 32, d_n 64, d_v 64, q_lora_rank 0.  PyTorch default init
(seed 0), eval(), float32, under torch.no_grad() (as fairseq generation).

Filling the cache (no hand-built state): the reference's own prompt call, exactly what fairseq generation does
at step 0: forward(query=x[:, L-1:L], key=value=x[:, :L], position=arange(L), incremental_state=inc) with
x ~ N(0,1), which leaves L key tokens in the cache (MTLA: ceil(L/2) merged slots, infer_steps = L).  Batch 1:
one row.  Batch 40 = 8 sentences x beam 5: the prompt call on 8 rows, then the module's own
reorder_incremental_state(inc, arange(8).repeat_interleave(5)) -- fairseq's beam expansion.

Timed step: forward(query=key=value=x_new (B,1,d), position=[[L]]*B, incremental_state=inc), i.e. the token
at absolute position L (1-based key index L+1).  Before every timed step the cache is reset to the state after
the fill (shallow reset; MTLA's tensors are cloned outside the timer because its step updates the last slot in
place), so all N steps see exactly L cached tokens.  MTLA alternates two kinds of steps (s = 2): with L even,
the step opens a new chunk (torch.cat of a new slot: "append"); with L+1 tokens cached it adds into the last slot
in place ("update").  Both are timed (N each) and `ms` for MTLA is the mean of the two medians (the per-token
cost of steady decoding); the phase medians are in `ms_append` / `ms_update`.  Other variants: `ms` = median.
Warm-up: 2 steps per phase.

cache_bytes = sum of numel * element_size over the tensors in the module's cache dict at L tokens (MHA/GQA/MQA:
prev_key + prev_value; MLA: prev_kv + prev_k_pe; MTLA: prev_kv_t + prev_k_pe + infer_steps (B floats)).
`analytic_bytes` = batch * floats/token/layer (spec 1.6) * tokens * 4 for comparison.
"""
import argparse, json, os, statistics, sys, time

import torch

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden"))
import refattn  # noqa: E402

D, H = 512, 8
KW = {
    "MHA": dict(embed_dim=D, num_heads=H, dropout=0.0, bias=True),
    "GQA": dict(embed_dim=D, num_heads=H, dropout=0.0, bias=True, num_kv_heads=2),
    "MQA": dict(embed_dim=D, num_heads=H, dropout=0.0, bias=True, num_kv_heads=1),
    "MLA": dict(embed_dim=D, num_heads=H, dropout=0.0, bias=False, q_lora_rank=0, kv_lora_rank=256,
                qk_nope_head_dim=64, qk_rope_head_dim=32, v_head_dim=64),
    "MTLA": dict(embed_dim=D, num_heads=H, dropout=0.0, bias=False, q_lora_rank=0, kv_lora_rank=256,
                 qk_nope_head_dim=64, qk_rope_head_dim=32, v_head_dim=64, down_rate=2,
                 recompute_prompt_attn=False),
}
FLOATS_PER_TOKEN = {"MHA": 1024, "GQA": 256, "MQA": 128, "MLA": 288, "MTLA": 144}
LABEL = {"MHA": "MHA", "GQA": "GQA g=2", "MQA": "MQA", "MLA": "MLA", "MTLA": "MTLA s=2"}


def cache_bytes(buf):
    return sum(t.numel() * t.element_size() for t in buf.values() if torch.is_tensor(t))


def fill(mod, L, batch, gen):
    rows = 1 if batch == 1 else batch // 5
    x = torch.randn(rows, L, D, generator=gen)
    pos = torch.arange(L, dtype=torch.float32).expand(rows, L).contiguous()
    inc = {}
    refattn.call(mod, query=x[:, L - 1:L], key=x, value=x, position=pos, incremental_state=inc)
    if batch != rows:
        assert batch == rows * 5
        mod.reorder_incremental_state(inc, torch.arange(rows).repeat_interleave(5))
    return inc


def bench_one(variant, L, batch, threads, steps, gen):
    mod = refattn.build(variant, KW[variant])
    with torch.no_grad():
        inc = fill(mod, L, batch, gen)
        buf = refattn.cache_tensors(mod, inc)
        snap = dict(buf)
        nbytes = cache_bytes(buf)
        shapes = {k: list(v.shape) for k, v in buf.items()}
        mtla = variant == "MTLA"
        x_new = torch.randn(batch, 1, D, generator=gen)

        def reset(state):
            b = refattn.cache_tensors(mod, inc)
            b.clear()
            b.update({k: (v.clone() if mtla else v) for k, v in state.items()})

        def step(p):
            return refattn.call(mod, query=x_new, key=x_new, value=x_new,
                                position=torch.full((batch, 1), float(p)), incremental_state=inc)

        def timed_phase(state, p):
            ts = []
            for i in range(steps + 2):
                reset(state)
                t0 = time.perf_counter()
                step(p)
                dt = time.perf_counter() - t0
                if i >= 2:
                    ts.append(dt * 1e3)
            return ts

        row = dict(variant=LABEL[variant], cache_len=L, batch=batch, threads=threads)
        t_app = timed_phase(snap, L)
        if mtla:
            reset(snap)
            step(L)  # now L+1 tokens cached, next step updates the last slot in place
            snap2 = {k: v.clone() for k, v in refattn.cache_tensors(mod, inc).items()}
            t_upd = timed_phase(snap2, L + 1)
            m_app, m_upd = statistics.median(t_app), statistics.median(t_upd)
            row.update(ms=round((m_app + m_upd) / 2, 4), ms_append=round(m_app, 4), ms_update=round(m_upd, 4))
        else:
            row.update(ms=round(statistics.median(t_app), 4))
        row.update(cache_bytes=nbytes, analytic_bytes=batch * FLOATS_PER_TOKEN[variant] * L * 4,
                   cache_shapes=shapes, steps=steps,
                   ms_min=round(min(t_app), 4), ms_max=round(max(t_app), 4))
    return row


def machine_state(threads):
    cpu = "?"
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except Exception:
        pass
    return dict(torch=torch.__version__, mtla="0.3.2", threads=threads, nproc=os.cpu_count(), cpu=cpu,
                loadavg=os.getloadavg(), mkldnn=torch.backends.mkldnn.is_available(),
                time=time.strftime("%Y-%m-%dT%H:%M:%S%z"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("threads", type=int)
    ap.add_argument("--steps", type=int, default=11)
    ap.add_argument("--lengths", default="256,1024,4096")
    ap.add_argument("--batches", default="1,40")
    ap.add_argument("--variants", default="MHA,GQA,MQA,MLA,MTLA")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    gen = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    print(json.dumps({"meta": machine_state(a.threads)}), flush=True)
    for v in a.variants.split(","):
        for L in map(int, a.lengths.split(",")):
            for b in map(int, a.batches.split(",")):
                print(json.dumps(bench_one(v.upper(), L, b, a.threads, a.steps, gen)), flush=True)
    print(json.dumps({"meta_end": {"loadavg": os.getloadavg()}}), flush=True)


if __name__ == "__main__":
    main()
