import SeededRandom

/// Size limits for `BatchPlan` (fairseq's `--max-tokens`, `--batch-size`, `--required-batch-size-multiple`,
/// `--max-source-positions`, `--max-target-positions`, and the S2T prep's minimum of 5 frames).
public struct BatchingOptions: Sendable, Equatable, Codable {
    /// Budget per batch: (largest `numTokens` in the batch) × (batch size) ≤ maxTokens. nil: none.
    public var maxTokens: Int?
    /// At most this many samples per batch. nil: none.
    public var maxSentences: Int?
    /// Batch sizes are a multiple of this (or smaller than it); a last batch that is not is dropped.
    public var requiredMultiple: Int
    /// Samples whose source is longer are skipped. nil: no limit.
    public var maxSourcePositions: Int?
    /// Samples whose target + EOS is longer are skipped. nil: no limit.
    public var maxTargetPositions: Int?
    /// Samples whose source is shorter are skipped.
    public var minSourceLength: Int

    public init(maxTokens: Int? = nil, maxSentences: Int? = nil, requiredMultiple: Int = 1,
                maxSourcePositions: Int? = nil, maxTargetPositions: Int? = nil, minSourceLength: Int = 0) {
        self.maxTokens = maxTokens
        self.maxSentences = maxSentences
        self.requiredMultiple = requiredMultiple
        self.maxSourcePositions = maxSourcePositions
        self.maxTargetPositions = maxTargetPositions
        self.minSourceLength = minSourceLength
    }

    enum CodingKeys: String, CodingKey {
        case maxTokens = "max_tokens", maxSentences = "max_sentences", requiredMultiple = "required_batch_size_multiple"
        case maxSourcePositions = "max_source_positions", maxTargetPositions = "max_target_positions"
        case minSourceLength = "min_source_length"
    }
}

/// A sample left out of every batch, and why.
public struct SkippedSample: Sendable, Equatable {
    public enum Reason: Sendable, Equatable {
        /// source length > `maxSourcePositions`.
        case sourceTooLong(length: Int, limit: Int)
        /// target length + EOS > `maxTargetPositions`.
        case targetTooLong(length: Int, limit: Int)
        /// source length < `minSourceLength`.
        case sourceTooShort(length: Int, limit: Int)
        /// `numTokens` > `maxTokens` on its own (fairseq stops with an assertion instead).
        case exceedsMaxTokens(tokens: Int, limit: Int)
        /// In the last batch, dropped because its size is not a multiple of `requiredMultiple`.
        case incompleteLastBatch
    }
    public var index: Int
    public var id: String
    public var reason: Reason

    public init(index: Int, id: String, reason: Reason) {
        self.index = index
        self.id = id
        self.reason = reason
    }
}

/// The batches of one epoch, fairseq's way (`FairseqTask.get_batch_iterator`):
/// 1. `ordered_indices`: a random permutation (seeded by seed and epoch; the identity without
///    `shuffle`) sorted by length as the dataset's `ordering` says;
/// 2. `filter_indices_by_size`: samples outside the length limits are skipped (and reported);
/// 3. `batch_by_size`: greedy batches under `maxTokens`/`maxSentences`/`requiredMultiple`
///    (`data_utils_fast.batch_by_size_vec`, ported step for step);
/// 4. with `shuffle`, the batches themselves are shuffled per epoch (`EpochBatchIterator`), otherwise
///    kept in order (validation).
/// The same (dataset sizes, options, seed, epoch, shuffle) always give the same plan.
public struct BatchPlan: Sendable, Equatable {
    /// Dataset indices per batch, in the order they are to be used.
    public var batches: [[Int]]
    /// Samples in no batch, in the order they were met.
    public var skipped: [SkippedSample]

    public init(batches: [[Int]], skipped: [SkippedSample]) {
        self.batches = batches
        self.skipped = skipped
    }

    /// Ids of the skipped samples.
    public var skippedIDs: [String] { skipped.map(\.id) }
    /// Samples in batches.
    public var sampleCount: Int { batches.reduce(0) { $0 + $1.count } }

    /// The batches of epoch `epoch` (see the type's description).
    public static func make(dataset: any SampleDataset, options: BatchingOptions, seed: UInt64, epoch: Int,
                            shuffle: Bool) -> [[Int]] {
        build(dataset: dataset, options: options, seed: seed, epoch: epoch, shuffle: shuffle).batches
    }

    /// The batches and the skipped samples of epoch `epoch`.
    public static func build(dataset: any SampleDataset, options: BatchingOptions, seed: UInt64, epoch: Int,
                             shuffle: Bool) -> BatchPlan {
        let n = dataset.count
        let src = (0..<n).map { dataset.sourceLength($0, epoch: epoch) }
        let tgt = (0..<n).map { dataset.targetLength($0) }
        let perm = shuffle ? permutation(count: n, seed: seed, epoch: epoch) : Array(0..<n)
        let ordered = orderedIndices(sourceLengths: src, targetLengths: tgt, ordering: dataset.ordering, permutation: perm)
        var plan = filterAndBatch(dataset: dataset, options: options, epoch: epoch, orderedIndices: ordered)
        if shuffle {
            var rng = SampleRandom.generator(seed: seed, epoch: epoch, index: 0, purpose: .batchShuffle)
            fisherYates(&plan.batches, &rng)
        }
        return plan
    }

    /// Steps 2 and 3 for indices already ordered: the length filters (in that order: source too
    /// long, target + EOS too long, source too short, over `maxTokens` alone), then `batch_by_size`,
    /// then the drop of an incomplete last batch. Batches stay in order.
    public static func filterAndBatch(dataset: any SampleDataset, options: BatchingOptions, epoch: Int,
                                      orderedIndices ordered: [Int]) -> BatchPlan {
        var kept: [Int] = []
        var skipped: [SkippedSample] = []
        kept.reserveCapacity(ordered.count)
        for i in ordered {
            let src = dataset.sourceLength(i, epoch: epoch), tgt = dataset.targetLength(i)
            var reason: SkippedSample.Reason?
            if let m = options.maxSourcePositions, src > m {
                reason = .sourceTooLong(length: src, limit: m)
            } else if let m = options.maxTargetPositions, tgt + 1 > m {
                reason = .targetTooLong(length: tgt + 1, limit: m)
            } else if src < options.minSourceLength {
                reason = .sourceTooShort(length: src, limit: options.minSourceLength)
            } else if let m = options.maxTokens, m > 0, dataset.numTokens(i, epoch: epoch) > m {
                reason = .exceedsMaxTokens(tokens: dataset.numTokens(i, epoch: epoch), limit: m)
            }
            if let reason { skipped.append(SkippedSample(index: i, id: dataset.id(i), reason: reason)) } else { kept.append(i) }
        }
        var batches = batchBySize(indices: kept, numTokens: kept.map { dataset.numTokens($0, epoch: epoch) },
                                  maxTokens: options.maxTokens, maxSentences: options.maxSentences,
                                  requiredMultiple: options.requiredMultiple)
        if options.requiredMultiple > 1, let last = batches.last, last.count % options.requiredMultiple != 0 {
            for i in last { skipped.append(SkippedSample(index: i, id: dataset.id(i), reason: .incompleteLastBatch)) }
            batches.removeLast()
        }
        return BatchPlan(batches: batches, skipped: skipped)
    }

    /// A uniformly random permutation of `0..<count` for (seed, epoch) (Fisher–Yates on `Xoshiro256`;
    /// it plays the role of numpy's `np.random.permutation` under `numpy_seed(seed + epoch)`, with
    /// different numbers).
    public static func permutation(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var p = Array(0..<count)
        var rng = SampleRandom.generator(seed: seed, epoch: epoch, index: 0, purpose: .order)
        fisherYates(&p, &rng)
        return p
    }

    static func fisherYates<T>(_ a: inout [T], _ rng: inout Xoshiro256) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            a.swapAt(i, Int(rng.next() % UInt64(i + 1)))
        }
    }

    /// fairseq's `ordered_indices` given the permutation it would draw.
    /// - `.descendingSource`: `np.lexsort([permutation, -sourceLengths])`: indices by decreasing source
    ///   length, ties by increasing `permutation[i]` (the permutation is used as a random *key*).
    /// - `.ascendingSourceThenTarget`: `indices = permutation`, then stable sorts by target length and by
    ///   source length (the permutation is used as a random *sequence*).
    public static func orderedIndices(sourceLengths src: [Int], targetLengths tgt: [Int], ordering: BatchOrdering,
                                      permutation perm: [Int]) -> [Int] {
        precondition(src.count == perm.count && tgt.count == perm.count)
        switch ordering {
        case .descendingSource:
            return (0..<perm.count).sorted { a, b in
                src[a] != src[b] ? src[a] > src[b] : perm[a] < perm[b]
            }
        case .ascendingSourceThenTarget:
            // A stable sort of the permuted sequence by (source, target): ties keep their position.
            let positioned = perm.enumerated().map { (position: $0.offset, index: $0.element) }
            return positioned.sorted { a, b in
                if src[a.index] != src[b.index] { return src[a.index] < src[b.index] }
                if tgt[a.index] != tgt[b.index] { return tgt[a.index] < tgt[b.index] }
                return a.position < b.position
            }.map(\.index)
        }
    }

    /// fairseq's `batch_by_size_vec` (`data_utils_fast.pyx`), step for step: batches of consecutive
    /// `indices` such that (batch size) × (largest `numTokens` in it) ≤ `maxTokens` and size ≤
    /// `maxSentences`; a batch grows in steps of `requiredMultiple` samples where it can. The last
    /// batch is returned even when its size is not a multiple (the caller drops it, as
    /// `data_utils.batch_by_size` does).
    /// - Parameter numTokens: per position of `indices`.
    /// - Precondition: every `numTokens` ≤ `maxTokens` (fairseq asserts this).
    public static func batchBySize(indices: [Int], numTokens tok: [Int], maxTokens: Int?, maxSentences: Int?,
                                   requiredMultiple: Int) -> [[Int]] {
        precondition(indices.count == tok.count)
        let bszMult = Swift.max(1, requiredMultiple)
        let n = indices.count
        if n == 0 { return [] }
        let maxTok = maxTokens ?? -1, maxSent = maxSentences ?? -1
        precondition(maxTok <= 0 || tok.max()! <= maxTok, "sentence lengths should not exceed max_tokens=\(maxTok)")
        var ends = [Int](repeating: 0, count: n + 2)
        var count = 0, batchStart = 0
        var tailMax = 0, batchMax = 0
        for pos in 0..<n {
            tailMax = max(tailMax, tok[pos])
            let newEnd = pos + 1
            var newBatchMax = max(batchMax, tailMax)
            let newSentences = newEnd - batchStart
            let newNumTokens = newSentences * newBatchMax
            let overflow = (maxSent > 0 && newSentences > maxSent) || (maxTok > 0 && newNumTokens > maxTok)
            let sizeMatches = newSentences < bszMult || newSentences % bszMult == 0
            if overflow {
                let tailNumTokens = tailMax * (newEnd - ends[count])
                if maxTok > 0 && tailNumTokens > maxTok {
                    count += 1
                    ends[count] = pos
                    tailMax = tok[pos]
                }
                batchStart = ends[count]
                count += 1
                newBatchMax = tailMax
            }
            if overflow || sizeMatches {
                ends[count] = newEnd
                batchMax = newBatchMax
                tailMax = 0
            }
        }
        if ends[count] != n { count += 1 }
        // np.split(indices, ends[:count])
        var out: [[Int]] = []
        var start = 0
        for k in 0..<count {
            out.append(Array(indices[start..<ends[k]]))
            start = ends[k]
        }
        out.append(Array(indices[start..<n]))
        return out.filter { !$0.isEmpty }
    }
}
