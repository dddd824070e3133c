import CMPI
import Foundation

/// The processes of an MPI job (Open MPI's `mpirun`, or `srun` under Slurm with PMIx), over
/// `MPI_COMM_WORLD`. MPI is initialised with `MPI_THREAD_FUNNELED` (collectives come from the main
/// thread; compute threads never call MPI) and errors are returned, not fatal, so that they become
/// `DistributedError`s naming the operation. Every collective runs under a `CollectiveWatchdog`.
///
/// Create at most one per process (MPI can be initialised once).
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    public let host: String
    private let watchdog: CollectiveWatchdog
    private var finished = false
    private let comm = mtla_mpi_comm_world()
    /// The largest element count passed to one MPI call (counts are C ints).
    static let maxChunk = 1 << 30

    /// Initialises MPI.
    /// - Parameter timeout: seconds one collective may wait before the job is stopped.
    /// - Throws: `DistributedError.mpi` when MPI cannot start.
    public init(timeout: TimeInterval) throws {
        var provided: Int32 = 0
        var rc = MPI_Init_thread(nil, nil, mtla_mpi_thread_funneled(), &provided)
        try Self.check(rc, "MPI_Init_thread", "start-up")
        rc = MPI_Comm_set_errhandler(comm, mtla_mpi_errors_return())
        try Self.check(rc, "MPI_Comm_set_errhandler", "start-up")
        var r: Int32 = 0, s: Int32 = 0
        try Self.check(MPI_Comm_rank(comm, &r), "MPI_Comm_rank", "start-up")
        try Self.check(MPI_Comm_size(comm, &s), "MPI_Comm_size", "start-up")
        var name = [CChar](repeating: 0, count: Int(MPI_MAX_PROCESSOR_NAME) + 1)
        var length: Int32 = 0
        _ = MPI_Get_processor_name(&name, &length)
        (rank, size, host) = (Int(r), Int(s), String(cString: name))
        watchdog = CollectiveWatchdog(timeout: timeout, who: "rank \(r) of \(s) on \(String(cString: name))")
    }

    public var summary: String { "MPI rank \(rank) of \(size) on \(host)" }

    static func check(_ rc: Int32, _ call: String, _ operation: String) throws {
        guard rc != mtla_mpi_success() else { return }
        var text = [CChar](repeating: 0, count: Int(mtla_mpi_max_error_string()) + 1)
        var length: Int32 = 0
        _ = MPI_Error_string(rc, &text, &length)
        throw DistributedError.mpi(call: call, operation: operation, code: rc, message: String(cString: text))
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>, operation: String) throws {
        try reduce(UnsafeMutableRawPointer(values.baseAddress), count: values.count, type: mtla_mpi_double(), stride: 8, operation)
    }

    private func reduce(_ base: UnsafeMutableRawPointer?, count: Int, type: MPI_Datatype, stride: Int, _ operation: String) throws {
        guard let base, count > 0 else { return }
        try watchdog.guarding(operation) {
            for start in Swift.stride(from: 0, to: count, by: Self.maxChunk) {
                let n = Int32(min(Self.maxChunk, count - start))
                let rc = MPI_Allreduce(mtla_mpi_in_place(), base + start * stride, n, type, mtla_mpi_sum(), comm)
                try Self.check(rc, "MPI_Allreduce", operation)
            }
        }
    }

    public func allReduceSum(buckets: [UnsafeMutableBufferPointer<Float>], operation: String) throws {
        let pieces: [(UnsafeMutablePointer<Float>, Int32)] = buckets.flatMap { b -> [(UnsafeMutablePointer<Float>, Int32)] in
            guard let base = b.baseAddress else { return [] }
            return Swift.stride(from: 0, to: b.count, by: Self.maxChunk).map { (base + $0, Int32(min(Self.maxChunk, b.count - $0))) }
        }
        guard !pieces.isEmpty else { return }
        try watchdog.guarding(operation) {
            var requests = [MPI_Request?](repeating: mtla_mpi_request_null(), count: pieces.count)
            for (i, (pointer, n)) in pieces.enumerated() {
                let rc = MPI_Iallreduce(mtla_mpi_in_place(), pointer, n, mtla_mpi_float(), mtla_mpi_sum(), comm, &requests[i])
                try Self.check(rc, "MPI_Iallreduce", operation)
            }
            try Self.check(MPI_Waitall(Int32(requests.count), &requests, mtla_mpi_statuses_ignore()), "MPI_Waitall", operation)
        }
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int, operation: String) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        try watchdog.guarding(operation) {
            for start in stride(from: 0, to: bytes.count, by: Self.maxChunk) {
                let n = Int32(min(Self.maxChunk, bytes.count - start))
                try Self.check(MPI_Bcast(base + start, n, mtla_mpi_byte(), Int32(root), comm), "MPI_Bcast", operation)
            }
        }
    }

    public func allGather(_ bytes: [UInt8], operation: String) throws -> [[UInt8]] {
        try watchdog.guarding(operation) {
            var mine = Int64(bytes.count)
            var lengths = [Int64](repeating: 0, count: size)
            try Self.check(MPI_Allgather(&mine, 1, mtla_mpi_int64(), &lengths, 1, mtla_mpi_int64(), comm), "MPI_Allgather", operation)
            let total = lengths.reduce(0, +)
            guard total < Int64(Int32.max) else {
                throw DistributedError.mismatch(operation: operation, detail: "\(total) bytes gathered exceed MPI's 2 GiB count limit")
            }
            var counts = lengths.map { Int32($0) }
            var displacements = [Int32](repeating: 0, count: size)
            for r in 1..<max(1, size) { displacements[r] = displacements[r - 1] + counts[r - 1] }
            var all = [UInt8](repeating: 0, count: Int(total))
            var send = bytes
            let rc = send.withUnsafeMutableBytes { s in
                all.withUnsafeMutableBytes { a in
                    MPI_Allgatherv(s.baseAddress, Int32(s.count), mtla_mpi_byte(), a.baseAddress, &counts, &displacements,
                                   mtla_mpi_byte(), comm)
                }
            }
            try Self.check(rc, "MPI_Allgatherv", operation)
            return (0..<size).map { r in Array(all[Int(displacements[r])..<Int(displacements[r] + counts[r])]) }
        }
    }

    public func barrier(operation: String) throws {
        try watchdog.guarding(operation) { try Self.check(MPI_Barrier(comm), "MPI_Barrier", operation) }
    }

    public func abort(message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data(("mtla rank \(rank) of \(size): " + message + "\n").utf8))
        MPI_Abort(comm, code)
        exit(code)
    }

    public func finish() {
        guard !finished else { return }
        finished = true
        MPI_Finalize()
    }
}
