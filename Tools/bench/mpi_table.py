"""The table of Tools/bench/bench-mpi.sh from its JSON lines: per configuration (ranks × threads,
update_freq) the best and median milliseconds per update over the rounds, frames per second, the
all-reduce milliseconds per update and their share, and the speed-up over one rank with one thread
(scaling efficiency = speed-up / cores used), for mtla and for PyTorch (peer_train.py, DDP over gloo for 2
ranks), and mtla's speed-up over PyTorch in the same configuration."""
import json
import statistics
import sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
meta = [r for r in rows if r.get("side", "").startswith("meta")]
runs = [r for r in rows if r.get("side") == "mtla"]
peers = [r for r in rows if r.get("side") == "pytorch"]


def grouped(rs):
    g = {}
    for r in rs:
        mode = r.get("mode", "mpi" if r["ranks"] > 1 else "process")
        if r.get("side") == "pytorch" and r["ranks"] > 1:
            mode = "mpi"   # DDP's ranks are processes
        g.setdefault((r["ranks"], r["threads"], r["update_freq"], mode), []).append(r)
    return g


groups, peer_groups = grouped(runs), grouped(peers)
base = min(r["ms"] for r in groups.get((1, 1, 2, "process"), [{"ms": float("nan")}]))
peer_base = min(r["ms"] for r in peer_groups.get((1, 1, 2, "process"), [{"ms": float("nan")}]))
print(f"kind {runs[0]['kind']}, {runs[0]['parameters']:,} parameters, batches of {runs[0]['batch']} x {runs[0]['frames']} frames, "
      f"{len(groups.get((1, 1, 2, 'process'), []))} rounds; {meta[0].get('mpirun', '')}; load {meta[0].get('load_start')} -> {meta[-1].get('load_end')}")
print()
print("| ranks x threads | update_freq | ms/update (best) | ms/update (median) | frames/s | all-reduce ms | all-reduce share | speed-up vs 1x1 | efficiency | PyTorch ms (best) | PyTorch efficiency | mtla vs PyTorch |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for key in sorted(groups, key=lambda k: (k[0], k[1], k[3])):
    g = groups[key]
    best = min(r["ms"] for r in g)
    med = statistics.median(r["ms"] for r in g)
    ar = min(g, key=lambda r: r["ms"])["allreduce_ms"]
    frames = 2 * g[0]["batch"] * g[0]["frames"] / (best / 1000)
    speed = base / best
    cores = key[0] * key[1]
    p = min((r["ms"] for r in peer_groups.get(key if key[3] != "threads" else key[:3] + ("mpi",), [])), default=float("nan"))
    label = f"{key[0]} x {key[1]}" + (" (threads)" if key[3] == "threads" else "")
    print(f"| {label} | {key[2]} | {best:.0f} | {med:.0f} | {frames:.0f} | {ar:.1f} | {100 * ar / best:.1f}% | {speed:.2f}x | "
          f"{100 * speed / cores:.0f}% | {p:.0f} | {100 * peer_base / p / cores:.0f}% | {p / best:.2f}x |")
