/// Problems caused by user data (a file, a configuration, a token id), reported to the caller.
///
/// Inconsistent shapes inside a kernel are programmer errors and stop with a `precondition` instead.
public enum TensorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `count` values cannot fill a tensor of `shape`.
    case elementCountMismatch(shape: [Int], count: Int)
    /// A dimension is negative, or more than one is `-1` in a reshape.
    case invalidShape([Int])
    /// A tensor of `got` cannot be reshaped to (or used as) `expected`.
    case shapeMismatch(operation: String, expected: [Int], got: [Int])
    /// An index (for example a token id) lies outside `0..<bound`.
    case indexOutOfRange(operation: String, index: Int, bound: Int)

    public var description: String {
        switch self {
        case let .elementCountMismatch(shape, count):
            return "\(count) values do not fill a tensor of shape \(shape) (\(shape.reduce(1, *)) elements)"
        case let .invalidShape(shape):
            return "invalid shape \(shape)"
        case let .shapeMismatch(operation, expected, got):
            return "\(operation): expected shape \(expected), got \(got)"
        case let .indexOutOfRange(operation, index, bound):
            return "\(operation): index \(index) outside 0..<\(bound)"
        }
    }
}
