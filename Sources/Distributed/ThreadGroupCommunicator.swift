import Foundation

/// One rank of a job whose ranks are threads of this process (`mtla train --ranks N`): the same
/// collectives as `MPICommunicator`, over shared memory, without MPI. Each rank owns its model,
/// optimiser and data; a collective reads the other ranks' buffers directly between two barriers,
/// so a gradient all-reduce costs one pass over the gradients rather than MPI's copies.
///
/// Sums run in rank order on every element (rank 0's value + rank 1's + …), so a job's result does
/// not depend on thread timing. Each rank calls its collectives from its own thread.
///
/// Every check of what the ranks posted is made by every rank on the same data, so when one rank finds
/// a mismatch all of them throw before any reads another's buffer: no rank leaves a collective (and
/// frees its buffer) while another still uses it.
public final class ThreadGroupCommunicator: Communicator {
    public let rank: Int
    public var size: Int { group.size }
    let group: ThreadGroup

    init(rank: Int, group: ThreadGroup) {
        self.rank = rank
        self.group = group
    }

    public var sharesMemory: Bool { true }

    public var summary: String { "thread rank \(rank) of \(size) in process \(getpid())" }

    /// Runs `body` as every rank of a job of `ranks` threads: rank 0 on the calling thread, the others
    /// on new threads, and returns when all have returned.
    ///
    /// A rank that throws wakes the others out of their collectives (they throw too), and the first
    /// error is rethrown here once every rank has stopped.
    /// - Parameters:
    ///   - timeout: seconds one collective may wait for the other ranks (`MTLA_COLLECTIVE_TIMEOUT`).
    ///   - stackBytes: each new thread's stack (the calling thread keeps its own).
    public static func run(ranks: Int, timeout: TimeInterval = DistributedLaunch.defaultTimeout, stackBytes: Int = 64 << 20,
                           _ body: @escaping @Sendable (any Communicator) throws -> Void) throws {
        precondition(ranks >= 1, "a job has at least one rank, got \(ranks)")
        let group = ThreadGroup(size: ranks, timeout: timeout)
        let errors = ErrorSlots(count: ranks)
        let done = DispatchGroup()
        let runRank: @Sendable (Int) -> Void = { r in
            do {
                try body(ThreadGroupCommunicator(rank: r, group: group))
                // A rank that is done fails any collective another rank still waits in, at once
                // (rather than after the timeout); when every rank is done, nobody waits.
                group.fail(rank: r, message: "it had returned (its job ended before the others')")
            } catch {
                errors.set(r, error)
                group.fail(rank: r, message: "\(error)")
            }
        }
        for r in 1..<ranks {
            done.enter()
            let thread = Thread { runRank(r); done.leave() }
            thread.stackSize = stackBytes
            thread.name = "mtla-rank-\(r)"
            thread.start()
        }
        runRank(0)
        done.wait()
        // The cause: the error of the rank that failed first, not the others' wake-up errors.
        if let first = errors.first(preferring: group.failedRank) { throw first }
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>, operation: String) throws {
        try group.barrier(rank: rank, operation: operation, post: .doubles(values))
        var sums = [Double](repeating: 0, count: values.count)
        for r in 0..<size {
            guard case let .doubles(other) = group.postings[r], other.count == values.count else {
                try mismatch(operation, "rank \(r) sent another length than rank \(rank)'s \(values.count)")
            }
            for i in 0..<sums.count { sums[i] += other[i] }
        }
        try group.barrier(rank: rank, operation: operation)
        for i in 0..<sums.count { values[i] = sums[i] }
    }

    /// Each rank sums its own slice of every bucket over all ranks and writes the sum into every
    /// rank's bucket: one read of each rank's gradients and one write, shared between the ranks.
    public func allReduceSum(buckets: [UnsafeMutableBufferPointer<Float>], operation: String) throws {
        try group.barrier(rank: rank, operation: operation, post: .floats(buckets))
        var all: [[UnsafeMutableBufferPointer<Float>]] = []
        for r in 0..<size {
            guard case let .floats(other) = group.postings[r], other.map(\.count) == buckets.map(\.count) else {
                try mismatch(operation, "rank \(r)'s buckets differ in number or size from rank \(rank)'s")
            }
            all.append(other)
        }
        for b in buckets.indices {
            let n = buckets[b].count
            let lo = n * rank / size, hi = n * (rank + 1) / size
            guard lo < hi else { continue }
            let sources = all.map { $0[b].baseAddress! }
            sumInPlace(sources, range: lo..<hi)
        }
        try group.barrier(rank: rank, operation: operation)
    }

    /// `sources[k][i] = Σ_r sources[r][i]` for every k and i in `range`, summed in rank order.
    private func sumInPlace(_ sources: [UnsafeMutablePointer<Float>], range: Range<Int>) {
        let first = sources[0]
        for r in 1..<sources.count {
            let other = sources[r]
            for i in range { first[i] += other[i] }
        }
        for r in 1..<sources.count {
            (sources[r] + range.lowerBound).update(from: first + range.lowerBound, count: range.count)
        }
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int, operation: String) throws {
        try group.barrier(rank: rank, operation: operation, post: .bytes(bytes))
        // Every rank checks every length, so that all of them throw (none copies) when one differs.
        for r in 0..<size {
            guard case let .bytes(other) = group.postings[r], other.count == bytes.count else {
                try mismatch(operation, "rank \(r)'s buffer differs in length from rank \(rank)'s \(bytes.count) bytes")
            }
        }
        guard case let .bytes(source) = group.postings[root] else { preconditionFailure("checked above") }
        if rank != root, bytes.count > 0 { bytes.baseAddress!.copyMemory(from: source.baseAddress!, byteCount: bytes.count) }
        try group.barrier(rank: rank, operation: operation)
    }

    public func allGather(_ bytes: [UInt8], operation: String) throws -> [[UInt8]] {
        try group.barrier(rank: rank, operation: operation, post: .array(bytes))
        let all: [[UInt8]] = try (0..<size).map { r in
            guard case let .array(value) = group.postings[r] else { try mismatch(operation, "rank \(r) is in another collective") }
            return value
        }
        try group.barrier(rank: rank, operation: operation)
        return all
    }

    public func barrier(operation: String) throws {
        try group.barrier(rank: rank, operation: operation, post: ThreadGroupPosting.none)
    }

    /// Stops the whole process (every rank is a thread of it).
    public func abort(message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data(("mtla thread rank \(rank) of \(size): " + message + "\n").utf8))
        exit(code)
    }

    public func finish() {}

    /// Reports a disagreement to the other ranks (so that none waits for this one) and throws it.
    private func mismatch(_ operation: String, _ detail: String) throws -> Never {
        group.fail(rank: rank, message: detail)
        throw DistributedError.mismatch(operation: operation, detail: detail)
    }
}

/// Each rank's error (if it threw).
private final class ErrorSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [(any Error)?]
    init(count: Int) { errors = Array(repeating: nil, count: count) }
    func set(_ rank: Int, _ error: any Error) { lock.lock(); errors[rank] = error; lock.unlock() }
    /// `rank`'s error when it has one, else the lowest rank's.
    func first(preferring rank: Int?) -> (any Error)? {
        lock.lock(); defer { lock.unlock() }
        if let rank, let e = errors[rank] { return e }
        return errors.compactMap { $0 }.first
    }
}
