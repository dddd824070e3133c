/// Errors of modules and checkpoints: each names the parameter path or file and what was expected.
public enum NNError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A checkpoint lacks a parameter the module has.
    case missingParameter(path: String, file: String)
    /// A checkpoint has a parameter the module does not.
    case unexpectedParameter(path: String, file: String)
    /// A checkpoint tensor has another shape than the module's parameter.
    case shapeMismatch(path: String, expected: [Int], found: [Int], file: String)

    public var description: String {
        switch self {
        case let .missingParameter(path, file): "\(file): no tensor '\(path)' (the model has this parameter)"
        case let .unexpectedParameter(path, file): "\(file): tensor '\(path)' is not a parameter of the model"
        case let .shapeMismatch(path, expected, found, file):
            "\(file): '\(path)' has shape \(found), the model expects \(expected)"
        }
    }
}
