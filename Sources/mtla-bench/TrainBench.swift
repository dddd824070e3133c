// `mtla-bench train`: training throughput of the reference-shaped speech model (issue 6). See
// Tools/bench/README-train.md for what is timed; Tools/bench/peer_train.py is the PyTorch half.
import Distributed
import Foundation
import SeededRandom
import TensorCore
import Training
import Transformer

/// The process's resident-set figures from /proc/self/status, in kB: (VmRSS, VmHWM).
func residentKB() -> (rss: Int, hwm: Int) {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
    var rss = 0, hwm = 0
    for line in s.split(separator: "\n") {
        let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count >= 2, let v = Int(parts[1]) else { continue }
        if parts[0] == "VmRSS:" { rss = v } else if parts[0] == "VmHWM:" { hwm = v }
    }
    return (rss, hwm)
}

/// CPU seconds of the whole process (all threads), for a load-robust view on a shared machine.
func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// The benchmark model: the reference speech arch at a small size (every size an option).
struct TrainBenchShape: Sendable {
    var kind = "MTLA", layers = 6, dim = 256, heads = 4, ffn = 1024, vocab = 1000, convChannels = 512
    var features = 80, kvLora = 128, nope = 32, rope = 16, vDim = 32, downRate = 2, dropout: Float = 0.1
    var batch = 8, frames = 400, tokens = 40

    var config: ModelConfig {
        var c = ModelConfig()
        (c.inputFeatPerChannel, c.convKernelSizes, c.convChannels) = (features, "5,5", convChannels)
        (c.encoderLayers, c.encoderEmbedDim, c.encoderFfnEmbedDim, c.encoderAttentionHeads) = (layers, dim, ffn, heads)
        (c.decoderLayers, c.decoderEmbedDim, c.decoderFfnEmbedDim, c.decoderAttentionHeads) = (layers, dim, ffn, heads)
        (c.decoderAttType, c.decoderKvLoraRank, c.decoderQkNopeHeadDim, c.decoderQkRopeHeadDim, c.decoderVHeadDim) =
            (kind, kvLora, nope, rope, vDim)
        c.decoderDownRate = downRate
        (c.dropout, c.attentionDropout, c.activationDropout) = (dropout, dropout, dropout)
        (c.vocabSize, c.ctcWeight) = (vocab, 0)
        return c
    }
}

/// A synthetic batch: N(0,1) features of `frames` frames for every row, `tokens` random ids (4..<vocab)
/// + EOS per row (full-length rows, no padding: the budget is exactly batch × frames, batch × (tokens+1)).
func trainBenchBatch(_ s: TrainBenchShape, seed: UInt64) -> TrainingBatch {
    var g = Xoshiro256(seed: seed)
    let x = Tensor.randomNormal([s.batch, s.frames, s.features], using: &g)
    let targets: [[Int32]] = (0..<s.batch).map { _ in (0..<s.tokens).map { _ in Int32(4 + Int(g.next() % UInt64(s.vocab - 4))) } }
    let prev = targets.flatMap { [Int32(2)] + $0 }, tgt = targets.flatMap { $0 + [Int32(2)] }
    return TrainingBatch(ids: (0..<s.batch).map { "bench\(seed)-\($0)" },
                         input: .features(x, lengths: Array(repeating: Int32(s.frames), count: s.batch)),
                         prevOutputTokens: Int32Tensor(shape: [s.batch, s.tokens + 1], scalars: prev),
                         target: Int32Tensor(shape: [s.batch, s.tokens + 1], scalars: tgt))
}

/// mtla-bench train [--threads T] [--warmup W] [--updates N] [--batches K] [--kind MTLA|MHA] [--layers L]
///   [--dim D] [--heads H] [--ffn F] [--vocab V] [--conv-channels C] [--batch B] [--frames T] [--tokens S]
///   [--dropout P] [--rss-every N] [--update-freq F] [--ranks N]
/// prints one JSON line per `--rss-every` updates ({"rss_kb": …}) when asked, then a summary line.
/// Under `mpirun -np N` it is one rank of a data-parallel job: each update takes N × F of the batches,
/// F per rank, and the summary (rank 0's) adds the ranks and the all-reduce time per update; `--ranks N`
/// runs the N ranks as threads of this process instead (`mtla train --ranks N`).
func runTrainBench(_ arguments: [String]) {
    var args = arguments
    var s = TrainBenchShape()
    var threads = 1, warmup = 3, updates = 10, batchCount = 4, rssEvery = 0, updateFreq = 1, threadRanks = 1
    while !args.isEmpty {
        let a = args.removeFirst()
        let v = args.isEmpty ? "" : args.removeFirst()
        switch a {
        case "--threads": threads = Int(v) ?? threads
        case "--warmup": warmup = Int(v) ?? warmup
        case "--updates": updates = Int(v) ?? updates
        case "--batches": batchCount = Int(v) ?? batchCount
        case "--rss-every": rssEvery = Int(v) ?? rssEvery
        case "--update-freq": updateFreq = max(1, Int(v) ?? updateFreq)
        case "--ranks": threadRanks = max(1, Int(v) ?? threadRanks)
        case "--kind": s.kind = v.uppercased()
        case "--layers": s.layers = Int(v) ?? s.layers
        case "--dim": s.dim = Int(v) ?? s.dim
        case "--heads": s.heads = Int(v) ?? s.heads
        case "--ffn": s.ffn = Int(v) ?? s.ffn
        case "--vocab": s.vocab = Int(v) ?? s.vocab
        case "--conv-channels": s.convChannels = Int(v) ?? s.convChannels
        case "--kv-lora": s.kvLora = Int(v) ?? s.kvLora
        case "--batch": s.batch = Int(v) ?? s.batch
        case "--frames": s.frames = Int(v) ?? s.frames
        case "--tokens": s.tokens = Int(v) ?? s.tokens
        case "--dropout": s.dropout = Float(v) ?? s.dropout
        default: fail("unknown argument \(a)")
        }
    }
    if threadRanks > 1 {
        let settings = TrainBenchSettings(shape: s, threads: threads, warmup: warmup, updates: updates, batchCount: batchCount,
                                          rssEvery: rssEvery, updateFreq: updateFreq, mode: "threads")
        do { try ThreadGroupCommunicator.run(ranks: threadRanks) { trainBenchRank(settings, $0) } } catch { fail("\(error)") }
        return
    }
    let communicator: any Communicator
    do { communicator = try DistributedLaunch.communicator() } catch { fail("\(error)") }
    defer { communicator.finish() }
    trainBenchRank(TrainBenchSettings(shape: s, threads: threads, warmup: warmup, updates: updates, batchCount: batchCount,
                                      rssEvery: rssEvery, updateFreq: updateFreq, mode: communicator.size > 1 ? "mpi" : "process"),
                   communicator)
}

/// What `mtla-bench train` runs, as read from its arguments.
struct TrainBenchSettings: Sendable {
    var shape: TrainBenchShape
    var threads: Int, warmup: Int, updates: Int, batchCount: Int, rssEvery: Int, updateFreq: Int
    /// How the ranks run: "process" (one), "mpi" (mpirun) or "threads" (--ranks).
    var mode: String
}

/// One rank of `mtla-bench train` (the only one, an MPI rank, or a thread rank); rank 0 prints the summary.
func trainBenchRank(_ settings: TrainBenchSettings, _ communicator: any Communicator) {
    let s = settings.shape
    let (threads, warmup, updates, batchCount) = (settings.threads, settings.warmup, settings.updates, settings.batchCount)
    let (rssEvery, updateFreq) = (settings.rssEvery, settings.updateFreq)
    let (rank, ranks) = (communicator.rank, communicator.size)
    let context = ComputeContext(threads: threads)
    context.activate()
    var options = TrainerOptions()
    (options.lr, options.warmupUpdates, options.clipNorm, options.adamBetas) = (1e-3, 0, 10, [0.9, 0.98])
    options.loss = SequenceLoss(labelSmoothing: 0.1, ctcWeight: 0)
    let trainer: Trainer
    do {
        var g = Xoshiro256(seed: 1)
        trainer = try Trainer(model: PrefixDecoderModel(config: s.config, dropoutSeed: 7, generator: &g), options: options,
                              context: context, communicator: communicator)
    } catch { fail("\(error)") }
    let parameters = trainer.model.parameters.reduce(0) { $0 + $1.value.count }
    let batches = (0..<max(1, batchCount, ranks * updateFreq)).map { trainBenchBatch(s, seed: 100 + UInt64($0)) }
    let rssStart = residentKB()
    var times: [Double] = [], cpuTimes: [Double] = [], reduceTimes: [Double] = [], rss10 = 0, lastLoss = 0.0, tokens = 0, frames = 0
    do {
        for i in 0..<(warmup + updates) {
            let (t0, c0) = (now(), processCPUSeconds())
            let first = i * ranks * updateFreq + rank * updateFreq
            let stats = try trainer.update((first..<first + updateFreq).map { batches[$0 % batches.count] })
            let (dt, dc) = (now() - t0, processCPUSeconds() - c0)
            if i >= warmup { times.append(dt); cpuTimes.append(dc); reduceTimes.append(stats.allReduceSeconds) }
            (lastLoss, tokens, frames) = (stats.lossPerToken, stats.tokens, stats.frames)
            if i + 1 == 10 { rss10 = residentKB().rss }
            if rssEvery > 0 && (i + 1) % rssEvery == 0 {
                let r = residentKB()
                print("{\"update\": \(i + 1), \"rss_kb\": \(r.rss), \"hwm_kb\": \(r.hwm), \"loss\": \(stats.lossPerToken)}")
                fflush(nil)
            }
        }
    } catch { fail("\(error)") }
    let ms = median(times) * 1000
    guard rank == 0 else { return }
    // The sgemm rate in this process on the model's FFN shape: (B·T_dec, d)·(d, F), T_dec = T/4 + S.
    let rows = s.batch * (s.frames / 4 + s.tokens + 1)
    var gr = Xoshiro256(seed: 3)
    let ga = Tensor.randomNormal([rows, s.dim], using: &gr), gb = Tensor.randomNormal([s.ffn, s.dim], using: &gr)
    _ = ga.matmul(gb, transposeB: true, in: context)
    let gemmTimes = (0..<(ranks > 1 ? 1 : 9)).map { _ -> Double in
        let t0 = now(); _ = ga.matmul(gb, transposeB: true, in: context); return now() - t0
    }
    let sgemm = 2 * Double(rows * s.dim * s.ffn) / median(gemmTimes) / 1e9
    let end = residentKB()
    print("{\"side\": \"mtla\", \"kind\": \"\(s.kind)\", \"threads\": \(threads), \"updates\": \(updates), \"warmup\": \(warmup), "
        + "\"ranks\": \(ranks), \"mode\": \"\(settings.mode)\", \"update_freq\": \(updateFreq), \"allreduce_ms\": \(median(reduceTimes) * 1000), "
        + "\"batch\": \(s.batch), \"frames\": \(s.frames), \"tokens\": \(s.tokens), \"parameters\": \(parameters), "
        + "\"ms\": \(ms), \"cpu_ms\": \(median(cpuTimes) * 1000), \"ms_min\": \((times.min() ?? 0) * 1000), \"ms_max\": \((times.max() ?? 0) * 1000), "
        + "\"frames_per_s\": \(Double(frames) / (ms / 1000)), \"tokens_per_s\": \(Double(tokens) / (ms / 1000)), "
        + "\"loss\": \(lastLoss), \"rss_start_kb\": \(rssStart.rss), \"rss_10_kb\": \(rss10), \"rss_end_kb\": \(end.rss), "
        + "\"hwm_kb\": \(end.hwm), \"sgemm_gflops\": \(sgemm), \"sgemm_shape\": [\(rows), \(s.dim), \(s.ffn)], "
        + "\"times_ms\": \(times.map { ($0 * 10000).rounded() / 10 }), \"blas_core\": \"\(ComputeContext.blasCoreName)\"}")
}
