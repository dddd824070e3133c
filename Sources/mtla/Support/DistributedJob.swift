import Distributed
import Foundation

/// Runs a command as the ranks of its job: one rank of an MPI job (`mpirun -np N mtla …`), `ranks`
/// threads of this process (`--ranks N`), or a single process. An error on any rank stops the whole
/// job with the error on standard error (MPI_Abort under MPI; under threads the other ranks are woken
/// out of their collectives and the first error is rethrown) instead of leaving the other ranks
/// waiting in a collective; on success MPI is finalised.
enum DistributedJob {
    /// - Precondition: `ranks` is 1 under an MPI launcher (the command's validation checks it).
    static func run(ranks: Int = 1, _ body: @escaping @Sendable (any Communicator) throws -> Void) throws {
        let environment = ProcessInfo.processInfo.environment
        if ranks > 1 {
            try ThreadGroupCommunicator.run(ranks: ranks, timeout: DistributedLaunch.timeout(environment), body)
            return
        }
        let communicator = try DistributedLaunch.communicator(environment: environment)
        do {
            try body(communicator)
        } catch {
            if communicator.size > 1 { communicator.abort(message: "Error: \(error)", code: 1) }
            throw error
        }
        communicator.finish()
    }
}
