import Foundation
import Autograd
import NN
import SeededRandom
import TensorCore
import Testing
import Training
import Transformer
import _TestSupport

/// A tiny speech model (6-d features, d 16, MTLA s = 2, vocab 11) with the given dropout.
func tinyModel(seed: UInt64, dropout: Float = 0, kind: String = "MTLA") throws -> PrefixDecoderModel {
    var c = ModelConfig()
    (c.inputFeatPerChannel, c.convKernelSizes, c.convChannels) = (6, "3", 8)
    (c.encoderLayers, c.encoderEmbedDim, c.encoderFfnEmbedDim, c.encoderAttentionHeads) = (1, 16, 24, 2)
    (c.decoderLayers, c.decoderEmbedDim, c.decoderFfnEmbedDim, c.decoderAttentionHeads) = (2, 16, 24, 2)
    (c.decoderAttType, c.decoderKvLoraRank, c.decoderQkNopeHeadDim, c.decoderQkRopeHeadDim, c.decoderVHeadDim) = (kind, 8, 4, 4, 4)
    (c.dropout, c.attentionDropout, c.activationDropout, c.vocabSize, c.ctcWeight) = (dropout, dropout, dropout, 11, 1)
    var g = Xoshiro256(seed: seed)
    return try PrefixDecoderModel(config: c, generator: &g)
}

/// A batch of `rows` utterances with random features and a copy-like task: the target repeats ids
/// derived from the features' sign pattern, so a model can learn it.
func tinyBatch(rows: Int, seed: UInt64, frames: Int = 12) -> TrainingBatch {
    var g = Xoshiro256(seed: seed)
    let x = Tensor.randomNormal([rows, frames, 6], using: &g)
    let lengths = (0..<rows).map { Int32(frames - ($0 % 3)) }
    let targets: [[Int32]] = (0..<rows).map { r in (0..<(3 + r % 2)).map { j in 4 + Int32((x.scalars[(r * frames + j) * 6] > 0 ? 1 : 0) + 2 * (j % 3)) } }
    let width = targets.map(\.count).max()! + 1
    let padding = { (t: [Int32]) -> [Int32] in Array(repeating: Int32(1), count: width - t.count - 1) }
    let prev: [Int32] = targets.flatMap { t -> [Int32] in [Int32(2)] + t + padding(t) }
    let tgt: [Int32] = targets.flatMap { t -> [Int32] in t + [Int32(2)] + padding(t) }
    return TrainingBatch(ids: (0..<rows).map { "utt\(seed)-\($0)" }, input: .features(x, lengths: lengths),
                         prevOutputTokens: Int32Tensor(shape: [rows, width], scalars: prev),
                         target: Int32Tensor(shape: [rows, width], scalars: tgt))
}

func options(updateFreq: Int = 1) -> TrainerOptions {
    var o = TrainerOptions()
    (o.lr, o.warmupUpdates, o.clipNorm, o.updateFreq) = (3e-3, 4, 5, updateFreq)
    o.loss = SequenceLoss(labelSmoothing: 0.1, ctcWeight: 0.3)
    return o
}

@Suite struct TrainerTests {
    /// Stopping after 3 updates, saving, and resuming in a fresh process-like state (new model with
    /// other weights, new trainer) gives bit-identical parameters and losses to 6 uninterrupted
    /// updates — dropout on, so the generators' states must travel too.
    @Test func resumeIsBitIdentical() throws {
        let batches = (0..<6).map { tinyBatch(rows: 3, seed: 100 + UInt64($0)) }
        let straight = try Trainer(model: tinyModel(seed: 1, dropout: 0.2), options: options(), context: .serial)
        let losses = try batches.map { try straight.update([$0]).loss }

        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try Trainer(model: tinyModel(seed: 1, dropout: 0.2), options: options(), context: .serial)
        for b in batches.prefix(3) { try first.update([b]) }
        try TrainingCheckpoint.save(first, experiment: dir, keepLast: 2)
        let resumed = try Trainer(model: tinyModel(seed: 99, dropout: 0.2), options: options(), context: .serial)
        let latest = try #require(try TrainingCheckpoint.latest(dir))
        try TrainingCheckpoint.restore(resumed, from: latest)
        #expect(resumed.progress.updates == 3)
        let rest = try batches.suffix(3).map { try resumed.update([$0]).loss }
        #expect(rest == Array(losses.suffix(3)))
        for ((name, a), (_, b)) in zip(straight.model.namedParameters(), resumed.model.namedParameters()) {
            #expect(a.value.scalars == b.value.scalars, "\(name) differs after resume")
        }
    }

    /// update_freq: two half batches in one update = one update over their union (gradients summed,
    /// divided by all target tokens): the gradients the optimiser receives agree to 1e-5 of their
    /// largest entry (the same sums in another order), and so does the update's loss.
    @Test func gradientAccumulationEqualsOneLargeBatch() throws {
        let a = tinyBatch(rows: 2, seed: 7), b = tinyBatch(rows: 2, seed: 8)
        let union = TrainingBatch(ids: a.ids + b.ids, input: .features(Tensor.concat([features(a), features(b)], axis: 0),
                                                                   lengths: lengths(a) + lengths(b)),
                                  prevOutputTokens: stack(a.prevOutputTokens, b.prevOutputTokens), target: stack(a.target, b.target))
        let split = try Trainer(model: tinyModel(seed: 3), options: options(updateFreq: 2), context: .serial)
        let whole = try Trainer(model: tinyModel(seed: 3), options: options(), context: .serial)
        let s = try split.update([a, b]), w = try whole.update([union])
        #expect(abs(s.loss - w.loss) < 1e-5 * abs(w.loss) && s.tokens == w.tokens)
        let largest = whole.model.parameters.compactMap { $0.grad?.scalars.map(abs).max() }.max()!
        for ((name, p), (_, q)) in zip(split.model.namedParameters(), whole.model.namedParameters()) {
            let d = DifferenceStats(p.grad!.scalars, q.grad!.scalars)
            #expect(d.maxAbs < 1e-5 * Double(largest), "\(name): \(d)")
        }
    }

    /// The model learns the tiny task: token accuracy on the training batches rises well above chance.
    @Test func trainingLearns() throws {
        let batches = (0..<4).map { tinyBatch(rows: 4, seed: 200 + UInt64($0)) }
        var o = options()
        o.lr = 1e-2
        let t = try Trainer(model: tinyModel(seed: 5), options: o, context: .serial)
        let before = try t.validate(batches)
        for step in 0..<60 { try t.update([batches[step % 4]]) }
        let after = try t.validate(batches)
        #expect(after.lossPerToken < 0.6 * before.lossPerToken, "loss \(before.lossPerToken) → \(after.lossPerToken)")
        #expect(after.accuracy > 0.6, "accuracy \(after.accuracy)")
    }

    /// A NaN in the input stops the update with the utterance ids; nothing is changed.
    @Test func nonFiniteLossIsReportedAndNothingChanges() throws {
        let t = try Trainer(model: tinyModel(seed: 6), options: options(), context: .serial)
        var bad = tinyBatch(rows: 2, seed: 9)
        var x = features(bad)
        x.withUnsafeMutableBufferPointer { $0[5] = .nan }
        bad.input = .features(x, lengths: lengths(bad))
        let before = t.model.namedParameters().map { $0.1.value.scalars }
        #expect { try t.update([bad]) } throws: { ($0 as? TrainingError).map { "\($0)".contains("utt9-0") } ?? false }
        #expect(t.progress.updates == 0)
        #expect(t.model.namedParameters().map { $0.1.value.scalars } == before)
    }

    @Test func damagedOrForeignCheckpointsAreRefused() throws {
        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = try Trainer(model: tinyModel(seed: 1), options: options(), context: .serial)
        try t.update([tinyBatch(rows: 2, seed: 1)])
        let saved = try TrainingCheckpoint.save(t, experiment: dir)
        let other = try Trainer(model: tinyModel(seed: 1, kind: "MLA"), options: options(), context: .serial)
        #expect(throws: TrainingError.self) { try TrainingCheckpoint.restore(other, from: saved) }
        try Data("{".utf8).write(to: saved.appendingPathComponent("trainer_state.json"))
        #expect(throws: TrainingError.self) { try TrainingCheckpoint.restore(t, from: saved) }
    }

    func features(_ b: TrainingBatch) -> Tensor { if case let .features(x, _) = b.input { return x }; fatalError() }
    func lengths(_ b: TrainingBatch) -> [Int32] { if case let .features(_, l) = b.input { return l }; fatalError() }
    func stack(_ a: Int32Tensor, _ b: Int32Tensor) -> Int32Tensor {
        Int32Tensor(shape: [a.shape[0] + b.shape[0], a.shape[1]], scalars: a.scalars + b.scalars)
    }
}
