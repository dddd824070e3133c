import Corpus
import Fbank
import Foundation
import TensorCore
import Testing

@Suite struct BatchLoaderTests {
    static let dataset = SizedDataset(sources: (0..<60).map { 3 + ($0 * 13) % 40 }, targets: (0..<60).map { 1 + $0 % 9 })

    static func drain(_ loader: BatchLoader) throws -> [Batch] {
        var it = loader.makeIterator()
        var out: [Batch] = []
        while let b = try it.nextBatch() { out.append(b) }
        return out
    }

    static func same(_ a: [Batch], _ b: [Batch]) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            guard x.ids == y.ids, x.indices == y.indices, x.target == y.target, x.prevOutputTokens == y.prevOutputTokens,
                  x.position == y.position, x.targetTokens == y.targetTokens, x.sourceFrames == y.sourceFrames else { return false }
            guard case let .features(p, pl) = x.source, case let .features(q, ql) = y.source, p == q, pl == ql else { return false }
        }
        return true
    }

    @Test func prefetchDoesNotChangeTheBatchesAndResumeDropsThePrefix() throws {
        let ds = Self.dataset
        let plan = BatchPlan.make(dataset: ds, options: BatchingOptions(maxTokens: 120), seed: 3, epoch: 2, shuffle: true)
        #expect(plan.count > 6)
        let collater = Collater(transforms: FeatureTransforms(utteranceCMVN: UtteranceCMVN(), specAugment: {
            var s = SpecAugment(); s.freqMaskF = 2; s.timeMaskT = 5; return s }()))
        func run(prefetch: Int, workers: Int = 1, start: Int = 0) throws -> [Batch] {
            try Self.drain(BatchLoader(dataset: ds, batches: plan, options: .init(prefetch: prefetch, workers: workers, startBatch: start, epoch: 2,
                                                                                  seed: 3, training: true, collater: collater)))
        }
        let sync = try run(prefetch: 0)
        #expect(sync.count == plan.count)
        #expect(sync.map(\.indices) == plan.map { b in b.sorted { ds.sources[$0] > ds.sources[$1] || (ds.sources[$0] == ds.sources[$1] && b.firstIndex(of: $0)! < b.firstIndex(of: $1)!) } })
        #expect(Self.same(sync, try run(prefetch: 4)))
        #expect(Self.same(sync, try run(prefetch: 1)))
        #expect(Self.same(sync, try run(prefetch: 4, workers: 3)))
        #expect(Self.same(sync, try run(prefetch: 1, workers: 2)))
        for k in [1, 5, plan.count - 1, plan.count] {
            #expect(Self.same(Array(sync.dropFirst(k)), try run(prefetch: 4, start: k)))
            #expect(Self.same(Array(sync.dropFirst(k)), try run(prefetch: 0, start: k)))
            #expect(Self.same(Array(sync.dropFirst(k)), try run(prefetch: 3, workers: 2, start: k)))
        }
        // Chosen positions (one rank's share) give those batches, identical to the full pass's.
        let share = [5, 1, 2, plan.count - 1]
        for (prefetch, workers) in [(0, 1), (4, 1), (3, 2)] {
            let some = try Self.drain(BatchLoader(dataset: ds, batches: plan, options: .init(prefetch: prefetch, workers: workers,
                positions: share, epoch: 2, seed: 3, training: true, collater: collater)))
            #expect(Self.same(share.map { sync[$0] }, some))
        }
        // The Sequence form yields the same batches.
        let viaFor = try BatchLoader(dataset: ds, batches: plan, options: .init(prefetch: 3, epoch: 2, seed: 3, training: true,
                                                                               collater: collater)).map { try $0.get() }
        #expect(Self.same(sync, viaFor))
    }

    @Test func errorsSurfaceOnTheConsumerSideWithTheUtterance() throws {
        var ds = Self.dataset
        let plan = BatchPlan.make(dataset: ds, options: BatchingOptions(maxSentences: 4), seed: 1, epoch: 1, shuffle: false)
        let bad = plan[3][1]
        ds.failing = [bad]
        for (prefetch, workers) in [(0, 1), (2, 1), (3, 2)] {
            var it = BatchLoader(dataset: ds, batches: plan, options: .init(prefetch: prefetch, workers: workers)).makeIterator()
            for _ in 0..<3 { #expect(try it.nextBatch() != nil) }
            #expect(throws: CorpusError.sample(id: "utt\(bad)", location: "sized.tsv:\(bad + 2)", reason: "fails on purpose")) {
                try it.nextBatch()
            }
            #expect(try it.nextBatch() == nil)
        }
    }

    /// The producer holds the loader while it runs; once the consumer drops a half-read iterator the
    /// producer must stop (it is blocked on the full queue) and release it.
    @Test func droppingAnIteratorEarlyStopsTheProducer() throws {
        let ds = Self.dataset
        let plan = BatchPlan.make(dataset: ds, options: BatchingOptions(maxSentences: 2), seed: 1, epoch: 1, shuffle: false)
        #expect(plan.count == 30)
        weak var weakLoader: BatchLoader?
        do {
            let loader = BatchLoader(dataset: ds, batches: plan, options: .init(prefetch: 2, workers: 2))
            weakLoader = loader
            var it = loader.makeIterator()
            _ = try it.nextBatch()
        }
        let deadline = Date().addingTimeInterval(5)
        while weakLoader != nil && Date() < deadline { usleep(10_000) }
        #expect(weakLoader == nil)
    }
}
