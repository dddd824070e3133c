import Testing
import Training

/// How an epoch's batches are shared between the ranks of a data-parallel job.
@Suite struct UpdateSharesTests {
    @Test(arguments: [(9, 0, 1, 1), (9, 0, 2, 1), (9, 0, 1, 2), (10, 3, 2, 3), (5, 0, 3, 4), (7, 7, 2, 2), (1, 0, 1, 3)])
    func ranksPartitionTheEpochInPlanOrder(_ batches: Int, _ start: Int, _ updateFreq: Int, _ ranks: Int) {
        let shares = (0..<ranks).map { TrainingRun.updateShares(batches: batches, from: start, updateFreq: updateFreq, rank: $0, ranks: ranks) }
        // Every rank sees the same number of updates, each advancing the epoch by the same count.
        let updates = shares[0].count
        #expect(shares.allSatisfy { $0.count == updates && $0.map(\.batchesInUpdate) == shares[0].map(\.batchesInUpdate) })
        #expect(shares[0].map(\.batchesInUpdate).reduce(0, +) == batches - start)
        // Update by update, the ranks' positions in rank order are the next batches of the plan.
        var next = start
        for u in 0..<updates {
            let together = (0..<ranks).flatMap { shares[$0][u].positions }
            #expect(together == Array(next..<next + shares[0][u].batchesInUpdate))
            #expect((0..<ranks).allSatisfy { shares[$0][u].positions.count <= updateFreq })
            next += shares[0][u].batchesInUpdate
        }
    }

    @Test func oneRankGroupsUpdateFreqConsecutiveBatches() {
        let shares = TrainingRun.updateShares(batches: 7, from: 2, updateFreq: 2, rank: 0, ranks: 1)
        #expect(shares.map(\.positions) == [[2, 3], [4, 5], [6]])
        #expect(shares.map(\.batchesInUpdate) == [2, 2, 1])
        // Two ranks, one batch each: rank 1 has nothing in the last update of an odd epoch.
        let second = TrainingRun.updateShares(batches: 5, from: 0, updateFreq: 1, rank: 1, ranks: 2)
        #expect(second.map(\.positions) == [[1], [3], []])
    }

    /// `--split-batches`: the ranks' sentence shares of a batch partition it, interleaved, and a batch
    /// with fewer sentences than ranks leaves the last ranks without a share.
    @Test(arguments: [([10, 11, 12, 13, 14], 2), ([3, 1, 2], 3), ([7, 8], 3), ([5], 1), ([Int](), 2)])
    func sentenceSharesPartitionTheBatch(_ batch: [Int], _ ranks: Int) {
        let shares = (0..<ranks).map { TrainingRun.sentenceShare(batch, rank: $0, ranks: ranks) }
        #expect(shares.flatMap { $0 }.sorted() == batch.sorted())
        #expect(shares.map(\.count).max()! - shares.map(\.count).min()! <= 1)
        for (r, share) in shares.enumerated() {
            #expect(share == batch.enumerated().filter { $0.offset % ranks == r }.map(\.element))
        }
        if batch.count < ranks { #expect(shares.last!.isEmpty) }
    }
}
