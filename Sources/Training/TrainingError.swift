/// Errors of the Training target.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The loss or the gradient norm of an update is NaN or infinite.
    case nonFiniteLoss(update: Int, batchIDs: [String], value: Double)
    case badCheckpoint(path: String, reason: String)
    case incompatibleCheckpoint(path: String, reason: String)
    case invalidOption(name: String, value: String, expected: String)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(update, ids, value):
            "update \(update): loss or gradient norm is \(value) (utterances \(ids.prefix(8).joined(separator: ", "))\(ids.count > 8 ? ", …" : "")); the last good checkpoint is kept"
        case let .badCheckpoint(path, reason): "\(path): not a usable checkpoint: \(reason)"
        case let .incompatibleCheckpoint(path, reason): "\(path): checkpoint does not fit this run: \(reason)"
        case let .invalidOption(name, value, expected): "\(name) = \(value); expected \(expected)"
        }
    }
}
