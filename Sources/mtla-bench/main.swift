// mtla-bench: in-process timings of the toolkit's hot paths, for Tools/bench scripts (never run in
// CI). It measures the same work the peer scripts measure inside Python, so that interpreter and
// process start-up are excluded on both sides.
//
//   mtla-bench fbank --files LIST [--repeat N] [--include-read]
//     prints {"mtla": median seconds} for reading (optionally) and computing 80-dim fbank of every file.
//   mtla-bench attention [--threads T] [--steps N] [--variants MHA,MTLA] [--lengths 256,4096] [--batches 1,40]
//     one incremental decode step of one layer per variant (MHA, GQA g=2, MQA, MLA, MTLA s=2; spec
//     defaults d 512, 8 heads, r 256, rope 32) at cache lengths 256/1024/4096, batch 1 and 8x5 beams
//     (8 rows filled by the prompt call, expanded to 40 by the cache's beam reorder, as the peer does);
//     prints JSON lines {variant, cache_len, batch, threads, ms (median of N steps), cache_bytes}.
//   mtla-bench train [--threads T] [--updates N] [--kind MTLA|MHA] …
//     training throughput of the reference-shaped speech model (TrainBench.swift, issue 6).
//   mtla-bench zip --count N --rows R --out PATH [--repeat N]
//     prints {"mtla": median seconds} for packing N random R x 80 float32 matrices as <id>.npy
//     entries into a stored zip (encode + write + central directory + fsync + rename).
import Attention
import AudioIO
import Fbank
import FeatureStore
import Foundation
import SeededRandom
import TensorCore

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

var args = Array(CommandLine.arguments.dropFirst())
let mode = args.isEmpty ? "" : args.removeFirst()
if mode == "train" {
    runTrainBench(args)
    exit(0)
}
if mode == "zip" {
    var count = 10000, rows = 20, repeatCount = 5
    var out = "/tmp/mtla-bench.zip"
    while !args.isEmpty {
        let a = args.removeFirst()
        let v = args.isEmpty ? "" : args.removeFirst()
        switch a {
        case "--count": count = Int(v) ?? count
        case "--rows": rows = Int(v) ?? rows
        case "--repeat": repeatCount = Int(v) ?? repeatCount
        case "--out": out = v
        default: fail("unknown argument \(a)")
        }
    }
    var g = Xoshiro256(seed: 0)
    let matrices = (0..<count).map { _ in
        FeatureMatrix(rows: rows, cols: 80, values: (0..<rows * 80).map { _ in Float(g.nextGaussian()) })
    }
    let ids = (0..<count).map { i -> String in let s = String(i); return "u" + String(repeating: "0", count: max(0, 5 - s.count)) + s }
    var times: [Double] = []
    do {
        for _ in 0..<repeatCount {
            let t0 = now()
            let w = try StoredZipWriter(path: out, mode: .overwrite)
            for (i, m) in matrices.enumerated() { try w.addNpy(id: ids[i], matrix: m) }
            try w.finish()
            times.append(now() - t0)
        }
    } catch { fail("\(error)") }
    print("{\"mtla\": \(median(times))}")
    exit(0)
}
if mode == "attention" {
    var threads = 1, steps = 11
    var only: Set<String>? = nil
    var lengths = [256, 1024, 4096]
    var batches = [1, 40]
    while !args.isEmpty {
        let a = args.removeFirst()
        let v = args.isEmpty ? "" : args.removeFirst()
        switch a {
        case "--threads": threads = Int(v) ?? threads
        case "--steps": steps = Int(v) ?? steps
        case "--variants": only = Set(v.uppercased().split(separator: ",").map(String.init))
        case "--lengths": lengths = v.split(separator: ",").compactMap { Int($0) }
        case "--batches": batches = v.split(separator: ",").compactMap { Int($0) }.filter { $0 == 1 || $0 == 40 }
        default: fail("unknown argument \(a)")
        }
    }
    let context = ComputeContext(threads: threads)
    context.activate()
    let variants: [(String, AttentionKind, AttentionConfig)] = [
        ("MHA", .mha, AttentionConfig()), ("GQA", .gqa, AttentionConfig(numKvHeads: 2)),
        ("MQA", .mqa, AttentionConfig(numKvHeads: 1)), ("MLA", .mla, AttentionConfig()),
        ("MTLA", .mtla, AttentionConfig(downRate: 2)),
    ]
    var g = Xoshiro256(seed: 1)
    func random(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(g.nextGaussian()) })
    }
    do {
        for (name, kind, config) in variants where only?.contains(name) ?? true {
            let layer = try makeAttention(kind, config: config, generator: &g)
            for length in lengths {
                for rows in batches {
                    let filled = rows == 1 ? 1 : 8
                    let cache = layer.makeCache(batch: filled)
                    let positions = Int32Tensor(shape: [filled, length],
                                                scalars: (0..<filled * length).map { Int32($0 % length) })
                    _ = try layer.step(random([filled, length, 512]), positions: positions, cache: cache, context: context)
                    if rows > filled { cache.reorder(parents: (0..<rows).map { $0 / (rows / filled) }) }
                    var times: [Double] = []
                    for i in 0..<steps {
                        let x = random([rows, 1, 512])
                        let p = Int32Tensor(shape: [rows, 1], repeating: Int32(length + i))
                        let t0 = now()
                        _ = try layer.step(x, positions: p, cache: cache, context: context)
                        times.append(now() - t0)
                    }
                    print("{\"variant\": \"\(name)\", \"cache_len\": \(length), \"batch\": \(rows), \"threads\": \(threads), \"ms\": \(median(times) * 1000), \"cache_bytes\": \(cache.byteCount)}")
                }
            }
        }
    } catch { fail("\(error)") }
    exit(0)
}
guard mode == "fbank" else { fail("usage: mtla-bench (fbank --files LIST | zip --count N) [--repeat N]") }
var files: String?
var repeatCount = 5
var includeRead = false
while !args.isEmpty {
    let a = args.removeFirst()
    switch a {
    case "--files": files = args.isEmpty ? nil : args.removeFirst()
    case "--repeat": repeatCount = Int(args.isEmpty ? "" : args.removeFirst()) ?? 5
    case "--include-read": includeRead = true
    default: fail("unknown argument \(a)")
    }
}
guard let files, let list = try? String(contentsOfFile: files, encoding: .utf8) else { fail("--files LIST is required") }
let paths = list.split(separator: "\n").map(String.init).filter { !$0.isEmpty }

do {
    let extractor = FbankExtractor(options: FbankOptions())
    var times: [Double] = []
    var frames = 0
    for _ in 0..<repeatCount {
        let t0 = now()
        let waves = try paths.map { try AudioFile(path: $0).load(AudioRequest()) }
        let t1 = now()
        frames = 0
        var rng = Xoshiro256(seed: 0)
        for w in waves {
            let c = try extractor.computer(sampleRate: w.sampleRate)
            frames += c.compute(w.samples, using: &rng).rows
        }
        let t2 = now()
        times.append(t2 - (includeRead ? t0 : t1))
    }
    print("{\"mtla\": \(median(times)), \"frames\": \(frames)}")
} catch {
    fail("\(error)")
}
