import Foundation

/// How a command finds out whether it runs as one rank of a job: launched by `mpirun` (Open MPI sets
/// `OMPI_COMM_WORLD_SIZE`) or by a PMIx/PMI launcher such as Slurm's `srun --mpi=pmix`
/// (`PMIX_RANK`, `PMI_SIZE`), it joins the MPI job; otherwise it is a single process and MPI is
/// never initialised. `MTLA_DISTRIBUTED=off` forces a single process under a launcher.
/// `MTLA_COLLECTIVE_TIMEOUT` (seconds, default 1800) bounds how long one collective may wait.
public enum DistributedLaunch {
    /// The default seconds a collective may wait for the other ranks (as PyTorch's 30 minutes).
    public static let defaultTimeout: TimeInterval = 1800

    /// Whether `environment` shows an MPI launcher.
    public static func launchedByMPI(_ environment: [String: String]) -> Bool {
        if environment["MTLA_DISTRIBUTED"] == "off" { return false }
        return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"].contains { environment[$0] != nil }
    }

    /// The collective timeout from `environment`.
    /// - Throws: `DistributedError.invalidSetting` for a value that is not a positive number.
    public static func timeout(_ environment: [String: String]) throws -> TimeInterval {
        guard let text = environment["MTLA_COLLECTIVE_TIMEOUT"] else { return defaultTimeout }
        guard let seconds = TimeInterval(text), seconds > 0 else {
            throw DistributedError.invalidSetting(name: "MTLA_COLLECTIVE_TIMEOUT", value: text, expected: "a positive number of seconds")
        }
        return seconds
    }

    /// The communicator of this process: MPI under a launcher, else a single process.
    public static func communicator(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any Communicator {
        guard launchedByMPI(environment) else { return SingleProcessCommunicator() }
        return try MPICommunicator(timeout: timeout(environment))
    }
}
