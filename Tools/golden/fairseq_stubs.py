"""Load the model classes of the fairseq copy that the PyPI `mtla` 0.3.2 wheel installs
(`experiments/tools/fairseq/fairseq`) on Python 3.11 / CPU, without changing any source line.

That copy cannot be imported as a package: `fairseq/__init__.py` reads a missing version.txt, initialises hydra,
and imports every task/criterion/optimiser (hydra-core/omegaconf 2.0 do not install on 3.11, and the dataclass
configs use instance defaults that Python 3.11 rejects).  Instead, stub packages are put in `sys.modules` for
`fairseq`, `fairseq.models`, `fairseq.modules`, ... (their `__init__.py` is skipped; the package `__path__` points
into the wheel so submodules resolve to the real files), and the *unmodified* module files below are executed as
real modules, in dependency order.  Stubs only replace registry/config plumbing:

* `omegaconf` (only if not installed): `II` (same definition as omegaconf's), `MISSING`, `DictConfig` (a class
  nobody instantiates here), `OmegaConf.is_config` (isinstance of that class, i.e. always False here);
* `fairseq.dataclass`: `ChoiceEnum` from the real `dataclass/constants.py`; `FairseqDataclass` executed verbatim
  from `dataclass/configs.py` (only that class; the rest of configs.py needs hydra);
* `fairseq.checkpoint_utils`: only `prune_state_dict`, executed verbatim from checkpoint_utils.py (called by
  the real `BaseFairseqModel.load_state_dict`; returns the state dict unchanged when no model_cfg is given);
* `fairseq.dataclass.utils`, `fairseq.data.Dictionary`,
  `fairseq.models.speech_to_text.hub_interface`, `fairseq.logging.metrics`: empty placeholders (used only for
  argument parsing, hub downloads, logging of metrics and checkpoint loading, none of which runs here);
* `register_model`, `register_model_architecture`, `register_criterion`: decorators that return the object
  unchanged (the real ones add it to a registry);
* `fairseq.distributed.fsdp_wrap`: the function executed verbatim from `distributed/fully_sharded_data_parallel.py`
  (falls back to returning the module unchanged since fairscale is absent);
* `BaseLayer`: placeholder (only used when `base_layers > 0`).
* Python 3.11 raises "mutable default ... use default_factory" for `TransformerConfig.encoder =
  EncDecBaseConfig()`.  While `transformer_config.py` (and the criterion configs) execute, `dataclasses.dataclass`
  is wrapped so that each created dataclass keeps `object.__hash__` (which is what makes Python <= 3.10 accept
  the shared instance default).  The module source is unchanged; behaviour equals that of Python 3.10.

Real (unmodified) files executed: utils.py, incremental_decoding_utils.py, file_io.py, data/data_utils.py,
dataclass/constants.py, modules/{fairseq_dropout, quant_noise, layer_norm, multihead_attention,
learned_positional_embedding, sinusoidal_positional_embedding, positional_embedding, layer_drop,
checkpoint_activations, adaptive_softmax, gelu, transformer_layer}.py, models/{fairseq_decoder,
fairseq_incremental_decoder, fairseq_encoder, fairseq_model}.py, models/transformer/{transformer_config,
transformer_decoder, transformer_encoder, transformer_base, transformer_legacy}.py,
models/speech_to_text/modules/convolution.py, models/speech_to_text/s2t_transformer.py,
criterions/{fairseq_criterion, label_smoothed_cross_entropy, label_smoothed_cross_entropy_with_ctc}.py;
for the conformer (load_conformer): modules/{espnet_multihead_attention, positional_encoding,
rotary_positional_embedding, conformer_layer}.py, models/speech_to_text/s2t_conformer.py.

    from fairseq_stubs import load
    fs = load()       # dict: name -> module (keys like "s2t_transformer", "transformer_legacy", ...)
"""
import ast, contextlib, dataclasses, importlib.util, os, re, sys, types
from typing import Optional

_CACHE = {}


def site_root():
    import experiments  # the top-level package the mtla wheel installs (namespace package)
    for base in list(experiments.__path__):
        root = os.path.join(base, "tools", "fairseq", "fairseq")
        if os.path.isdir(root):
            return root
    raise RuntimeError("fairseq copy of the mtla wheel not found")


def _load_file(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    parent, _, child = name.rpartition(".")
    if parent in sys.modules:
        setattr(sys.modules[parent], child, mod)
    return mod


def _stub_pkg(name, path=None):
    m = types.ModuleType(name)
    if path is not None:
        m.__path__ = [path]
    m._fairseq_stub = True
    sys.modules[name] = m
    parent, _, child = name.rpartition(".")
    if parent in sys.modules:
        setattr(sys.modules[parent], child, m)
    return m


def _exec_defs(path, names, ns):
    """Execute the top-level class/function definitions `names` of `path` verbatim in namespace `ns`."""
    src = open(path).read()
    lines = src.splitlines(keepends=True)
    for node in ast.parse(src).body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name in names:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            code = "".join(lines[start - 1:node.end_lineno])
            exec(compile("\n" * (start - 1) + code, path, "exec"), ns)
    missing = [n for n in names if n not in ns]
    if missing:
        raise RuntimeError(f"{missing} not found in {path}")
    return ns


@contextlib.contextmanager
def _py310_dataclass_defaults():
    real = dataclasses.dataclass

    def hashable(cls):
        if cls.__dict__.get("__hash__", 0) is None:
            cls.__hash__ = object.__hash__
        return cls

    def wrapper(cls=None, /, **kw):
        if cls is None:
            return lambda c: hashable(real(c, **kw))
        return hashable(real(cls, **kw))

    dataclasses.dataclass = wrapper
    try:
        yield
    finally:
        dataclasses.dataclass = real


def _identity_decorator_factory(*a, **k):
    return lambda obj: obj


def load():
    if "mods" in _CACHE:
        return _CACHE["mods"]
    if "fairseq" in sys.modules and not getattr(sys.modules["fairseq"], "_fairseq_stub", False):
        raise RuntimeError("a real fairseq package is already imported")
    if "fairseq" in sys.modules:
        raise RuntimeError("another fairseq stub (refattn.py?) is already installed in this process")
    root = site_root()
    J = lambda *p: os.path.join(root, *p)
    M = {}

    # omegaconf: only the names these files import
    try:
        import omegaconf  # noqa: F401
    except ImportError:
        om = _stub_pkg("omegaconf")
        om.II = lambda interpolation: "${" + interpolation + "}"  # omegaconf's own definition
        om.MISSING = "???"

        class DictConfig(dict):
            pass

        om.DictConfig = DictConfig

        class OmegaConf:  # utils.safe_getattr asks is_config(); no omegaconf config exists here
            @staticmethod
            def is_config(obj):
                return isinstance(obj, DictConfig)

        om.OmegaConf = OmegaConf

    fs = _stub_pkg("fairseq", root)
    M["utils"] = _load_file("fairseq.utils", J("utils.py"))
    M["incremental_decoding_utils"] = _load_file("fairseq.incremental_decoding_utils",
                                                 J("incremental_decoding_utils.py"))
    _load_file("fairseq.file_io", J("file_io.py"))
    _stub_pkg("fairseq.logging", J("logging"))
    _stub_pkg("fairseq.logging.metrics")  # metrics logging placeholder
    sys.modules["fairseq.logging.metrics"].log_scalar = lambda *a, **k: None
    sys.modules["fairseq.logging.metrics"].log_derived = lambda *a, **k: None
    cu = _stub_pkg("fairseq.checkpoint_utils")  # only prune_state_dict (verbatim; BaseFairseqModel.load_state_dict)
    import logging
    ns = dict(Optional=Optional, DictConfig=sys.modules["omegaconf"].DictConfig, re=re, logging=logging,
              logger=logging.getLogger("fairseq.checkpoint_utils"), __name__="fairseq.checkpoint_utils")
    _exec_defs(J("checkpoint_utils.py"), ["prune_state_dict"], ns)
    cu.prune_state_dict = ns["prune_state_dict"]

    # fairseq.data: real data_utils, placeholder Dictionary
    data = _stub_pkg("fairseq.data", J("data"))

    class Dictionary:  # placeholder type (fairseq_model.py imports the name only)
        pass

    data.Dictionary = Dictionary
    M["data_utils"] = _load_file("fairseq.data.data_utils", J("data", "data_utils.py"))

    # fairseq.dataclass
    dc = _stub_pkg("fairseq.dataclass", J("dataclass"))
    const = _load_file("fairseq.dataclass.constants", J("dataclass", "constants.py"))
    dc.ChoiceEnum = const.ChoiceEnum
    from typing import Any, List
    ns = dict(dataclass=None, field=dataclasses.field, _MISSING_TYPE=dataclasses._MISSING_TYPE, Any=Any,
              List=List, Optional=Optional, __name__="fairseq.dataclass.configs")
    with _py310_dataclass_defaults():
        ns["dataclass"] = dataclasses.dataclass
        _exec_defs(J("dataclass", "configs.py"), ["FairseqDataclass"], ns)
    dc.FairseqDataclass = ns["FairseqDataclass"]
    dcu = _stub_pkg("fairseq.dataclass.utils")
    dcu.gen_parser_from_dataclass = lambda *a, **k: None
    dcu.convert_namespace_to_omegaconf = lambda *a, **k: None

    # fairseq.distributed: fsdp_wrap verbatim
    dist = _stub_pkg("fairseq.distributed", J("distributed"))
    from typing import Optional as _Opt
    ns = dict(Optional=_Opt, __name__="fairseq.distributed.fully_sharded_data_parallel")
    _exec_defs(J("distributed", "fully_sharded_data_parallel.py"), ["fsdp_wrap"], ns)
    dist.fsdp_wrap = ns["fsdp_wrap"]

    # fairseq.models (part 1: base classes needed by multihead_attention)
    models = _stub_pkg("fairseq.models", J("models"))
    models.register_model = _identity_decorator_factory
    models.register_model_architecture = _identity_decorator_factory
    models.FairseqDecoder = _load_file("fairseq.models.fairseq_decoder",
                                       J("models", "fairseq_decoder.py")).FairseqDecoder
    M["fairseq_incremental_decoder"] = _load_file("fairseq.models.fairseq_incremental_decoder",
                                                  J("models", "fairseq_incremental_decoder.py"))
    models.FairseqIncrementalDecoder = M["fairseq_incremental_decoder"].FairseqIncrementalDecoder
    models.FairseqEncoder = _load_file("fairseq.models.fairseq_encoder",
                                       J("models", "fairseq_encoder.py")).FairseqEncoder

    # fairseq.modules
    mods = _stub_pkg("fairseq.modules", J("modules"))
    for f in ["fairseq_dropout", "quant_noise", "layer_norm", "multihead_attention",
              "learned_positional_embedding", "sinusoidal_positional_embedding", "positional_embedding",
              "layer_drop", "checkpoint_activations", "adaptive_softmax", "gelu"]:
        M[f] = _load_file("fairseq.modules." + f, J("modules", f + ".py"))
    mods.FairseqDropout = M["fairseq_dropout"].FairseqDropout
    mods.LayerNorm = M["layer_norm"].LayerNorm
    mods.MultiheadAttention = M["multihead_attention"].MultiheadAttention
    mods.PositionalEmbedding = M["positional_embedding"].PositionalEmbedding
    mods.SinusoidalPositionalEmbedding = M["sinusoidal_positional_embedding"].SinusoidalPositionalEmbedding
    mods.LearnedPositionalEmbedding = M["learned_positional_embedding"].LearnedPositionalEmbedding
    mods.LayerDropModuleList = M["layer_drop"].LayerDropModuleList
    mods.AdaptiveSoftmax = M["adaptive_softmax"].AdaptiveSoftmax
    mods.gelu, mods.gelu_accurate = M["gelu"].gelu, M["gelu"].gelu_accurate  # utils.get_activation_fn

    class BaseLayer:  # placeholder: only constructed when cfg.base_layers > 0
        def __init__(self, *a, **k):
            raise NotImplementedError("BaseLayer is not available under the stubs")

    mods.BaseLayer = BaseLayer
    M["transformer_layer"] = _load_file("fairseq.modules.transformer_layer", J("modules", "transformer_layer.py"))
    mods.transformer_layer = M["transformer_layer"]
    mods.TransformerEncoderLayer = M["transformer_layer"].TransformerEncoderLayer
    mods.TransformerDecoderLayer = M["transformer_layer"].TransformerDecoderLayer

    # fairseq.models (part 2)
    M["fairseq_model"] = _load_file("fairseq.models.fairseq_model", J("models", "fairseq_model.py"))
    models.BaseFairseqModel = M["fairseq_model"].BaseFairseqModel
    models.FairseqEncoderDecoderModel = M["fairseq_model"].FairseqEncoderDecoderModel

    tr = _stub_pkg("fairseq.models.transformer", J("models", "transformer"))
    with _py310_dataclass_defaults():
        M["transformer_config"] = _load_file("fairseq.models.transformer.transformer_config",
                                             J("models", "transformer", "transformer_config.py"))
    tr.TransformerConfig = M["transformer_config"].TransformerConfig
    M["transformer_decoder"] = _load_file("fairseq.models.transformer.transformer_decoder",
                                          J("models", "transformer", "transformer_decoder.py"))
    for n in ["TransformerDecoder", "TransformerDecoderBase", "MTLADecoderOnly", "MLADecoderOnly",
              "RotaryDecoderOnly"]:
        setattr(tr, n, getattr(M["transformer_decoder"], n))
    M["transformer_encoder"] = _load_file("fairseq.models.transformer.transformer_encoder",
                                          J("models", "transformer", "transformer_encoder.py"))
    tr.TransformerEncoder = M["transformer_encoder"].TransformerEncoder
    tr.TransformerEncoderBase = M["transformer_encoder"].TransformerEncoderBase
    M["transformer_base"] = _load_file("fairseq.models.transformer.transformer_base",
                                       J("models", "transformer", "transformer_base.py"))
    tr.TransformerModelBase = M["transformer_base"].TransformerModelBase
    tr.Embedding = M["transformer_base"].Embedding
    M["transformer_legacy"] = _load_file("fairseq.models.transformer.transformer_legacy",
                                         J("models", "transformer", "transformer_legacy.py"))
    tr.TransformerModel = M["transformer_legacy"].TransformerModel

    # speech_to_text
    _stub_pkg("fairseq.models.speech_to_text", J("models", "speech_to_text"))
    hub = _stub_pkg("fairseq.models.speech_to_text.hub_interface")
    hub.S2THubInterface = None  # hub download placeholder (not used)
    _stub_pkg("fairseq.models.speech_to_text.modules", J("models", "speech_to_text", "modules"))
    M["convolution"] = _load_file("fairseq.models.speech_to_text.modules.convolution",
                                  J("models", "speech_to_text", "modules", "convolution.py"))
    M["s2t_transformer"] = _load_file("fairseq.models.speech_to_text.s2t_transformer",
                                      J("models", "speech_to_text", "s2t_transformer.py"))

    # criterions
    crit = _stub_pkg("fairseq.criterions", J("criterions"))
    crit.register_criterion = _identity_decorator_factory
    M["fairseq_criterion"] = _load_file("fairseq.criterions.fairseq_criterion",
                                        J("criterions", "fairseq_criterion.py"))
    crit.FairseqCriterion = M["fairseq_criterion"].FairseqCriterion
    with _py310_dataclass_defaults():
        M["label_smoothed_cross_entropy"] = _load_file(
            "fairseq.criterions.label_smoothed_cross_entropy", J("criterions", "label_smoothed_cross_entropy.py"))
        M["label_smoothed_cross_entropy_with_ctc"] = _load_file(
            "fairseq.criterions.label_smoothed_cross_entropy_with_ctc",
            J("criterions", "label_smoothed_cross_entropy_with_ctc.py"))
    _CACHE["mods"] = M
    return M


def load_conformer():
    """Additionally load the S2T Conformer encoder (modules/conformer_layer.py etc.); returns its module."""
    M = load()
    if "s2t_conformer" in M:
        return M["s2t_conformer"]
    root = site_root()
    J = lambda *p: os.path.join(root, *p)
    mods = sys.modules["fairseq.modules"]
    for f in ["espnet_multihead_attention", "positional_encoding", "rotary_positional_embedding",
              "conformer_layer"]:
        M[f] = _load_file("fairseq.modules." + f, J("modules", f + ".py"))
        for k, v in vars(M[f]).items():
            if isinstance(v, type) and not hasattr(mods, k):
                setattr(mods, k, v)
    M["s2t_conformer"] = _load_file("fairseq.models.speech_to_text.s2t_conformer",
                                    J("models", "speech_to_text", "s2t_conformer.py"))
    return M["s2t_conformer"]
