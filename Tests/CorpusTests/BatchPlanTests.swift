import Corpus
import Foundation
import Testing
import _TestSupport

/// The batch plan against fairseq's own `batch_by_size`, `_filter_by_size_dynamic` and
/// `ordered_indices` (Data/golden/corpus/batching.json, Tools/golden/make_corpus_goldens.py).
@Suite struct BatchPlanTests {
    struct Golden: Decodable {
        struct Case: Decodable {
            var name: String
            var ordering: String
            var source_lengths: [Int]
            var target_lengths: [Int]
            var permutation: [Int]
            var max_tokens: Int?
            var max_sentences: Int?
            var required_multiple: Int
            var max_source_positions: Int
            var max_target_positions: Int
            var ordered: [Int]
            var filtered_out: [Int]
            var too_big_for_max_tokens: [Int]
            var batches: [[Int]]
        }
        var cases: [Case]
    }

    static func golden() throws -> Golden {
        try JSONDecoder().decode(Golden.self, from: Data(contentsOf: TestData.url("golden/corpus/batching.json")))
    }

    @Test func fairseqGoldenPlans() throws {
        let g = try Self.golden()
        #expect(g.cases.count == 12)
        for c in g.cases {
            let ordering: BatchOrdering = c.ordering == "descendingSource" ? .descendingSource : .ascendingSourceThenTarget
            let ds = SizedDataset(sources: c.source_lengths, targets: c.target_lengths, order: ordering,
                                  pairTokens: ordering == .ascendingSourceThenTarget)
            let ordered = BatchPlan.orderedIndices(sourceLengths: c.source_lengths, targetLengths: c.target_lengths,
                                                   ordering: ordering, permutation: c.permutation)
            #expect(ordered == c.ordered, "\(c.name): ordered indices")
            let options = BatchingOptions(maxTokens: c.max_tokens, maxSentences: c.max_sentences,
                                          requiredMultiple: c.required_multiple,
                                          maxSourcePositions: c.max_source_positions,
                                          maxTargetPositions: c.max_target_positions)
            let plan = BatchPlan.filterAndBatch(dataset: ds, options: options, epoch: 1, orderedIndices: ordered)
            #expect(plan.batches == c.batches, "\(c.name): batches")
            let filtered = plan.skipped.filter { $0.reason != .incompleteLastBatch }.map(\.index)
            #expect(filtered == c.filtered_out + c.too_big_for_max_tokens, "\(c.name): skipped")
            // Everything is either batched once or skipped once.
            let all = plan.batches.flatMap { $0 } + plan.skipped.map(\.index)
            #expect(all.sorted() == Array(0..<ds.count), "\(c.name): coverage")
        }
    }

    /// Worked by hand from `batch_by_size_vec`: tokens 10 8 8 5 3 3 under max_tokens 20 give
    /// [10 8] (2·10 = 20), [8 5] (adding 8 to the first makes 30; 2·8 = 16), [3 3] (adding 3 makes 3·8 = 24).
    @Test func handComputedGreedyBatches() {
        let b = BatchPlan.batchBySize(indices: [7, 3, 5, 0, 1, 2], numTokens: [10, 8, 8, 5, 3, 3], maxTokens: 20,
                                      maxSentences: nil, requiredMultiple: 1)
        #expect(b == [[7, 3], [5, 0], [1, 2]])
        // max_sentences 2 with no token budget: pairs.
        #expect(BatchPlan.batchBySize(indices: Array(0..<5), numTokens: [1, 1, 1, 1, 1], maxTokens: nil,
                                      maxSentences: 2, requiredMultiple: 1) == [[0, 1], [2, 3], [4]])
        // bsz multiple 2 under max_tokens 9 with equal lengths 3: three would fit (9), but a batch only
        // grows in steps of 2, and the 4th sample overflows (12), so the batch closes at 2.
        #expect(BatchPlan.batchBySize(indices: Array(0..<6), numTokens: [3, 3, 3, 3, 3, 3], maxTokens: 9,
                                      maxSentences: nil, requiredMultiple: 2) == [[0, 1], [2, 3], [4, 5]])
    }

    @Test func lengthFiltersReportTheSkippedIDs() {
        let ds = SizedDataset(sources: [10, 500, 3, 20, 30], targets: [5, 5, 5, 100, 5])
        let plan = BatchPlan.build(dataset: ds, options: BatchingOptions(maxTokens: 100, maxSourcePositions: 400,
                                                                         maxTargetPositions: 100, minSourceLength: 5),
                                   seed: 1, epoch: 1, shuffle: false)
        #expect(plan.skippedIDs == ["utt1", "utt3", "utt2"])  // in sorted (descending source) order
        #expect(plan.skipped.map(\.reason) == [.sourceTooLong(length: 500, limit: 400),
                                               .targetTooLong(length: 101, limit: 100),
                                               .sourceTooShort(length: 3, limit: 5)])
        #expect(plan.batches == [[4, 0]])
        // A sample larger than the whole budget is skipped, not a crash (fairseq asserts).
        let big = BatchPlan.build(dataset: SizedDataset(sources: [50, 10], targets: [1, 1]),
                                  options: BatchingOptions(maxTokens: 40), seed: 1, epoch: 1, shuffle: false)
        #expect(big.skipped == [SkippedSample(index: 0, id: "utt0", reason: .exceedsMaxTokens(tokens: 50, limit: 40))])
        #expect(big.batches == [[1]])
    }

    @Test func shuffledPlansAreSeededAndCoverEverything() {
        let sizes = (0..<200).map { 5 + ($0 * 37) % 300 }
        let ds = SizedDataset(sources: sizes, targets: sizes.map { $0 % 17 })
        let opts = BatchingOptions(maxTokens: 2000, requiredMultiple: 1)
        let a = BatchPlan.make(dataset: ds, options: opts, seed: 5, epoch: 3, shuffle: true)
        #expect(a == BatchPlan.make(dataset: ds, options: opts, seed: 5, epoch: 3, shuffle: true))
        #expect(a != BatchPlan.make(dataset: ds, options: opts, seed: 5, epoch: 4, shuffle: true))
        #expect(a != BatchPlan.make(dataset: ds, options: opts, seed: 6, epoch: 3, shuffle: true))
        #expect(a.flatMap { $0 }.sorted() == Array(0..<200))
        for b in a { #expect(b.count * b.map { sizes[$0] }.max()! <= 2000) }
        // Validation: no shuffling, longest first, deterministic.
        let v = BatchPlan.make(dataset: ds, options: opts, seed: 5, epoch: 3, shuffle: false)
        #expect(v == BatchPlan.make(dataset: ds, options: opts, seed: 99, epoch: 9, shuffle: false))
        let flat = v.flatMap { $0 }.map { sizes[$0] }
        #expect(flat == flat.sorted(by: >))
        // The permutation is a permutation.
        let p = BatchPlan.permutation(count: 1000, seed: 1, epoch: 1)
        #expect(p.sorted() == Array(0..<1000) && p != Array(0..<1000))
    }
}
