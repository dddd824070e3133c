import Foundation

/// The processes of one job and the collective operations between them: what data-parallel
/// training and sharded feature extraction need, and nothing more.
///
/// Every collective must be called by every rank, in the same order, with the same sizes (MPI's
/// rule); `operation` names the call site in errors and in the watchdog's message
/// (e.g. `"all-reduce gradients, update 12"`). Calls come from one thread (the main one).
///
/// Two implementations: `SingleProcessCommunicator` (rank 0 of 1: every collective is the identity)
/// and `MPICommunicator` (Open MPI, under `mpirun` or `srun`). `DistributedLaunch.communicator()`
/// picks one from the environment.
public protocol Communicator: AnyObject {
    /// This process's index, 0 ..< `size`.
    var rank: Int { get }
    /// The number of processes in the job.
    var size: Int { get }
    /// A short description for logs ("single process", "MPI rank 1 of 4 on host").
    var summary: String { get }

    /// Replaces `values` on every rank by their element-wise sum over all ranks.
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>, operation: String) throws
    /// Sums each of `buffers` over all ranks, all in flight at once (non-blocking MPI collectives
    /// waited for together): gradient buckets.
    func allReduceSum(buckets: [UnsafeMutableBufferPointer<Float>], operation: String) throws
    /// Copies `root`'s `bytes` to every rank (all ranks pass buffers of the same size).
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int, operation: String) throws
    /// Every rank's `bytes` (any length), indexed by rank, on every rank.
    func allGather(_ bytes: [UInt8], operation: String) throws -> [[UInt8]]
    /// Returns when every rank has called it.
    func barrier(operation: String) throws
    /// Stops every process of the job with `message` on standard error and exit status `code`.
    func abort(message: String, code: Int32) -> Never
    /// Ends the job's communication (MPI_Finalize); call once, after the last collective.
    func finish()
    /// Whether the ranks share this process's memory, so that a collective costs no more over many
    /// small buffers than over one packed buffer (`allReduceSum(buckets:)` may then be given every
    /// gradient in place instead of packed copies).
    var sharesMemory: Bool { get }
}

extension Communicator {
    public var sharesMemory: Bool { false }

    /// Whether this rank writes the job's files (checkpoints, logs, plots, merged stores).
    public var isMain: Bool { rank == 0 }

    /// `values` summed element-wise over all ranks.
    public func allReduceSum(_ values: [Double], operation: String) throws -> [Double] {
        var v = values
        try v.withUnsafeMutableBufferPointer { try allReduceSum($0, operation: operation) }
        return v
    }

    /// `root`'s byte string on every rank (other ranks' `bytes` are ignored; their lengths may differ).
    public func broadcast(_ bytes: [UInt8], root: Int, operation: String) throws -> [UInt8] {
        guard size > 1 else { return bytes }
        var length = [Double(rank == root ? bytes.count : 0)]
        try length.withUnsafeMutableBytes { try broadcast($0, root: root, operation: operation + " (length)") }
        var out = rank == root ? bytes : [UInt8](repeating: 0, count: Int(length[0]))
        try out.withUnsafeMutableBytes { try broadcast($0, root: root, operation: operation) }
        return out
    }

    /// Every rank's value of a `Codable` type, indexed by rank (JSON over `allGather`).
    public func allGather<T: Codable>(_ value: T, operation: String) throws -> [T] {
        let parts = try allGather(Array(try JSONEncoder().encode(value)), operation: operation)
        return try parts.enumerated().map { r, bytes in
            do { return try JSONDecoder().decode(T.self, from: Data(bytes)) } catch {
                throw DistributedError.mismatch(operation: operation, detail: "rank \(r) sent an unreadable value: \(error)")
            }
        }
    }
}
