"""Goldens for fairseq's Dictionary (Data/golden/fairseq_dict/), made with the unmodified
fairseq/data/dictionary.py and fairseq/tokenizer.py of the fairseq copy in the `mtla` 0.3.2 wheel
(`experiments/tools/fairseq`), and fairseq's gen_vocab export loop with sentencepiece 0.2.3.

fairseq/__init__.py cannot be imported (see fairseq_stubs.py), so the few modules dictionary.py
imports are stubbed (utils.item, data_utils.post_process, PathManager: none is used on these
paths) and the real files dictionary.py, tokenizer.py and file_chunker_utils.py are executed.

Run: /work/peers-venv/bin/python Tools/golden/make_fairseq_dict_goldens.py   (deterministic)
"""
import importlib.util
import json
import os
import sys
import types
from pathlib import Path

import sentencepiece as sp

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Data/golden/fairseq_dict"
FS = Path(sys.prefix) / "lib/python3.11/site-packages/experiments/tools/fairseq/fairseq"


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    m = importlib.util.module_from_spec(spec)
    sys.modules[name] = m
    spec.loader.exec_module(m)
    return m


for pkg in ["fairseq", "fairseq.data"]:
    m = types.ModuleType(pkg)
    m.__path__ = []
    sys.modules[pkg] = m
utils = types.ModuleType("fairseq.utils")
utils.item = lambda x: x
sys.modules["fairseq.utils"] = utils
sys.modules["fairseq"].utils = utils
du = types.ModuleType("fairseq.data.data_utils")
du.post_process = lambda s, b: s
sys.modules["fairseq.data.data_utils"] = du
sys.modules["fairseq.data"].data_utils = du
fio = types.ModuleType("fairseq.file_io")


class PathManager:
    get_local_path = staticmethod(lambda p: p)
    open = staticmethod(open)
    mkdirs = staticmethod(lambda p: os.makedirs(p, exist_ok=True) if p else None)


fio.PathManager = PathManager
sys.modules["fairseq.file_io"] = fio
load("fairseq.file_chunker_utils", FS / "file_chunker_utils.py")
tokenizer = load("fairseq.tokenizer", FS / "tokenizer.py")
Dictionary = load("fairseq.data.dictionary", FS / "data/dictionary.py").Dictionary

# Word dictionaries as fairseq-preprocess builds them (add_file_to_dictionary, finalize).
words = OUT / "words.txt"
sizes = {}
for threshold, padding in [(0, 8), (2, 1), (0, 1)]:
    d = Dictionary()
    Dictionary.add_file_to_dictionary(str(words), d, tokenizer.tokenize_line, 1)
    d.finalize(threshold=threshold, padding_factor=padding)
    name = f"dict_t{threshold}_p{padding}.txt"
    d.save(str(OUT / name))
    sizes[name] = len(d)

# encode_line(add_if_not_exist=False) on the t0_p1 dictionary.
d = Dictionary.load(str(OUT / "dict_t0_p1.txt"))
lines = ["play  jazz loudly\t<unk>", "", "  alarm_set wake me up  ", "Émile zola\u3000who", "unknown words only"]
encoded = [{"line": s, "ids": d.encode_line(s, add_if_not_exist=False).tolist(),
            "ids_no_eos": d.encode_line(s, add_if_not_exist=False, append_eos=False).tolist()} for s in lines]

# gen_vocab's export loop (examples/speech_to_text/data_utils.py) for the golden BPE model.
spm = sp.SentencePieceProcessor()
spm.Load(str(ROOT / "Data/reference/sentencepiece/spm_bpe200.model"))
vocab = {i: spm.IdToPiece(i) for i in range(spm.GetPieceSize())}
vocab = {i: s for i, s in vocab.items() if s not in {"<unk>", "<s>", "</s>", "<pad>"}}
with open(OUT / "spm_bpe200.txt", "w") as f_out:
    for _, s in sorted(vocab.items(), key=lambda x: x[0]):
        f_out.write(f"{s} 1\n")

with open(OUT / "expected.json", "w") as f:
    json.dump({"sizes": sizes, "encode_line": encoded,
               "versions": {"python": sys.version.split()[0], "sentencepiece": sp.__version__,
                            "fairseq": "copy in mtla 0.3.2 (experiments/tools/fairseq)"}},
              f, indent=1, ensure_ascii=False)
    f.write("\n")
print("wrote", sorted(p.name for p in OUT.iterdir()))
