import Autograd
import Foundation
import NN
import Optim
import TensorCore
import Transformer

/// What one update did (loss values summed over its batches; per-token figures in base 2, as fairseq logs).
public struct UpdateStats: Sendable {
    public var update: Int
    public var loss: Double, nll: Double, ctc: Double
    public var tokens: Int, correct: Int, sentences: Int, frames: Int
    public var gradientNorm: Double, learningRate: Double

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
public final class Trainer {
    public let model: PrefixDecoderModel
    public let optimizer: Adam
    public let options: TrainerOptions
    public let context: ComputeContext
    public internal(set) var progress = TrainingProgress()
    let dropouts: [Dropout]

    public init(model: PrefixDecoderModel, options: TrainerOptions, context: ComputeContext) throws {
        self.model = model
        self.options = try options.validated()
        self.context = context
        optimizer = Adam(parameters: model.parameters, learningRate: options.schedule.learningRate(update: 0),
                         betas: (options.adamBetas[0], options.adamBetas[1]), eps: options.adamEps,
                         weightDecay: options.weightDecay)
        dropouts = model.modules().compactMap { $0 as? Dropout }
    }

    /// One update from `batches` (normally `update_freq` of them).
    /// - Throws: `TrainingError.nonFiniteLoss` (nothing is changed), `ModelError` for a bad batch.
    @discardableResult
    public func update(_ batches: [TrainingBatch]) throws -> UpdateStats {
        precondition(!batches.isEmpty, "an update needs at least one batch")
        model.setTraining(true)
        let savedGenerators = dropouts.map(\.generator)
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

    /// Loss and accuracy over `batches` without dropout or gradients.
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
