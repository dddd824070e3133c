#!/usr/bin/env bash
# Benchmark: mtla fbank (single thread, release build) against torchaudio.compliance.kaldi.fbank and
# kaldi-native-fbank, in one run on the same files; and packing 10,000 utterances into a zip against
# Python's zipfile. Run by hand, never in CI:
#   PEERS_VENV=/path/to/venv Tools/bench/bench-fbank.sh
# The venv (outside the repo) needs: torch torchaudio kaldi-native-fbank soundfile numpy.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv=${PEERS_VENV:-$root/../peers-venv}
py=$venv/bin/python
repeat=${REPEAT:-5}
work=$(mktemp -d /tmp/mtla-bench-fbank.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$root"
swift build -c release --product mtla >/dev/null
swift build -c release --product mtla-bench >/dev/null
mtla=$root/.build/release/mtla
bench=$root/.build/release/mtla-bench
audio=$root/Data/reference/fbank/audio

# Inputs: a 60-second file, and 400 short utterances (the 16 kHz reference files, ~2 s each).
sox "$audio"/es0{1,2,3,4}.wav "$audio"/alsa_Front_Center.wav "$audio"/alsa_Noise.wav "$work/cat.wav"
sox "$work/cat.wav" "$work/long60.wav" repeat 6 trim 0 60
mkdir -p "$work/short" "$work/data"
: > "$work/short.list"
n=0
for r in $(seq 1 40); do
  for f in es01 es02 es03 es04 alsa_Front_Center alsa_Noise alsa_Front_Left_flac pcm24_16k short_50ms stereo_16k; do
    ext=wav; [ "$f" = alsa_Front_Left_flac ] && ext=flac
    n=$((n + 1)); id=$(printf 'utt%04d' $n)
    ln -s "$audio/$f.$ext" "$work/short/$id.$ext"
    echo "$id $work/short/$id.$ext" >> "$work/data/wav.scp"
    echo "$work/short/$id.$ext" >> "$work/short.list"
  done
done
echo "$work/long60.wav" > "$work/long.list"
short_seconds=$($py -c "import soundfile as sf,sys; print(sum(sf.info(l.strip()).duration for l in open('$work/short.list')))")

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
timeit() { # command... -> median wall seconds over $repeat runs
  for _ in $(seq 1 "$repeat"); do
    local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
  done | median
}

# In-process (same work as the peers: decode + compute, one thread), and the whole CLI run
# (process start, decode, compute, write the .npy / ark).
ours_long=$("$bench" fbank --files "$work/long.list" --repeat "$repeat" --include-read | "$py" -c "import json,sys; print(json.load(sys.stdin)['mtla'])")
ours_short=$("$bench" fbank --files "$work/short.list" --repeat "$repeat" --include-read | "$py" -c "import json,sys; print(json.load(sys.stdin)['mtla'])")
cli_long=$(timeit "$mtla" fbank "$work/long60.wav" -o "$work/long60.npy" --overwrite)
cli_short=$(timeit "$mtla" fbank --manifest "$work/data" --out-dir "$work/ark" --format ark --jobs 1 --overwrite)
peers_long=$(OMP_NUM_THREADS=1 "$py" "$root/Tools/bench/peers_fbank.py" --files "$work/long.list" --repeat "$repeat" --include-read)
peers_short=$(OMP_NUM_THREADS=1 "$py" "$root/Tools/bench/peers_fbank.py" --files "$work/short.list" --repeat "$repeat" --include-read)

# Zip packing, in process on both sides: 10,000 random 20 x 80 float32 matrices as <id>.npy entries
# of a stored zip (npy encoding, CRC-32, writing, central directory, close).
ours_zip=$("$bench" zip --count 10000 --rows 20 --out "$work/packed.zip" --repeat "$repeat" | "$py" -c "import json,sys; print(json.load(sys.stdin)['mtla'])")
py_zip=$("$py" - "$work" "$repeat" <<'PY'
import io, statistics, sys, time, zipfile
import numpy as np
w, repeat = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(0)
mats = [rng.standard_normal((20, 80)).astype(np.float32) for _ in range(10000)]
times = []
for _ in range(repeat):
    t0 = time.perf_counter()
    with zipfile.ZipFile(f"{w}/py.zip", "w", zipfile.ZIP_STORED) as z:
        for i, m in enumerate(mats):
            b = io.BytesIO(); np.save(b, m)
            z.writestr(f"u{i:05d}.npy", b.getvalue())
    times.append(time.perf_counter() - t0)
print(statistics.median(times))
PY
)

"$py" - "$ours_long" "$ours_short" "$peers_long" "$peers_short" "$short_seconds" "$ours_zip" "$py_zip" "$cli_long" "$cli_short" <<'PY'
import json, sys
ol, os_, pl, ps, ss, oz, pz, cl, cs = sys.argv[1:]
ol, os_, ss, oz, pz, cl, cs = float(ol), float(os_), float(ss), float(oz), float(pz), float(cl), float(cs)
pl, ps = json.loads(pl), json.loads(ps)
per_hour = lambda sec, dur: sec * 3600 / dur
print("Seconds per hour of audio, single thread, decode + compute (medians):")
print()
print(f"| input | mtla | torchaudio | kaldi-native-fbank | fastest peer / mtla | mtla CLI end to end |")
print(f"| --- | --- | --- | --- | --- | --- |")
for name, ours, cli, peers, dur in (("one 60 s file", ol, cl, pl, 60.0), (f"400 short utterances ({ss:.0f} s)", os_, cs, ps, ss)):
    ta, kn = per_hour(peers["torchaudio"], dur), per_hour(peers["kaldi-native-fbank"], dur)
    o = per_hour(ours, dur)
    print(f"| {name} | {o:.2f} | {ta:.2f} | {kn:.2f} | {min(ta, kn) / o:.1f}x | {per_hour(cli, dur):.2f} |")
print()
print("| packing 10,000 20x80 matrices into a stored zip (encode + write) | mtla | Python zipfile + np.save | Python / mtla |")
print("| --- | --- | --- | --- |")
print(f"| median seconds | {oz:.3f} | {pz:.3f} | {pz / oz:.1f}x |")
PY
