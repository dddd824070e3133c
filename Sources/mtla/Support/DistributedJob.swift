import Distributed

/// Runs a command as one rank of the job this process belongs to (`mpirun -np N mtla …`), or as a
/// single process. An error on any rank stops the whole job (MPI_Abort) with the error on standard
/// error, instead of leaving the other ranks waiting in a collective; on success MPI is finalised.
enum DistributedJob {
    static func run(_ body: (any Communicator) throws -> Void) throws {
        let communicator = try DistributedLaunch.communicator()
        do {
            try body(communicator)
        } catch {
            if communicator.size > 1 { communicator.abort(message: "Error: \(error)", code: 1) }
            throw error
        }
        communicator.finish()
    }
}
