import Fbank
import SeededRandom

// Shapes: T = frames, F = feature dimension, L = source tokens, S = target tokens (without EOS).

/// The input side of one sample.
public enum SampleSource: Sendable, Equatable {
    /// Speech features, (T, F) row-major: frames × dimensions.
    case features(FeatureMatrix)
    /// Source tokens (L,), e.g. a summarisation article (with its EOS when the dataset appends one).
    case tokens([Int32])

    /// T for features, L for tokens.
    public var length: Int {
        switch self {
        case let .features(m): m.rows
        case let .tokens(t): t.count
        }
    }
}

/// One loaded sample: its id, its source and its target token ids (S,), **without** EOS (the
/// collater adds it: `target + eos`, `eos + target`).
public struct Sample: Sendable, Equatable {
    public var id: String
    public var source: SampleSource
    public var target: [Int32]
    /// A second token sequence, e.g. the source-language transcript an ST encoder's CTC head learns
    /// (no EOS); nil when the dataset has none.
    public var auxiliaryTarget: [Int32]?

    public init(id: String, source: SampleSource, target: [Int32], auxiliaryTarget: [Int32]? = nil) {
        self.id = id
        self.source = source
        self.target = target
        self.auxiliaryTarget = auxiliaryTarget
    }
}

/// How `BatchPlan` orders a dataset before it cuts batches (fairseq's `ordered_indices`).
public enum BatchOrdering: Sendable, Equatable {
    /// `SpeechToTextDataset.ordered_indices`: `np.lexsort([perm, -n_frames])`, i.e. longest source
    /// first, ties in the random (or natural) order.
    case descendingSource
    /// `LanguagePairDataset.ordered_indices`: the random (or natural) order, then a stable sort by
    /// target length, then a stable sort by source length: shortest source first, ties by target
    /// length, then by the permutation.
    case ascendingSourceThenTarget
}

/// A random-access dataset whose sizes are known without loading any sample.
///
/// Implementations are immutable after `init` (or guard their caches with locks), so that the
/// loader's background thread can call `sample` while the trainer reads sizes.
public protocol SampleDataset: Sendable {
    /// Number of samples.
    var count: Int { get }
    /// The utterance id of sample `index`.
    func id(_ index: Int) -> String
    /// Source length used for batching and filtering: frames (as the manifest states them, before
    /// any subsampling) or source tokens.
    func sourceLength(_ index: Int) -> Int
    /// Target tokens, without EOS.
    func targetLength(_ index: Int) -> Int
    /// Loads sample `index`.
    /// - Throws: `CorpusError.sample` naming the utterance and the manifest line.
    func sample(_ index: Int) throws -> Sample

    // Additions (with defaults below).

    /// Source length in epoch `epoch` (differs from `sourceLength` only with per-epoch augmentation
    /// that changes lengths, i.e. speed perturbation).
    func sourceLength(_ index: Int, epoch: Int) -> Int
    /// Sample `index` as epoch `epoch` sees it (speed perturbation picks its factor per epoch).
    func sample(_ index: Int, epoch: Int) throws -> Sample
    /// fairseq's `num_tokens`: what `--max-tokens` counts (source frames for speech; the larger of
    /// source and target, EOS included, for text pairs).
    func numTokens(_ index: Int, epoch: Int) -> Int
    /// The untokenised target text of sample `index` where the dataset has it (references for scoring).
    func referenceText(_ index: Int) -> String?
    /// The order `BatchPlan` sorts this dataset in.
    var ordering: BatchOrdering { get }
    /// Token statistics of the targets (and `<unk>` rate), gathered when the dataset was opened.
    var labelStatistics: LabelStatistics { get }
}

extension SampleDataset {
    public func sourceLength(_ index: Int, epoch: Int) -> Int { sourceLength(index) }
    public func sample(_ index: Int, epoch: Int) throws -> Sample { try sample(index) }
    public func numTokens(_ index: Int, epoch: Int) -> Int { sourceLength(index, epoch: epoch) }
    public var ordering: BatchOrdering { .descendingSource }
    public func referenceText(_ index: Int) -> String? { nil }
    public var labelStatistics: LabelStatistics { LabelStatistics() }
}

/// Token and `<unk>` counts over a set of encoded texts, so that a trainer can warn about a
/// vocabulary that does not fit the data (fairseq logs "'train' has x.xx% OOV").
public struct LabelStatistics: Sendable, Equatable {
    public var sentences = 0
    /// Tokens, EOS not counted.
    public var tokens = 0
    /// Tokens that encoded to `<unk>`.
    public var unknowns = 0

    public init(sentences: Int = 0, tokens: Int = 0, unknowns: Int = 0) {
        self.sentences = sentences
        self.tokens = tokens
        self.unknowns = unknowns
    }

    /// `unknowns / tokens` (0 for no tokens).
    public var unknownRate: Double { tokens == 0 ? 0 : Double(unknowns) / Double(tokens) }

    public mutating func add(_ encoded: EncodedText) {
        sentences += 1
        tokens += encoded.ids.count
        unknowns += encoded.unknowns
    }
}

/// Token ids of one text and how many of them are `<unk>`.
public struct EncodedText: Sendable, Equatable {
    public var ids: [Int32]
    public var unknowns: Int
    public init(ids: [Int32], unknowns: Int) {
        self.ids = ids
        self.unknowns = unknowns
    }
}

/// Text → token ids (no EOS), e.g. SentencePiece + a fairseq dictionary, or a word list.
public protocol TextEncoding: Sendable {
    func encode(_ text: String) throws -> [Int32]
    /// The id `encode` gives unknown symbols (`nil`: it has none). Default `nil`.
    var unknownID: Int32? { get }
    /// `encode` plus the number of `<unk>` ids produced. The default counts `unknownID`.
    func encodeCountingUnknowns(_ text: String) throws -> EncodedText
    /// Size of the id space `encode` maps into (the model's vocabulary), when the encoding knows it.
    var vocabularySize: Int? { get }
    /// The symbol of every id (specials included), for turning ids back into text; nil when unknown.
    var symbols: [String]? { get }
}

extension TextEncoding {
    public var unknownID: Int32? { nil }
    public var vocabularySize: Int? { nil }
    public var symbols: [String]? { nil }
    public func encodeCountingUnknowns(_ text: String) throws -> EncodedText {
        let ids = try encode(text)
        guard let unk = unknownID else { return EncodedText(ids: ids, unknowns: 0) }
        return EncodedText(ids: ids, unknowns: ids.reduce(0) { $0 + ($1 == unk ? 1 : 0) })
    }
}

/// Per-sample random streams derived from (seed, epoch, index, purpose), so that augmentation is the
/// same whatever the order, the thread or the resume point that loads a sample.
public enum SampleRandom {
    /// What a stream is for (distinct streams for distinct uses of one sample).
    public enum Purpose: UInt64, Sendable {
        case speedPerturbation = 1
        case specAugment = 2
        case order = 3
        case batchShuffle = 4
    }

    /// The generator for sample `index` in `epoch`.
    public static func generator(seed: UInt64, epoch: Int, index: Int, purpose: Purpose) -> Xoshiro256 {
        var mix = SplitMix64(state: purpose.rawValue &* 0xD6E8_FEB8_6659_FD93)
        mix.state ^= UInt64(bitPattern: Int64(epoch)) &* 0x9E37_79B9_7F4A_7C15
        let a = mix.next()
        mix.state ^= UInt64(bitPattern: Int64(index))
        let b = mix.next()
        return Xoshiro256(seed: seed, stream: a ^ (b &* 0xBF58_476D_1CE4_E5B9))
    }
}
