import Autograd
import Distributed
import Foundation
import NN
import Optim
import SeededRandom
import TensorCore
import Transformer

/// What one update did (loss values summed over its batches; per-token figures in base 2, as fairseq logs).
public struct UpdateStats: Sendable {
    public var update: Int
    public var loss: Double, nll: Double, ctc: Double
    public var tokens: Int, correct: Int, sentences: Int, frames: Int
    public var gradientNorm: Double, learningRate: Double
    /// Seconds spent summing gradients and statistics over the ranks (0 for a single process).
    public var allReduceSeconds: Double = 0

    /// fairseq's logged `loss`: Σ loss / tokens / ln 2.
    public var lossPerToken: Double { tokens > 0 ? loss / Double(tokens) / M_LN2 : 0 }
    public var nllPerToken: Double { tokens > 0 ? nll / Double(tokens) / M_LN2 : 0 }
    public var accuracy: Double { tokens > 0 ? Double(correct) / Double(tokens) : 0 }
    /// The encoder's CTC loss per sentence in base 2 (0 without a CTC term).
    public var ctcPerSentence: Double { sentences > 0 ? ctc / Double(sentences) / M_LN2 : 0 }
    /// What a log line or a validation record reports.
    public var loggedValues: [String: Double] {
        var v = ["loss": lossPerToken, "nll_loss": nllPerToken, "accuracy": accuracy]
        if ctc > 0 { v["ctc_loss"] = ctcPerSentence }
        return v
    }
}

/// Trains a `PrefixDecoderModel` update by update: forward and backward over `update_freq` batches,
/// gradients divided by their summed target tokens, clipped, one Adam step with the schedule's
/// learning rate for the number of updates done (fairseq's order). Deterministic for a given thread
/// count: the same batches give bit-identical parameters.
///
/// In a job of several ranks (`communicator`), each rank runs its own batches of the update; the
/// loss statistics and the gradients are summed over the ranks before the division by the summed
/// target tokens, so every rank takes the same step (fairseq's data parallelism): N ranks with one
/// batch each equal one process with `update_freq` N over the same batches, up to float summation
/// order. Each rank draws its dropout masks from its own stream, derived per update from the shared
/// generator states, which then advance identically on every rank (what a checkpoint stores, so a run
/// resumes with any number of ranks).
public final class Trainer {
    public let model: PrefixDecoderModel
    public let optimizer: Adam
    public let options: TrainerOptions
    public let context: ComputeContext
    /// The job's ranks (a single process by default).
    public let communicator: any Communicator
    public internal(set) var progress = TrainingProgress()
    let dropouts: [Dropout]
    let gradientReduce: GradientAllReduce?

    public init(model: PrefixDecoderModel, options: TrainerOptions, context: ComputeContext,
                communicator: any Communicator = SingleProcessCommunicator()) throws {
        self.model = model
        self.options = try options.validated()
        self.context = context
        self.communicator = communicator
        optimizer = Adam(parameters: model.parameters, learningRate: options.schedule.learningRate(update: 0),
                         betas: (options.adamBetas[0], options.adamBetas[1]), eps: options.adamEps,
                         weightDecay: options.weightDecay)
        dropouts = model.modules().compactMap { $0 as? Dropout }
        gradientReduce = communicator.size > 1 ? GradientAllReduce(parameters: optimizer.parameters) : nil
    }

    /// One update from `batches` (normally `update_freq` of them; in a job of several ranks, this
    /// rank's share, which may be empty at the end of an epoch).
    /// - Throws: `TrainingError.nonFiniteLoss` (nothing is changed), `ModelError` for a bad batch,
    ///   `DistributedError` when the ranks cannot sum their gradients.
    @discardableResult
    public func update(_ batches: [TrainingBatch]) throws -> UpdateStats {
        precondition(!batches.isEmpty || communicator.size > 1, "an update needs at least one batch")
        model.setTraining(true)
        let savedGenerators = dropouts.map(\.generator)
        if communicator.size > 1 {
            for (d, g) in zip(dropouts, savedGenerators) {
                var shared = g
                d.generator = Xoshiro256(seed: shared.next(), stream: UInt64(communicator.rank))
            }
        }
        optimizer.zeroGrad()
        var stats = UpdateStats(update: progress.updates + 1, loss: 0, nll: 0, ctc: 0, tokens: 0, correct: 0, sentences: 0,
                                frames: 0, gradientNorm: 0, learningRate: optimizer.learningRate)
        for batch in batches {
            let tape = Tape(context: context)
            let terms = try options.loss(model, batch, on: tape)
            tape.backward(terms.loss)
            stats.loss += terms.lossValue; stats.nll += terms.nll; stats.ctc += terms.ctc
            stats.tokens += terms.tokens; stats.correct += terms.correct; stats.sentences += batch.ids.count
            if case let .features(_, lengths) = batch.input { stats.frames += lengths.reduce(0) { $0 + Int($1) } }
        }
        if let gradientReduce {
            let start = Date()
            try sumOverRanks(&stats, operation: "all-reduce statistics, update \(stats.update)")
            try gradientReduce.reduce(over: communicator, operation: "all-reduce gradients, update \(stats.update)")
            stats.allReduceSeconds = Date().timeIntervalSince(start)
            for (d, g) in zip(dropouts, savedGenerators) {
                var shared = g
                _ = shared.next()
                d.generator = shared
            }
        }
        let scale = Float(1 / Double(max(1, stats.tokens)))
        for p in optimizer.parameters where (p.grad?.count ?? 0) > 0 {
            p.grad!.withUnsafeMutableBufferPointer { g in
                let (n, g) = (g.count, g.baseAddress!)
                context.parallelFor(n, grain: 1 << 15) { r in for i in r { g[i] *= scale } }
            }
        }
        stats.gradientNorm = clipGradNorm(optimizer.parameters, maxNorm: options.clipNorm > 0 ? options.clipNorm : .infinity,
                                          in: context)
        guard stats.loss.isFinite, stats.gradientNorm.isFinite else {
            for (d, g) in zip(dropouts, savedGenerators) { d.generator = g }
            optimizer.zeroGrad()
            throw TrainingError.nonFiniteLoss(update: stats.update, batchIDs: batches.flatMap(\.ids),
                                              value: stats.loss.isFinite ? stats.gradientNorm : stats.loss)
        }
        optimizer.learningRate = options.schedule.learningRate(update: progress.updates)
        stats.learningRate = optimizer.learningRate
        optimizer.step(in: context)
        progress.updates += 1
        return stats
    }

    /// The loss statistics of `stats` summed over the ranks (nothing to do for a single process).
    func sumOverRanks(_ stats: inout UpdateStats, operation: String) throws {
        guard communicator.size > 1 else { return }
        let sums = try communicator.allReduceSum([stats.loss, stats.nll, stats.ctc, Double(stats.tokens), Double(stats.correct),
                                                  Double(stats.sentences), Double(stats.frames)], operation: operation)
        (stats.loss, stats.nll, stats.ctc) = (sums[0], sums[1], sums[2])
        (stats.tokens, stats.correct, stats.sentences, stats.frames) = (Int(sums[3]), Int(sums[4]), Int(sums[5]), Int(sums[6]))
    }

    /// Loss and accuracy over `batches` without dropout or gradients (in a job of several ranks,
    /// this rank's share of the validation batches; the statistics are summed over the ranks).
    public func validate(_ batches: some Sequence<TrainingBatch>) throws -> UpdateStats {
        model.setTraining(false)
        defer { model.setTraining(true) }
        var stats = UpdateStats(update: progress.updates, loss: 0, nll: 0, ctc: 0, tokens: 0, correct: 0, sentences: 0, frames: 0,
                                gradientNorm: 0, learningRate: optimizer.learningRate)
        for batch in batches {
            let terms = try options.loss(model, batch, on: Tape(context: context, mode: .inference))
            stats.loss += terms.lossValue; stats.nll += terms.nll; stats.ctc += terms.ctc
            stats.tokens += terms.tokens; stats.correct += terms.correct; stats.sentences += batch.ids.count
        }
        try sumOverRanks(&stats, operation: "all-reduce validation statistics, update \(progress.updates)")
        progress.lastValidation = stats.loggedValues
        return stats
    }

    /// The progress with the dropout generators' current states (what a checkpoint stores).
    public var progressSnapshot: TrainingProgress {
        var p = progress
        p.dropoutGenerators = dropouts.map(\.generator)
        return p
    }

    /// Restores a snapshot (dropout generators included).
    /// - Throws: `TrainingError.incompatibleCheckpoint` when the number of dropout modules differs.
    public func restore(_ snapshot: TrainingProgress, from path: String) throws {
        guard snapshot.dropoutGenerators.count == dropouts.count else {
            throw TrainingError.incompatibleCheckpoint(path: path, reason: "\(snapshot.dropoutGenerators.count) dropout states for \(dropouts.count) dropout modules")
        }
        for (d, g) in zip(dropouts, snapshot.dropoutGenerators) { d.generator = g }
        progress = snapshot
        optimizer.learningRate = options.schedule.learningRate(update: progress.updates)
    }
}
