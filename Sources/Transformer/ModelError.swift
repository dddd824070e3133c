/// Errors of the Transformer target: invalid configurations, checkpoints and inputs.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case invalidConfig(field: String, value: String, expected: String)
    case invalidAttention(String)
    case unreadableConfig(file: String, reason: String)
    case invalidInput(what: String, expected: String)
    case checkpoint(file: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidConfig(field, value, expected): "model config: \(field) = \(value); expected \(expected)"
        case let .invalidAttention(reason): "model config: decoder attention: \(reason)"
        case let .unreadableConfig(file, reason): "\(file): not a model config: \(reason)"
        case let .invalidInput(what, expected): "model input: \(what); expected \(expected)"
        case let .checkpoint(file, reason): "\(file): \(reason)"
        }
    }
}
