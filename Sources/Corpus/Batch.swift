import Fbank
import SeededRandom
import TensorCore

// Shapes: B = batch size, T = longest source (frames or tokens), F = feature dimension,
// S = longest target + 1 (the EOS).

/// The padded source side of a batch.
public enum BatchSource: Sendable {
    /// Features (B, T, F), right-padded with zeros; `lengths` (B,) the unpadded frame counts.
    case features(Tensor, lengths: [Int32])
    /// Tokens (B, T), padded with the pad id (right by default, left with `Collater.leftPadSource`);
    /// `lengths` (B,) the unpadded token counts.
    case tokens(Int32Tensor, lengths: [Int32])

    public var lengths: [Int32] {
        switch self {
        case let .features(_, l), let .tokens(_, l): l
        }
    }
}

/// A collated batch, as fairseq's `collater` builds `net_input` and `target`. Rows are sorted by
/// decreasing source length (stable), as fairseq's collaters do; `ids` and `indices` follow that order.
public struct Batch: Sendable {
    /// Utterance ids (B,).
    public var ids: [String]
    /// Dataset indices (B,).
    public var indices: [Int]
    public var source: BatchSource
    /// Decoder input (B, S): EOS + target, right-padded with pad (`move_eos_to_beginning`).
    public var prevOutputTokens: Int32Tensor
    /// Targets (B, S): target + EOS, right-padded with pad.
    public var target: Int32Tensor
    /// Target lengths with EOS (B,).
    public var targetLengths: [Int32]
    /// Non-pad target tokens, EOS included (fairseq's `ntokens`).
    public var targetTokens: Int
    /// Unpadded source frames (or tokens) in the batch.
    public var sourceFrames: Int
    /// Position of this batch in its plan.
    public var position: Int
    /// The samples' auxiliary targets (B, A) right-padded with pad, and their lengths (B), when every
    /// sample has one (e.g. transcripts for an ST encoder's CTC).
    public var auxiliaryTarget: (tokens: Int32Tensor, lengths: [Int32])? = nil

    /// B.
    public var count: Int { ids.count }
}

/// Feature transforms applied at collation, in fairseq's order: utterance CMVN, then global CMVN,
/// then (training only) SpecAugment. fairseq's `config.yaml` for MuST-C is `utteranceCMVN` for all
/// splits plus `specAugment` (the "lb" policy, `SpecAugment()`) for training.
public struct FeatureTransforms: Sendable, Equatable {
    public var utteranceCMVN: UtteranceCMVN?
    /// fairseq `gcmvn.npz` statistics (read them with FeatureStore's `GlobalCMVNFile.read`).
    public var globalCMVN: GlobalCMVN?
    /// Applied only to training batches; its draws come from `SampleRandom` (seed, epoch, index), so a
    /// sample is masked the same way whatever batch, thread or resume point loads it.
    public var specAugment: SpecAugment?

    public init(utteranceCMVN: UtteranceCMVN? = nil, globalCMVN: GlobalCMVN? = nil, specAugment: SpecAugment? = nil) {
        self.utteranceCMVN = utteranceCMVN
        self.globalCMVN = globalCMVN
        self.specAugment = specAugment
    }

    /// MuST-C's `config_st.yaml`: utterance CMVN, plus "lb" SpecAugment for training.
    public static var fairseqSpeech: FeatureTransforms {
        FeatureTransforms(utteranceCMVN: UtteranceCMVN(), specAugment: SpecAugment())
    }

    /// Applies the transforms to the features of sample `index`.
    /// - Throws: `FbankError.cmvnDimension` when the global statistics do not fit.
    public func apply(to m: inout FeatureMatrix, id: String, index: Int, training: Bool, seed: UInt64, epoch: Int) throws {
        if let u = utteranceCMVN { u.apply(to: &m) }
        if let g = globalCMVN { try g.apply(to: &m, name: id) }
        if training, let s = specAugment {
            var rng = SampleRandom.generator(seed: seed, epoch: epoch, index: index, purpose: .specAugment)
            m = s.apply(to: m, using: &rng)
        }
    }
}

/// Builds batches from samples: transforms, padding, `prev_output_tokens` and targets.
public struct Collater: Sendable, Equatable {
    public var pad: Int32
    public var eos: Int32
    public var transforms: FeatureTransforms
    /// Pad token sources on the left (fairseq's translation default; MTLA's XSum uses it, P8).
    public var leftPadSource: Bool
    /// Sort rows by decreasing source length (fairseq's collaters do).
    public var sortByLength: Bool

    public init(pad: Int32 = 1, eos: Int32 = 2, transforms: FeatureTransforms = FeatureTransforms(),
                leftPadSource: Bool = false, sortByLength: Bool = true) {
        self.pad = pad
        self.eos = eos
        self.transforms = transforms
        self.leftPadSource = leftPadSource
        self.sortByLength = sortByLength
    }

    /// Collates `samples` (with their dataset indices).
    /// - Throws: `CorpusError.incompatibleBatch` (mixed kinds, different feature widths),
    ///   `CorpusError.sample` for a transform that fails on a sample.
    public func collate(_ samples: [(index: Int, sample: Sample)], training: Bool, seed: UInt64, epoch: Int,
                        position: Int = 0) throws -> Batch {
        precondition(!samples.isEmpty, "empty batch")
        var items = samples
        if sortByLength {
            items = items.enumerated().sorted { a, b in
                let la = a.element.sample.source.length, lb = b.element.sample.source.length
                return la != lb ? la > lb : a.offset < b.offset
            }.map(\.element)
        }
        let ids = items.map(\.sample.id)
        let b = items.count
        let source: BatchSource
        switch items[0].sample.source {
        case .features:
            var mats: [FeatureMatrix] = []
            for it in items {
                guard case var .features(m) = it.sample.source else {
                    throw CorpusError.incompatibleBatch(ids: ids, reason: "features mixed with tokens")
                }
                do {
                    try transforms.apply(to: &m, id: it.sample.id, index: it.index, training: training, seed: seed, epoch: epoch)
                } catch {
                    throw CorpusError.wrap(error, id: it.sample.id, location: "transforms")
                }
                mats.append(m)
            }
            let f = mats[0].cols
            if let bad = mats.firstIndex(where: { $0.cols != f && $0.rows > 0 }) {
                throw CorpusError.incompatibleBatch(ids: ids, reason: "'\(ids[bad])' has \(mats[bad].cols) feature dimensions, '\(ids[0])' has \(f)")
            }
            let t = mats.map(\.rows).max() ?? 0
            var values = [Float](repeating: 0, count: b * t * f)
            values.withUnsafeMutableBufferPointer { v in
                for (i, m) in mats.enumerated() where m.rows > 0 {
                    m.values.withUnsafeBufferPointer { src in
                        (v.baseAddress! + i * t * f).update(from: src.baseAddress!, count: m.rows * f)
                    }
                }
            }
            source = .features(Tensor(shape: [b, t, f], scalars: values), lengths: mats.map { Int32($0.rows) })
        case .tokens:
            var seqs: [[Int32]] = []
            for it in items {
                guard case let .tokens(s) = it.sample.source else {
                    throw CorpusError.incompatibleBatch(ids: ids, reason: "tokens mixed with features")
                }
                seqs.append(s)
            }
            let t = seqs.map(\.count).max() ?? 0
            var values = [Int32](repeating: pad, count: b * t)
            for (i, s) in seqs.enumerated() {
                let start = i * t + (leftPadSource ? t - s.count : 0)
                for (k, x) in s.enumerated() { values[start + k] = x }
            }
            source = .tokens(Int32Tensor(shape: [b, t], scalars: values), lengths: seqs.map { Int32($0.count) })
        }
        // Targets: fairseq collate_tokens(target + eos), and with move_eos_to_beginning for the input.
        let s = (items.map(\.sample.target.count).max() ?? 0) + 1
        var target = [Int32](repeating: pad, count: b * s)
        var prev = [Int32](repeating: pad, count: b * s)
        for (i, it) in items.enumerated() {
            let y = it.sample.target
            prev[i * s] = eos
            for (k, x) in y.enumerated() {
                target[i * s + k] = x
                prev[i * s + k + 1] = x
            }
            target[i * s + y.count] = eos
        }
        let tl = items.map { Int32($0.sample.target.count + 1) }
        var batch = Batch(ids: ids, indices: items.map(\.index), source: source,
                          prevOutputTokens: Int32Tensor(shape: [b, s], scalars: prev),
                          target: Int32Tensor(shape: [b, s], scalars: target),
                          targetLengths: tl, targetTokens: tl.reduce(0) { $0 + Int($1) },
                          sourceFrames: source.lengths.reduce(0) { $0 + Int($1) }, position: position)
        let auxiliaries = items.compactMap(\.sample.auxiliaryTarget)
        if auxiliaries.count == b {
            let a = max(1, auxiliaries.map(\.count).max() ?? 0)
            var values = [Int32](repeating: pad, count: b * a)
            for (i, t) in auxiliaries.enumerated() { for (k, x) in t.enumerated() { values[i * a + k] = x } }
            batch.auxiliaryTarget = (Int32Tensor(shape: [b, a], scalars: values), auxiliaries.map { Int32($0.count) })
        }
        return batch
    }
}
