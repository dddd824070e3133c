#!/usr/bin/env python3
"""Golden batch plans and collations for the Corpus target, made with fairseq's own data code.

Run once with the peers venv:
    /work/peers-venv/bin/python Tools/golden/make_corpus_goldens.py
Writes Data/golden/corpus/batching.json (fixed seeds; byte-identical on re-run).

What runs unmodified (the fairseq copy of the `mtla` 0.3.2 wheel, loaded through fairseq_stubs.py):
`data_utils.batch_by_size` (including its drop of an incomplete last batch), `data_utils.collate_tokens`,
`data_utils._filter_by_size_dynamic` (what `filter_indices_by_size` calls for (src, tgt) sizes) and
`data_utils.numpy_seed`. The Cython module `data_utils_fast` is not compiled in that wheel, so
`batch_by_size_vec` below is a line-by-line Python transliteration of `data_utils_fast.pyx` (fairseq main),
installed as `fairseq.data.data_utils_fast`. The two `ordered_indices` bodies are copied from
`speech_to_text_dataset.py` and `language_pair_dataset.py` (two lines each). numpy's permutations are
written out, because the Swift side draws its own: the tests feed these permutations to the
deterministic parts.
"""
import json
import pathlib
import sys
import types

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import fairseq_stubs  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "Data" / "golden" / "corpus"


def batch_by_size_vec(indices, num_tokens_vec, max_tokens, max_sentences, bsz_mult):
    # Transliteration of fairseq/data/data_utils_fast.pyx batch_by_size_vec.
    if indices.shape[0] == 0:
        return []
    assert max_tokens <= 0 or np.max(num_tokens_vec) <= max_tokens
    indices_len = indices.shape[0]
    batches_ends = np.zeros(indices_len, dtype=np.int32)
    batches_ends_view = batches_ends
    num_tokens_view = num_tokens_vec
    pos = 0
    new_batch_end = 0
    new_batch_max_tokens = 0
    new_batch_sentences = 0
    new_batch_num_tokens = 0
    overflow = False
    size_matches_with_bsz_mult = False
    batches_count = 0
    batch_start = 0
    tail_max_tokens = 0
    batch_max_tokens = 0
    for pos in range(indices_len):
        tail_max_tokens = tail_max_tokens if tail_max_tokens > num_tokens_view[pos] else num_tokens_view[pos]
        new_batch_end = pos + 1
        new_batch_max_tokens = batch_max_tokens if batch_max_tokens > tail_max_tokens else tail_max_tokens
        new_batch_sentences = new_batch_end - batch_start
        new_batch_num_tokens = new_batch_sentences * new_batch_max_tokens
        overflow = (new_batch_sentences > max_sentences > 0 or new_batch_num_tokens > max_tokens > 0)
        size_matches_with_bsz_mult = (new_batch_sentences < bsz_mult or new_batch_sentences % bsz_mult == 0)
        if overflow:
            tail_num_tokens = tail_max_tokens * (new_batch_end - batches_ends_view[batches_count])
            tail_overflow = tail_num_tokens > max_tokens > 0
            if tail_overflow:
                batches_count += 1
                batches_ends_view[batches_count] = pos
                tail_max_tokens = num_tokens_view[pos]
            batch_start = batches_ends_view[batches_count]
            batches_count += 1
            new_batch_max_tokens = tail_max_tokens
        if overflow or size_matches_with_bsz_mult:
            batches_ends_view[batches_count] = new_batch_end
            batch_max_tokens = new_batch_max_tokens
            tail_max_tokens = 0
    if batches_ends_view[batches_count] != indices_len:
        batches_count += 1
    return np.split(indices, batches_ends[:batches_count])


def main():
    M = fairseq_stubs.load()
    du = M["data_utils"]
    fast = types.ModuleType("fairseq.data.data_utils_fast")
    fast.batch_by_size_vec = batch_by_size_vec
    fast.batch_by_size_fn = None
    fast.batch_fixed_shapes_fast = None
    sys.modules["fairseq.data.data_utils_fast"] = fast

    rng = np.random.RandomState(20261122)
    cases = []
    configs = [
        dict(max_tokens=1000, max_sentences=None, mult=1),
        dict(max_tokens=1000, max_sentences=None, mult=8),
        dict(max_tokens=1500, max_sentences=5, mult=1),
        dict(max_tokens=None, max_sentences=4, mult=1),
        dict(max_tokens=800, max_sentences=6, mult=2),
        dict(max_tokens=600, max_sentences=None, mult=3),
    ]
    for k, cfg in enumerate(configs):
        n = 40 + 7 * k
        src = rng.randint(5, 300, size=n).astype(np.int64)
        src[rng.randint(0, n, size=4)] = 150  # ties
        tgt = rng.randint(1, 40, size=n).astype(np.int64)
        max_pos = (280, 35)
        for ordering in ("descendingSource", "ascendingSourceThenTarget"):
            with du.numpy_seed(7 + k):
                perm = np.random.permutation(n)
            if ordering == "descendingSource":
                # SpeechToTextDataset.ordered_indices
                order = [perm, [-x for x in src]]
                indices = np.lexsort(order)
                num_tokens = src  # num_tokens = n_frames
            else:
                # LanguagePairDataset.ordered_indices (buckets None)
                indices = perm.astype(np.int64)
                indices = indices[np.argsort(tgt[indices], kind="mergesort")]
                indices = indices[np.argsort(src[indices], kind="mergesort")]
                num_tokens = np.maximum(src, tgt + 1)
            ordered = indices.tolist()
            # filter_indices_by_size with (max_source_positions, max_target_positions) on (src, tgt + 1)
            kept, ignored = du._filter_by_size_dynamic(indices, lambda i: (src[i], tgt[i] + 1), max_pos)
            mt = cfg["max_tokens"]
            if mt is not None:
                too_big = [int(i) for i in kept if num_tokens[i] > mt]
                kept = np.array([i for i in kept if num_tokens[i] <= mt], dtype=np.int64)
            else:
                too_big = []
            batches = du.batch_by_size(kept, num_tokens_fn=lambda i: num_tokens[i],
                                       num_tokens_vec=num_tokens[kept].astype(np.int64),
                                       max_tokens=mt, max_sentences=cfg["max_sentences"],
                                       required_batch_size_multiple=cfg["mult"])
            cases.append(dict(
                name=f"case{k}-{ordering}", ordering=ordering,
                source_lengths=src.tolist(), target_lengths=tgt.tolist(), permutation=perm.tolist(),
                max_tokens=mt, max_sentences=cfg["max_sentences"], required_multiple=cfg["mult"],
                max_source_positions=max_pos[0], max_target_positions=max_pos[1],
                ordered=ordered, filtered_out=[int(i) for i in ignored], too_big_for_max_tokens=too_big,
                batches=[[int(i) for i in b] for b in batches],
            ))

    # collate_tokens: targets as fairseq stores them (tokens + eos), pad 1, eos 2.
    import torch
    targets = [[5, 6, 7], [8], [9, 10, 11, 12, 13], []]
    with_eos = [torch.LongTensor(t + [2]) for t in targets]
    target = du.collate_tokens(with_eos, 1, 2, left_pad=False, move_eos_to_beginning=False)
    prev = du.collate_tokens(with_eos, 1, eos_idx=None, left_pad=False, move_eos_to_beginning=True)
    sources = [[20, 21, 2], [22, 2], [23, 24, 25, 26, 2], [2]]
    src_left = du.collate_tokens([torch.LongTensor(s) for s in sources], 1, 2, left_pad=True)
    src_right = du.collate_tokens([torch.LongTensor(s) for s in sources], 1, 2, left_pad=False)
    collate = dict(targets=targets, target=target.tolist(), prev_output_tokens=prev.tolist(),
                   sources=sources, source_left_pad=src_left.tolist(), source_right_pad=src_right.tolist())

    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "batching.json").write_text(json.dumps(dict(cases=cases, collate_tokens=collate), indent=1) + "\n")
    print(f"wrote {len(cases)} batching cases and the collate_tokens case to {OUT / 'batching.json'}")


if __name__ == "__main__":
    main()
