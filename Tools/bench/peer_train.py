#!/usr/bin/env python3
"""PyTorch CPU eager peer of `mtla-bench train` (issue 6): training updates of the SAME model, built by the
reference code (Tools/golden/refmodel.py: fairseq S2TTransformerEncoder + MTLADecoderOnly / RotaryDecoderOnly
from the PyPI `mtla` 0.3.2 wheel's fairseq copy), on the same synthetic batch budget.

    peer_train.py --threads T [--updates N] [--warmup W] [--kind MTLA|MHA] [--flops] [--update-freq F] [--ranks R]

--update-freq F: F batches per update (gradients accumulated). --ranks R: R processes (torch.multiprocessing,
gloo on loopback) with the model in DistributedDataParallel, F batches each per update (issue 9's peer of
`mpirun -np R mtla-bench train`); rank 0 prints the line, with "ranks" and "update_freq".

One update = forward (model.train(), dropout on) + fairseq's label_smoothed_cross_entropy (eps 0.1, sum,
ignore pad; the reference criterion's own compute_loss) + backward + grads / ntokens (fairseq's
multiply_grads(1/sample_size)) + clip_grad_norm_(10) + Adam(lr 1e-3, betas 0.9/0.98) step + zero_grad.
Timed per update with perf_counter; prints one JSON line (median ms of N after W warm-up updates).
--flops: additionally counts the FLOPs of one update with torch.utils.flop_counter (matmul/conv/attention
forward + backward) and reports them ("flops"), so both sides can quote FLOP/s with one count."""
import argparse, json, os, resource, sys, time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden"))
import refmodel  # noqa: E402
import fairseq_stubs  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--updates", type=int, default=10)
ap.add_argument("--warmup", type=int, default=3)
ap.add_argument("--batches", type=int, default=4)
ap.add_argument("--kind", default="MTLA")
ap.add_argument("--layers", type=int, default=6)
ap.add_argument("--dim", type=int, default=256)
ap.add_argument("--heads", type=int, default=4)
ap.add_argument("--ffn", type=int, default=1024)
ap.add_argument("--vocab", type=int, default=1000)
ap.add_argument("--conv-channels", type=int, default=512)
ap.add_argument("--kv-lora", type=int, default=128)
ap.add_argument("--batch", type=int, default=8)
ap.add_argument("--frames", type=int, default=400)
ap.add_argument("--tokens", type=int, default=40)
ap.add_argument("--dropout", type=float, default=0.1)
ap.add_argument("--flops", action="store_true")
ap.add_argument("--update-freq", type=int, default=1)
ap.add_argument("--ranks", type=int, default=1)
a = ap.parse_args()


def run(rank):
    torch.set_num_threads(a.threads)

    cfg = {
        "input_mode": "speech", "input_feat_per_channel": 80, "input_channels": 1, "conv_kernel_sizes": "5,5",
        "conv_channels": a.conv_channels, "encoder_type": "transformer", "encoder_layers": a.layers,
        "encoder_embed_dim": a.dim, "encoder_ffn_embed_dim": a.ffn, "encoder_attention_heads": a.heads,
        "encoder_normalize_before": True, "depthwise_conv_kernel_size": 31, "max_source_positions": 6000,
        "no_scale_embedding": False, "decoder_layers": a.layers, "decoder_embed_dim": a.dim,
        "decoder_ffn_embed_dim": a.ffn, "decoder_attention_heads": a.heads, "decoder_att_type": a.kind.upper(),
        "decoder_num_kv_heads": None, "decoder_q_lora_rank": 0, "decoder_kv_lora_rank": a.kv_lora,
        "decoder_qk_nope_head_dim": 32, "decoder_qk_rope_head_dim": 16, "decoder_v_head_dim": 32, "decoder_down_rate": 2,
        "decoder_normalize_before": True, "share_decoder_input_output_embed": False, "encoder_projector_ds_rate": 1,
        "ctc_weight": 0.0, "dropout": a.dropout, "attention_dropout": a.dropout, "activation_dropout": a.dropout,
        "vocab_size": a.vocab, "source_vocab_size": None, "padding_idx": 1, "bos": 0, "eos": 2, "unk": 3,
    }
    model, _ = refmodel.build_model(cfg, seed=1)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    net = model
    if a.ranks > 1:
        torch.distributed.init_process_group("gloo", init_method="tcp://127.0.0.1:29513", rank=rank, world_size=a.ranks)
        net = torch.nn.parallel.DistributedDataParallel(model)
    n_params = sum(p.numel() for p in params)
    opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.98), eps=1e-8)
    M = fairseq_stubs.load()
    tgt_dict = refmodel.Dictionary(cfg["vocab_size"], cfg["bos"], cfg["padding_idx"], cfg["eos"], cfg["unk"])
    crit = M["label_smoothed_cross_entropy_with_ctc"].LabelSmoothedCrossEntropyWithCtcCriterion(
        refmodel.Task(None, tgt_dict), sentence_avg=False, label_smoothing=0.1, ignore_prefix_size=0,
        report_accuracy=False, ctc_weight=0.0)


    def make_batch(seed):
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(a.batch, a.frames, 80, generator=g)
        t = torch.randint(4, a.vocab, (a.batch, a.tokens), generator=g)
        eos = torch.full((a.batch, 1), cfg["eos"], dtype=torch.long)
        net_input = {"src_tokens": x, "src_lengths": torch.full((a.batch,), a.frames, dtype=torch.long),
                     "prev_output_tokens": torch.cat([eos, t], 1)}
        target = torch.cat([t, eos], 1)
        return {"net_input": net_input, "target": target, "target_lengths": target.ne(1).sum(1),
                "ntokens": int(target.ne(1).sum()), "id": torch.arange(a.batch)}


    batches = [make_batch(100 + i) for i in range(max(1, a.batches, a.ranks * a.update_freq))]


    def update(samples):
        ntokens = 0
        for j, sample in enumerate(samples):
            # DDP all-reduces (averages) gradients on the last batch's backward only, as fairseq with update_freq.
            sync = j == len(samples) - 1 or a.ranks == 1
            ctx = net.no_sync() if not sync else torch.enable_grad()
            with ctx:
                net_output = net(**sample["net_input"])
                loss, nll = crit.compute_loss(model, net_output, sample, reduce=True)
                loss.backward()
            ntokens += sample["ntokens"]
        scale = 1.0 / ntokens
        for p in params:
            if p.grad is not None:
                p.grad.mul_(scale)
        torch.nn.utils.clip_grad_norm_(params, 10.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss.item() / samples[-1]["ntokens"] / 0.6931471805599453


    flops = None
    if a.flops:
        from torch.utils.flop_counter import FlopCounterMode
        fc = FlopCounterMode(display=False)
        with fc:
            update(batches[:1])
        flops = fc.get_total_flops()

    times, cpu, last = [], [], 0.0
    for i in range(a.warmup + a.updates):
        t0, c0 = time.perf_counter(), time.process_time()
        first = i * a.ranks * a.update_freq + rank * a.update_freq
        last = update([batches[(first + j) % len(batches)] for j in range(a.update_freq)])
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        if i >= a.warmup:
            times.append(dt)
            cpu.append(dc)
    ms = sorted(times)[len(times) // 2] * 1000 if len(times) % 2 else \
        (sorted(times)[len(times) // 2 - 1] + sorted(times)[len(times) // 2]) / 2 * 1000
    # the sgemm rate in this process on the model's FFN shape (B·T_dec, d)·(d, F), as mtla-bench measures it
    rows = a.batch * (a.frames // 4 + a.tokens + 1)
    ga, gb = torch.randn(rows, a.dim), torch.randn(a.ffn, a.dim)
    torch.nn.functional.linear(ga, gb)
    gt = []
    for _ in range(9):
        t0 = time.perf_counter(); torch.nn.functional.linear(ga, gb); gt.append(time.perf_counter() - t0)
    sgemm = 2 * rows * a.dim * a.ffn / sorted(gt)[4] / 1e9
    frames, tokens = a.batch * a.frames, batches[0]["ntokens"]
    if rank != 0:
        return
    print(json.dumps({
        "ranks": a.ranks, "update_freq": a.update_freq,
        "side": "pytorch", "kind": a.kind.upper(), "threads": a.threads, "updates": a.updates, "warmup": a.warmup,
        "batch": a.batch, "frames": a.frames, "tokens": a.tokens, "parameters": n_params, "ms": ms,
        "cpu_ms": sorted(cpu)[len(cpu) // 2] * 1000 if len(cpu) % 2 else (sorted(cpu)[len(cpu) // 2 - 1] + sorted(cpu)[len(cpu) // 2]) / 2 * 1000,
        "ms_min": min(times) * 1000, "ms_max": max(times) * 1000, "frames_per_s": frames / (ms / 1000),
        "tokens_per_s": tokens / (ms / 1000), "loss": last, "flops": flops, "sgemm_gflops": sgemm,
        "hwm_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "torch": torch.__version__,
        "times_ms": [round(t * 1000, 1) for t in times]}))


if __name__ == "__main__":
    if a.ranks > 1:
        import torch.multiprocessing as mp
        mp.spawn(run, nprocs=a.ranks)
    else:
        run(0)
