"""Write the full-model golden cases Data/golden/model/<case>.{safetensors,json} with the reference fairseq model
of the `mtla` 0.3.2 wheel (refmodel.py).  Deterministic: re-running rewrites identical files.

    /work/peers-venv/bin/python Tools/golden/make_model_goldens.py [--out Data/golden/model] [--only CASE ...]
"""
import argparse, json, os, sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refmodel as R  # noqa: E402

TINY = {
    "input_mode": "speech", "input_feat_per_channel": 20, "input_channels": 1, "conv_kernel_sizes": "5,5",
    "conv_channels": 64, "encoder_type": "transformer", "encoder_layers": 2, "encoder_embed_dim": 64,
    "encoder_ffn_embed_dim": 128, "encoder_attention_heads": 4, "encoder_normalize_before": True,
    "depthwise_conv_kernel_size": 7, "max_source_positions": 6000, "no_scale_embedding": False,
    "decoder_layers": 2, "decoder_embed_dim": 64, "decoder_ffn_embed_dim": 128, "decoder_attention_heads": 4,
    "decoder_att_type": "MTLA", "decoder_num_kv_heads": None, "decoder_q_lora_rank": 0,
    "decoder_kv_lora_rank": 32, "decoder_qk_nope_head_dim": 16, "decoder_qk_rope_head_dim": 8,
    "decoder_v_head_dim": 16, "decoder_down_rate": 2, "decoder_normalize_before": True,
    "share_decoder_input_output_embed": False, "encoder_projector_ds_rate": 1, "ctc_weight": 0.0,
    "dropout": 0.15, "attention_dropout": 0.15, "activation_dropout": 0.15, "vocab_size": 40,
    "source_vocab_size": None, "padding_idx": 1, "bos": 0, "eos": 2, "unk": 3,
}

# The first case uses the tiny sizes of the brief (d 64, ffn 128, conv 64); the others use d 32, ffn 64, conv 32
# (same attention geometry: 4 heads, kv_lora 32, nope 16, rope 8, v 16) so that all cases stay < 3 MB together
# and a second set of dimensions is exercised.
SMALL = dict(encoder_embed_dim=32, decoder_embed_dim=32, encoder_ffn_embed_dim=64, decoder_ffn_embed_dim=64,
             conv_channels=32)

# name -> (config overrides, seed, batched (T_in, S), single (T_in, S))
CASES = {
    "speech_mtla_s2": (dict(ctc_weight=1.0), 2001, (37, 7), (26, 6)),
    "speech_mtla_s3_tied": (dict(SMALL, conv_kernel_sizes="5", decoder_down_rate=3,
                                 share_decoder_input_output_embed=True), 2002, (21, 8), (16, 7)),
    "speech_mha": (dict(SMALL, decoder_att_type="MHA"), 2003, (37, 7), (30, 6)),
    "speech_gqa": (dict(SMALL, decoder_att_type="GQA", decoder_num_kv_heads=2), 2004, (37, 7), (30, 6)),
    "speech_mla": (dict(SMALL, decoder_att_type="MLA"), 2005, (37, 7), (30, 6)),
    "text_mtla_s2": (dict(SMALL, input_mode="text", encoder_normalize_before=False, decoder_normalize_before=False,
                          share_decoder_input_output_embed=True, source_vocab_size=50, max_source_positions=1024,
                          dropout=0.1, attention_dropout=0.1, activation_dropout=0.0),
                     2006, (11, 7), (9, 6)),
    "speech_conformer_mtla_s2": (dict(SMALL, encoder_type="conformer", conv_kernel_sizes="5",
                                      depthwise_conv_kernel_size=7), 2007, (25, 7), (20, 6)),
}


def case_config(name):
    cfg = dict(TINY)
    cfg.update(CASES[name][0])
    return cfg


def perturb(model, seed):
    """Make every LayerNorm affine non-trivial (weight 1 + 0.2 N(0,1), bias 0.1 N(0,1)), give every bias the
    reference initialises to zero a 0.05 N(0,1) value, and give BatchNorm (conformer) non-trivial affine and running
    statistics (mean 0.1 N(0,1), var U(0.5, 1.5)), so wrong LN placement / bias mapping / BN use changes outputs."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for mname, m in model.named_modules():
            if isinstance(m, torch.nn.LayerNorm) and m.elementwise_affine:
                m.weight.copy_(1.0 + 0.2 * torch.randn(m.weight.shape, generator=g))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=g))
        for pname, p in model.named_parameters():
            if pname.endswith(".bias") and bool((p == 0).all()):
                p.copy_(0.05 * torch.randn(p.shape, generator=g))
        for mname, m in model.named_modules():  # conformer convolution module: eval-mode BatchNorm statistics
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.weight.copy_(1.0 + 0.2 * torch.randn(m.weight.shape, generator=g))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=g))
                m.running_mean.copy_(0.1 * torch.randn(m.running_mean.shape, generator=g))
                m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=g))


def make_inputs(cfg, seed, batched, single):
    g = torch.Generator().manual_seed(seed)
    V, eos = cfg["vocab_size"], cfg["eos"]
    first = 4  # ordinary tokens: ids >= 4 (0 bos, 1 pad, 2 eos, 3 unk)
    out = {}
    for p, (B, (T, S)) in (("input", (2, batched)), ("input1", (1, single))):
        if cfg["input_mode"] == "speech":
            F = cfg["input_feat_per_channel"] * cfg["input_channels"]
            out[p + ".features"] = torch.randn(B, T, F, generator=g)
        else:
            src = torch.randint(first, cfg["source_vocab_size"], (B, T), generator=g)
            src[:, -1] = eos  # fairseq source sentences end with EOS
            out[p + ".src_tokens"] = src
        out[p + ".src_lengths"] = torch.full((B,), T, dtype=torch.long)
        text = torch.randint(first, V, (B, S - 1), generator=g)
        eos_col = torch.full((B, 1), eos, dtype=torch.long)
        out[p + ".target"] = torch.cat([text, eos_col], 1)  # text + EOS
        out[p + ".prev_output_tokens"] = torch.cat([eos_col, text], 1)  # move_eos_to_beginning
    return out


def make_case(name, out_dir):
    from safetensors.torch import save_file
    cfg = case_config(name)
    _, seed, batched, single = CASES[name]
    model, _ = R.build_model(cfg, seed=seed)
    perturb(model, seed + 1)
    weights = R.state_dict_tensors(model)
    inputs = make_inputs(cfg, seed + 2, batched, single)
    outs = R.run_procedure(model, cfg, inputs)
    # the reference's own incremental path must agree with its training path at batch 1
    d = (outs["output1.step_logits"] - outs["output1.logits"][0]).abs().max().item()
    assert d < 1e-5, f"{name}: incremental vs full logits differ by {d}"
    tensors = {}
    tensors.update(weights)
    tensors.update(inputs)
    tensors.update(outs)
    tensors = {k: v.contiguous() for k, v in tensors.items()}
    meta = {"case": name, "seed": str(seed), "generator": "Tools/golden/make_model_goldens.py",
            "reference": "mtla 0.3.2 wheel, vendored fairseq", "torch": torch.__version__,
            "incremental_vs_full_max_abs": f"{d:.3e}"}
    os.makedirs(out_dir, exist_ok=True)
    # one metadata entry (a sorted JSON string): safetensors writes a multi-entry metadata map in random order
    save_file(tensors, os.path.join(out_dir, name + ".safetensors"),
              metadata={"golden": json.dumps(meta, sort_keys=True)})
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump(cfg, f, indent=1)
        f.write("\n")
    return d, outs


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "..", "..", "Data", "golden", "model"))
    ap.add_argument("--only", nargs="*")
    a = ap.parse_args()
    torch.set_num_threads(1)
    for name in CASES:
        if a.only and name not in a.only:
            continue
        d, outs = make_case(name, os.path.normpath(a.out))
        extra = ""
        if "output.loss" in outs:
            extra = f" loss {outs['output.loss'].item():.6f}"
        if "output.ctc_loss" in outs:
            extra += f" ctc {outs['output.ctc_loss'].item():.6f}"
        print(f"{name}: incremental-vs-full max abs {d:.2e}{extra}")


if __name__ == "__main__":
    main()
