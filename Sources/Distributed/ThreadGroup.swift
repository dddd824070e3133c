import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What one rank of a `ThreadGroup` hands to the others for the collective in progress: pointers
/// into its own memory, valid until the collective's last barrier.
enum ThreadGroupPosting {
    case none
    case floats([UnsafeMutableBufferPointer<Float>])
    case doubles(UnsafeMutableBufferPointer<Double>)
    case bytes(UnsafeMutableRawBufferPointer)
    case array([UInt8])
}

/// The state the ranks of one process share: a reusable barrier, each rank's posting for the
/// collective in progress, and the first failure.
///
/// Every collective is post → barrier → read the others' postings (and write one's own share) →
/// barrier, so a posting is never read after its owner has left the collective. The lock around the
/// barrier orders the memory accesses on either side of it.
///
/// A rank that fails (`fail`) wakes the others: their current or next barrier throws, so every rank
/// unwinds instead of waiting forever. A barrier that waits longer than `timeout` means a rank
/// hangs outside any collective: the process prints what it waited in and exits with status 3, as
/// `CollectiveWatchdog` does for MPI.
final class ThreadGroup: @unchecked Sendable {
    let size: Int
    let timeout: TimeInterval
    private let condition = NSCondition()
    private var arrived = 0
    private var generation = 0
    private var operations: [String]
    private var failure: String?
    /// The rank whose failure woke the others (nil while none has failed).
    private(set) var failedRank: Int?
    /// Each rank's posting (read between a collective's barriers).
    private(set) var postings: [ThreadGroupPosting]

    init(size: Int, timeout: TimeInterval) {
        precondition(size >= 1, "a group has at least one rank, got \(size)")
        self.size = size
        self.timeout = timeout
        postings = Array(repeating: .none, count: size)
        operations = Array(repeating: "", count: size)
    }

    /// Records that `rank` failed, or left the job while others may still wait for it (the first
    /// failure wins), and wakes every waiting rank: their current and later barriers throw.
    func fail(rank: Int, message: String) {
        condition.lock()
        if failure == nil { (failure, failedRank) = ("rank \(rank) failed: \(message)", rank) }
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until every rank has arrived, after replacing `rank`'s posting by `post` (when given).
    /// - Throws: `DistributedError.mismatch` when the ranks arrive from different collectives, or
    ///   after another rank has failed.
    func barrier(rank: Int, operation: String, post: ThreadGroupPosting? = nil) throws {
        condition.lock()
        defer { condition.unlock() }
        if let post { postings[rank] = post }
        operations[rank] = operation
        if let failure { throw DistributedError.mismatch(operation: operation, detail: failure) }
        let mine = generation
        arrived += 1
        if arrived == size {
            if let other = operations.first(where: { $0 != operation }) {
                // The barrier does not complete: every rank in it throws.
                failure = "one rank is in '\(other)', another in '\(operation)'"
            } else {
                arrived = 0
                generation += 1
            }
            condition.broadcast()
        } else {
            let deadline = Date(timeIntervalSinceNow: timeout)
            while generation == mine && failure == nil {
                if !condition.wait(until: deadline) && generation == mine && failure == nil {
                    let message = "mtla rank \(rank) of \(size) (threads): '\(operation)' has waited \(Int(timeout)) s for the other ranks "
                        + "(MTLA_COLLECTIVE_TIMEOUT); one of them hangs: stopping the job\n"
                    let bytes = Array(message.utf8)
                    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
                    _exit(3)
                }
            }
        }
        // A barrier that completed returns even if a rank has failed (or returned) since: that rank has
        // passed it too; the next barrier throws.
        if generation == mine, let failure { throw DistributedError.mismatch(operation: operation, detail: failure) }
    }
}
