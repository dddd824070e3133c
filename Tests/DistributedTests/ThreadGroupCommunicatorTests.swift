import Distributed
import Foundation
import Synchronization
import Testing

/// The collectives of ranks that are threads of one process, checked against sums and copies
/// computed directly.
@Suite struct ThreadGroupCommunicatorTests {
    /// What each rank saw, collected from the rank threads.
    final class Results: Sendable {
        let values = Mutex<[Int: [String]]>([:])
        func add(_ rank: Int, _ line: String) { values.withLock { $0[rank, default: []].append(line) } }
        subscript(rank: Int) -> [String] { values.withLock { $0[rank] ?? [] } }
    }

    @Test func everyCollectiveOfThreeRanks() throws {
        let results = Results()
        try ThreadGroupCommunicator.run(ranks: 3, timeout: 60) { c in
            let r = c.rank
            results.add(r, "size \(c.size) shares \(c.sharesMemory) main \(c.isMain)")
            // Doubles: rank r contributes (r + 1) · [1, 10, 100].
            results.add(r, "doubles \(try c.allReduceSum([Double(r + 1), Double(10 * (r + 1)), Double(100 * (r + 1))], operation: "doubles"))")
            // Float buckets of sizes 7, 1 and 0 (fewer elements than ranks, and none): element i of
            // bucket b on rank r is r·1000 + b·100 + i.
            var buckets = [7, 1, 0].enumerated().map { b, n in (0..<n).map { Float(r * 1000 + b * 100 + $0) } }
            var pointers: [UnsafeMutableBufferPointer<Float>] = []
            for b in buckets.indices {
                let p = UnsafeMutableBufferPointer<Float>.allocate(capacity: buckets[b].count)
                _ = p.initialize(from: buckets[b])
                pointers.append(p)
            }
            try c.allReduceSum(buckets: pointers, operation: "buckets")
            buckets = pointers.map { Array($0) }
            pointers.forEach { $0.deallocate() }
            results.add(r, "buckets \(buckets)")
            // Broadcast from rank 1, and a gather of strings of different lengths.
            results.add(r, "broadcast \(try c.broadcast(r == 1 ? [9, 8, 7] : [], root: 1, operation: "broadcast"))")
            results.add(r, "gather \(try c.allGather(String(repeating: "x", count: r), operation: "gather"))")
            try c.barrier(operation: "end")
        }
        let expectedBuckets: [[Float]] = [(0..<7).map { Float(3000 + 3 * $0) }, [Float(3000 + 300)], []]
        for r in 0..<3 {
            #expect(results[r] == ["size 3 shares true main \(r == 0)", "doubles [6.0, 60.0, 600.0]", "buckets \(expectedBuckets)", "broadcast [9, 8, 7]",
                                   "gather [\"\", \"x\", \"xx\"]"], "rank \(r): \(results[r])")
        }
    }

    /// Sums of many floats equal rank-order sums computed here, bit for bit, whatever the thread timing.
    @Test func largeBucketSumsAreInRankOrder() throws {
        let n = 100_003
        @Sendable func value(_ r: Int, _ i: Int) -> Float { Float(sin(Double(i * (r + 3)))) * Float(1 << (r * 7)) }
        let mismatches = Mutex(0)
        try ThreadGroupCommunicator.run(ranks: 3, timeout: 60) { c in
            let p = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
            defer { p.deallocate() }
            for i in 0..<n { p[i] = value(c.rank, i) }
            try c.allReduceSum(buckets: [p], operation: "big")
            var wrong = 0
            for i in 0..<n where p[i] != (value(0, i) + value(1, i)) + value(2, i) { wrong += 1 }
            mismatches.withLock { $0 += wrong }
        }
        #expect(mismatches.withLock { $0 } == 0)
    }

    /// A rank that throws wakes the ranks waiting for it; the job rethrows the rank's own error.
    @Test func aFailingRankStopsTheOthers() throws {
        struct Boom: Error, Equatable {}
        let passed = Mutex(0)
        let start = Date()
        #expect(throws: Boom()) {
            try ThreadGroupCommunicator.run(ranks: 3, timeout: 60) { c in
                if c.rank == 2 { usleep(50_000); throw Boom() }
                try c.barrier(operation: "wait for rank 2")
                passed.withLock { $0 += 1 }   // a barrier that rank 2 never reached
            }
        }
        #expect(passed.withLock { $0 } == 0)
        #expect(Date().timeIntervalSince(start) < 10)
    }

    /// A rank that returns while another waits in a collective fails that collective at once
    /// (instead of after the collective timeout).
    @Test func aRankThatReturnsEarlyReleasesTheOthers() throws {
        let start = Date()
        do {
            try ThreadGroupCommunicator.run(ranks: 2, timeout: 600) { c in
                if c.rank == 1 { return }
                try c.barrier(operation: "wait for rank 1")
            }
            Issue.record("rank 0 passed a barrier that rank 1 never reached")
        } catch let error as DistributedError {
            #expect("\(error)".contains("wait for rank 1") && "\(error)".contains("rank 1 failed: it had returned"), "\(error)")
        }
        #expect(Date().timeIntervalSince(start) < 10)
    }

    /// Ranks in different collectives, or with buffers of different sizes, are an error on every rank.
    @Test func disagreeingRanksAreReported() throws {
        #expect(throws: DistributedError.self) {
            try ThreadGroupCommunicator.run(ranks: 2, timeout: 60) { c in
                try c.barrier(operation: c.rank == 0 ? "save checkpoint 4" : "all-reduce gradients, update 5")
            }
        }
        do {
            try ThreadGroupCommunicator.run(ranks: 2, timeout: 60) { c in
                _ = try c.allReduceSum([Double](repeating: 1, count: 2 + c.rank), operation: "statistics")
            }
            Issue.record("different lengths were summed")
        } catch let error as DistributedError {
            #expect("\(error)".contains("statistics") && "\(error)".contains("another length"), "\(error)")
        }
    }

    @Test func oneRankIsTheCallingThreadAlone() throws {
        let thread = Mutex<String?>(nil)
        let caller = Thread.current.description
        try ThreadGroupCommunicator.run(ranks: 1) { c in
            let sum = try c.allReduceSum([2.5], operation: "one")
            thread.withLock { $0 = "\(c.rank) \(c.size) \(sum) \(Thread.current.description == caller)" }
        }
        #expect(thread.withLock { $0 } == "0 1 [2.5] true")
    }
}
