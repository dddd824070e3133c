#!/usr/bin/env python3
"""Peer timings for `Tools/bench/bench-fbank.sh` (run by hand, never in CI).

Computes fairseq-style 80-dim fbank for a list of audio files with torchaudio.compliance.kaldi.fbank
and kaldi-native-fbank, single-threaded, and prints the median seconds of `--repeat` runs as JSON.
It also writes each peer's features for the first file so the script can check they agree with ours.
"""
import argparse, json, statistics, sys, time

import numpy as np
import soundfile as sf


def load(path):
    wav, rate = sf.read(path, dtype="float32", always_2d=True)
    return (wav.mean(axis=1) * 32768).astype(np.float32), rate


def run_torchaudio(waves):
    import torch, torchaudio.compliance.kaldi as k
    torch.set_num_threads(1)
    out = []
    for w, rate in waves:
        out.append(k.fbank(torch.from_numpy(w).unsqueeze(0), num_mel_bins=80, dither=0.0,
                           sample_frequency=rate).numpy())
    return out


def run_knf(waves):
    import kaldi_native_fbank as knf
    out = []
    for w, rate in waves:
        o = knf.FbankOptions()
        o.frame_opts.dither = 0
        o.frame_opts.samp_freq = rate
        o.mel_opts.num_bins = 80
        f = knf.OnlineFbank(o)
        f.accept_waveform(rate, w)
        f.input_finished()
        out.append(np.stack([f.get_frame(i) for i in range(f.num_frames_ready)]) if f.num_frames_ready else np.zeros((0, 80), np.float32))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", required=True, help="text file, one audio path per line")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--dump", help="write the first file's features as <dump>.<peer>.npy")
    ap.add_argument("--include-read", action="store_true", help="time audio decoding too")
    a = ap.parse_args()
    paths = [l.strip() for l in open(a.files) if l.strip()]
    result = {}
    for name, fn in (("torchaudio", run_torchaudio), ("kaldi-native-fbank", run_knf)):
        times = []
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            waves = [load(p) for p in paths]
            t1 = time.perf_counter()
            feats = fn(waves)
            t2 = time.perf_counter()
            times.append(t2 - (t0 if a.include_read else t1))
        result[name] = statistics.median(times)
        if a.dump:
            np.save(f"{a.dump}.{name}.npy", feats[0])
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
