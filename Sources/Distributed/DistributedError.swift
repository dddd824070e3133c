/// Errors of the `Distributed` layer, each naming the collective operation it happened in.
public enum DistributedError: Error, CustomStringConvertible, Equatable {
    /// An MPI call returned an error (`code`, with MPI's own text).
    case mpi(call: String, operation: String, code: Int32, message: String)
    /// The ranks disagree on something that must be equal on all of them (sizes, lengths).
    case mismatch(operation: String, detail: String)
    /// A launch setting is invalid (e.g. a malformed `MTLA_COLLECTIVE_TIMEOUT`).
    case invalidSetting(name: String, value: String, expected: String)

    public var description: String {
        switch self {
        case let .mpi(call, operation, code, message):
            return "\(call) failed during \(operation): \(message) (MPI error \(code))"
        case let .mismatch(operation, detail):
            return "ranks disagree during \(operation): \(detail)"
        case let .invalidSetting(name, value, expected):
            return "\(name)=\(value): expected \(expected)"
        }
    }
}
