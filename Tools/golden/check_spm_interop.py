"""Checks that SentencePiece models written by `mtla spm train` (libsentencepiece 0.1.97) load and
encode identically in Python's sentencepiece (0.2.3), and reports where the two versions differ.

Usage: /work/peers-venv/bin/python Tools/golden/check_spm_interop.py [path/to/mtla]
(default .build/release/mtla, then .build/debug/mtla).  Needs `pip install sentencepiece==0.2.3`.
Exit status 0 when every check passes; the result of the last run is in README-spm-interop.md.
"""
import json
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

import sentencepiece as sp
from sentencepiece import sentencepiece_model_pb2 as pb

ROOT = Path(__file__).resolve().parents[2]
REF = ROOT / "Data/reference/sentencepiece"


def mtla_binary():
    if len(sys.argv) > 1:
        return sys.argv[1]
    for c in [ROOT / ".build/release/mtla", ROOT / ".build/debug/mtla"]:
        if c.exists():
            return str(c)
    sys.exit("build mtla first (swift build -c release)")


def run(*args, stdin=None):
    r = subprocess.run([mtla_binary(), *args], input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"mtla {' '.join(args)} failed: {r.stderr}")
    return r.stdout


def proto(path):
    m = pb.ModelProto()
    m.ParseFromString(Path(path).read_bytes())
    return m


failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


golden = json.loads((REF / "encodings.json").read_text())
texts = [e["text"] for e in golden["models"]["bpe"]["encodings"] if "\n" not in e["text"]]
print(f"sentencepiece {sp.__version__}, mtla {mtla_binary()}")
with tempfile.TemporaryDirectory() as tmp:
    for kind in ["bpe", "unigram"]:
        prefix = f"{tmp}/{kind}"
        run("spm", "train", "--input", str(REF / "spm_train.en.txt"), "--model-prefix", prefix,
            "--vocab-size", "200", "--model-type", kind, "--fairseq", "--num-threads", "1",
            "--shuffle-input-sentence=false")
        ours = sp.SentencePieceProcessor(model_file=prefix + ".model")
        check(ours.vocab_size() == 200, f"{kind}: our model loads in Python, 200 pieces")
        vocab = [line.split("\t")[0] for line in Path(prefix + ".vocab").read_text().splitlines()]
        check(vocab == [ours.id_to_piece(i) for i in range(200)], f"{kind}: pieces seen by Python = our .vocab")
        check([ours.bos_id(), ours.pad_id(), ours.eos_id(), ours.unk_id()] == [0, 1, 2, 3], f"{kind}: special ids")
        stdin = "".join(t + "\n" for t in texts)
        swift_ids = [[int(x) for x in line.split()] for line in run("spm", "encode", "--model", prefix + ".model",
                                                                       "--output-format", "id", stdin=stdin).split("\n")[:-1]]
        swift_pieces = [line.split() for line in run("spm", "encode", "--model", prefix + ".model", stdin=stdin).split("\n")[:-1]]
        py_ids = [ours.encode(t) for t in texts]
        py_pieces = [ours.encode(t, out_type=str) for t in texts]
        check(swift_ids == py_ids, f"{kind}: {len(texts)} golden sentences encode to the same ids in mtla and Python")
        check(swift_pieces == py_pieces, f"{kind}: ... and to the same pieces")
        decoded = run("spm", "decode", "--model", prefix + ".model", "--input-format", "id",
                      stdin="".join(" ".join(map(str, i)) + "\n" for i in py_ids)).split("\n")[:-1]
        check(decoded == [ours.decode(i) for i in py_ids], f"{kind}: decoding agrees")

        py = proto(REF / f"spm_{kind}200.model")
        mine = proto(prefix + ".model")
        same = [(a.piece, a.score, a.type) == (b.piece, b.score, b.type) for a, b in zip(py.pieces, mine.pieces)]
        if kind == "bpe":
            check(all(same), "bpe: our model's pieces and scores equal Python's golden model")
        else:
            differ = sum(1 for a, b in zip(py.pieces, mine.pieces) if a.piece != b.piece)
            pyset, myset = {p.piece for p in py.pieces}, {p.piece for p in mine.pieces}
            print(f"info unigram: {differ} of 200 ids hold a different piece; {len(pyset - myset)} pieces only in Python's "
                  f"model, {len(myset - pyset)} only in ours (known: the unigram trainer changed in 0.2.x)")
        same_map = py.normalizer_spec.precompiled_charsmap == mine.normalizer_spec.precompiled_charsmap
        print(f"info {kind}: nmt_nfkc charsmap {'identical' if same_map else 'differs'} "
              f"({len(mine.normalizer_spec.precompiled_charsmap)} bytes from 0.1.97, "
              f"{len(py.normalizer_spec.precompiled_charsmap)} from 0.2.3)")
        if kind == "bpe" and not same_map:
            # Which characters normalise differently: encode each code point with both models.
            golden_sp = sp.SentencePieceProcessor(model_file=str(REF / "spm_bpe200.model"))
            diff = []
            for cp in range(0x20, 0x30000):
                if 0xD800 <= cp < 0xE000:
                    continue
                ch = chr(cp)
                if golden_sp.normalize(ch) != ours.normalize(ch):
                    diff.append(cp)
            sample = ", ".join(f"U+{c:04X} {unicodedata.name(chr(c), '?')}" for c in diff[:6])
            print(f"info nmt_nfkc: {len(diff)} code points normalise differently (0.1.97 vs 0.2.3 tables), e.g. {sample}")

    # Python-trained golden models load and encode identically here (also covered by TokenizerTests).
    golden_ids = [e["ids"] for e in golden["models"]["bpe"]["encodings"] if "\n" not in e["text"]]
    ours_on_golden = [[int(x) for x in line.split()] for line in run(
        "spm", "encode", "--model", str(REF / "spm_bpe200.model"), "--output-format", "id",
        stdin="".join(t + "\n" for t in texts)).split("\n")[:-1]]
    check(ours_on_golden == golden_ids, "Python's golden BPE model encodes the same in mtla")

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
