"""The full reference "encoder-prefix decoder-only" model of the MTLA paper, built from the fairseq copy in the PyPI
`mtla` 0.3.2 wheel (see fairseq_stubs.py for how it is loaded without changing a source line), plus the golden
procedure (batched training-path forward, losses, and fairseq-generation-style incremental decoding).

Config JSON keys: see Data/golden/model/README.md (the keys the Swift `ModelConfig` reads).

    from refmodel import build_model, load_checkpoint, run_procedure
    model, info = build_model(cfg)                 # eval mode, reference init under manual_seed(seed)
    load_checkpoint(model, "x.safetensors")        # fairseq names, strict
    outs = run_procedure(model, cfg, inputs)       # dict name -> tensor ("output.*", "output1.*")
"""
import argparse, contextlib, io, json, math, os, sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fairseq_stubs  # noqa: E402

CONFIG_KEYS = [
    "input_mode", "input_feat_per_channel", "input_channels", "conv_kernel_sizes", "conv_channels",
    "encoder_type", "encoder_layers", "encoder_embed_dim", "encoder_ffn_embed_dim", "encoder_attention_heads",
    "encoder_normalize_before", "depthwise_conv_kernel_size", "max_source_positions", "no_scale_embedding",
    "decoder_layers", "decoder_embed_dim", "decoder_ffn_embed_dim", "decoder_attention_heads",
    "decoder_att_type", "decoder_num_kv_heads", "decoder_q_lora_rank", "decoder_kv_lora_rank",
    "decoder_qk_nope_head_dim", "decoder_qk_rope_head_dim", "decoder_v_head_dim", "decoder_down_rate",
    "decoder_normalize_before", "share_decoder_input_output_embed", "encoder_projector_ds_rate", "ctc_weight",
    "dropout", "attention_dropout", "activation_dropout", "vocab_size", "source_vocab_size", "padding_idx",
    "bos", "eos", "unk",
]

# config keys passed unchanged into the fairseq argument namespace
_ARG_KEYS = [
    "input_feat_per_channel", "input_channels", "conv_kernel_sizes", "conv_channels", "encoder_layers",
    "encoder_embed_dim", "encoder_ffn_embed_dim", "encoder_attention_heads", "encoder_normalize_before",
    "max_source_positions", "no_scale_embedding", "decoder_layers", "decoder_embed_dim", "decoder_ffn_embed_dim",
    "decoder_attention_heads", "decoder_q_lora_rank", "decoder_kv_lora_rank", "decoder_qk_nope_head_dim",
    "decoder_qk_rope_head_dim", "decoder_v_head_dim", "decoder_down_rate", "decoder_normalize_before",
    "share_decoder_input_output_embed", "encoder_projector_ds_rate", "ctc_weight", "dropout", "attention_dropout",
    "activation_dropout", "depthwise_conv_kernel_size",
]


class Dictionary:
    """Placeholder for fairseq.data.Dictionary: the model code only asks len() and pad() (bos/eos/unk for the
    generator's conventions).  Symbols are <s>=bos, <pad>, </s>=eos, <unk>, then ordinary tokens."""

    def __init__(self, size, bos=0, pad=1, eos=2, unk=3):
        self.size, self._bos, self._pad, self._eos, self._unk = size, bos, pad, eos, unk

    def __len__(self):
        return self.size

    def pad(self):
        return self._pad

    def bos(self):
        return self._bos

    def eos(self):
        return self._eos

    def unk(self):
        return self._unk


class Task:
    def __init__(self, source_dictionary, target_dictionary):
        self.source_dictionary = source_dictionary
        self.target_dictionary = target_dictionary


def load_config(path):
    cfg = json.load(open(path))
    missing = [k for k in CONFIG_KEYS if k not in cfg]
    if missing:
        raise ValueError(f"config {path} lacks keys {missing}")
    return cfg


def _arch(cfg, M):
    """The recipe's arch function (fills defaults exactly like fairseq's ARCH_CONFIG_REGISTRY)."""
    t = cfg["decoder_att_type"].upper()
    if cfg["input_mode"] == "speech":
        if cfg["encoder_type"] == "conformer":
            c = fairseq_stubs.load_conformer()
            return {"MTLA": c.conformer_decoder_only_MTLA_xm, "MLA": c.conformer_decoder_only_MLA_xm,
                    "MHA": c.conformer_decoder_only_roformer_cross_xm, "GQA": c.conformer_decoder_only_roformer_cross_xm,
                    "MQA": c.conformer_decoder_only_roformer_cross_xm}[t]
        s = M["s2t_transformer"]
        return {"MTLA": s.s2t_decoder_only_MTLA_xm, "MLA": s.s2t_decoder_only_MLA_xm,
                "MHA": s.s2t_decoder_only_roformer_cross_xm, "GQA": s.s2t_decoder_only_GQAroformer_cross_xm,
                "MQA": s.s2t_decoder_only_MQAroformer_cross_xm}[t]
    tl = M["transformer_legacy"]
    if t in ("GQA", "MQA"):
        raise ValueError("the reference has no text-input GQA/MQA arch")
    return {"MTLA": tl.transformer_decoder_only_MTLA_cross_xm, "MLA": tl.transformer_decoder_only_MLA_cross_xm,
            "MHA": tl.transformer_decoder_only_roformer_cross_xm}[t]


def make_args(cfg):
    M = fairseq_stubs.load()
    t = cfg["decoder_att_type"].upper()
    nkv = cfg.get("decoder_num_kv_heads")
    if t in ("GQA", "MQA") and nkv not in (None, {"GQA": 2, "MQA": 1}[t]):
        raise ValueError(f"the reference hard-codes num_kv_heads={ {'GQA': 2, 'MQA': 1}[t] } for {t}")
    a = argparse.Namespace(**{k: cfg[k] for k in _ARG_KEYS if k in cfg and cfg[k] is not None})
    a.max_target_positions = 1024  # task default (speech_to_text / translation); unused (no abs. decoder PE)
    if cfg["input_mode"] == "speech":
        a.use_audio_input = False  # S2TTransformerModel.add_args default (80-d features in, no WavLM frontend)
    if t in ("GQA", "MQA"):
        a.decoder_att_type = t
    if cfg["input_mode"] == "speech" and cfg["encoder_type"] == "conformer":
        a.pos_enc_type = "abs"  # conformer_base_architecture default (SLU: absolute sinusoidal PE)
        a.attn_type = None  # default: fairseq MultiheadAttention in the conformer blocks
        a.fp16 = False  # training runs in float32
    _arch(cfg, M)(a)
    return a


def build_model(cfg, seed=None):
    """Build the reference model (reference init, under torch.manual_seed(seed) if given), eval mode."""
    M = fairseq_stubs.load()
    args = make_args(cfg)
    tgt = Dictionary(cfg["vocab_size"], cfg["bos"], cfg["padding_idx"], cfg["eos"], cfg["unk"])
    if seed is not None:
        torch.manual_seed(seed)
    if cfg["input_mode"] == "speech":
        assert cfg["padding_idx"] == 1, "S2TTransformerEncoder hard-codes padding_idx 1"
        if cfg["encoder_type"] == "conformer":
            cls = fairseq_stubs.load_conformer().S2TConformerModel
        else:
            cls = M["s2t_transformer"].S2TTransformerModel
        model = cls.build_model(args, Task(None, tgt))
    else:
        src = Dictionary(cfg["source_vocab_size"], cfg["bos"], cfg["padding_idx"], cfg["eos"], cfg["unk"])
        model = M["transformer_legacy"].TransformerModel.build_model(args, Task(src, tgt))
    model.eval()
    return model, args


def state_dict_tensors(model):
    """model.state_dict() as plain contiguous tensors (tied weights appear under both names)."""
    return {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}


def load_checkpoint(model, path_or_dict):
    """Load fairseq-named weights strictly; non-weight entries (input*, output*, debug.*) are ignored."""
    if isinstance(path_or_dict, str):
        from safetensors.torch import load_file
        sd = load_file(path_or_dict)
    else:
        sd = path_or_dict
    sd = {k: v.clone() for k, v in sd.items() if not k.split(".")[0].startswith(("input", "output", "debug"))}
    model.load_state_dict(sd, strict=True)  # BaseFairseqModel.load_state_dict (real): upgrade + strict load
    return model


def _net_input(cfg, inputs, p):
    if cfg["input_mode"] == "speech":
        src = inputs[p + ".features"]
    else:
        src = inputs[p + ".src_tokens"]
    return {"src_tokens": src, "src_lengths": inputs[p + ".src_lengths"],
            "prev_output_tokens": inputs[p + ".prev_output_tokens"]}


def forward_outputs(model, cfg, inputs, p, q):
    """Training path (eval mode): returns {q.encoder_out, q.ctc_logits?, q.projector, q.logits, losses}."""
    M = fairseq_stubs.load()
    net_input = _net_input(cfg, inputs, p)
    captured = {}
    h = model.decoder.projector.register_forward_hook(lambda m, i, o: captured.setdefault("proj", o))
    try:
        with torch.no_grad():
            net_output = model(**net_input)
    finally:
        h.remove()
    out = {}
    enc = net_output[1]["encoder_out"]
    out[q + ".encoder_out"] = enc["encoder_out"][0]
    if getattr(model.encoder, "ctc_proj", None) is not None:
        with torch.no_grad():
            out[q + ".ctc_logits"] = model.encoder.ctc_proj(enc["encoder_out"][0])
    out[q + ".projector"] = captured["proj"]
    out[q + ".logits"] = net_output[0]
    target = inputs[p + ".target"]
    pad = cfg["padding_idx"]
    sample = {"net_input": net_input, "target": target, "target_lengths": target.ne(pad).sum(1),
              "ntokens": int(target.ne(pad).sum()), "id": torch.arange(target.size(0))}
    ctc_w = float(cfg.get("ctc_weight") or 0.0)
    crit_mod = M["label_smoothed_cross_entropy_with_ctc"]
    tgt_dict = Dictionary(cfg["vocab_size"], cfg["bos"], pad, cfg["eos"], cfg["unk"])
    crit = crit_mod.LabelSmoothedCrossEntropyWithCtcCriterion(
        Task(None, tgt_dict), sentence_avg=False, label_smoothing=0.1, ignore_prefix_size=0,
        report_accuracy=False, ctc_weight=ctc_w)
    with torch.no_grad():
        loss, nll = crit.compute_loss(model, net_output, sample, reduce=True)
        out[q + ".loss"] = loss.reshape(1).float()
        out[q + ".nll_loss"] = nll.reshape(1).float()
        if ctc_w > 0:
            total, _, log = crit.forward(model, sample, reduce=True)  # runs the model again (same numbers)
            out[q + ".loss_total"] = total.reshape(1).float()
            # logging_output["ctc_loss"] = utils.item(ctc_loss) (already x ctc_weight): a float32 value, exact
            out[q + ".ctc_loss"] = torch.tensor([log["ctc_loss"]], dtype=torch.float32)
    return out


def incremental_step_logits(model, cfg, inputs, p):
    """Feed p.prev_output_tokens one token at a time exactly as fairseq's SequenceGenerator (beam 1, batch 1)
    calls the model: encoder via encoder.forward_torchscript, reorder_encoder_out by the initial beam order,
    step s: tokens[:, :s+1]; from step 1 on reorder_incremental_state + `encoder_out["encoder_out"] = []`
    before decoder.forward(tokens, encoder_out, incremental_state).  Returns (S, V) raw logits of each step
    (before the generator's temperature division and log-softmax)."""
    net_input = _net_input(cfg, inputs, p)
    tokens = net_input["prev_output_tokens"]
    bsz, S = tokens.shape
    assert bsz == 1
    with torch.no_grad():
        if getattr(model, "frontend", None) is not None:
            enc = model.forward_encoder_torchscript(net_input)
        else:
            enc = model.encoder.forward_torchscript(net_input)
        new_order = torch.arange(bsz).view(-1, 1).repeat(1, 1).view(-1).long()
        enc = model.encoder.reorder_encoder_out(enc, new_order)
        inc = {}
        rows = []
        reorder_state = None
        for step in range(S):
            if reorder_state is not None:
                model.decoder.reorder_incremental_state_scripting(inc, reorder_state)
                if step > 0:
                    enc["encoder_out"] = []
                enc = model.encoder.reorder_encoder_out(enc, reorder_state)
            if step > 0:
                enc["encoder_out"] = []
            dec = model.decoder.forward(tokens[:, : step + 1], encoder_out=enc, incremental_state=inc)
            rows.append(dec[0][:, -1, :].clone())
            reorder_state = torch.zeros(bsz, dtype=torch.long)  # beam 1: the only candidate's parent row
    return torch.cat(rows, 0)


def run_procedure(model, cfg, inputs):
    out = {}
    if "input.src_lengths" in inputs:
        out.update(forward_outputs(model, cfg, inputs, "input", "output"))
    if "input1.src_lengths" in inputs:
        out.update(forward_outputs(model, cfg, inputs, "input1", "output1"))
        out["output1.step_logits"] = incremental_step_logits(model, cfg, inputs, "input1")
    return {k: v.detach().contiguous() for k, v in out.items()}
