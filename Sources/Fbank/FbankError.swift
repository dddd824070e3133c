/// Errors of feature computation.
public enum FbankError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An option value Kaldi would refuse.
    case invalidOption(name: String, reason: String)
    /// Fewer samples than one frame, with `strict` set (otherwise a warning and a (0, D) output).
    case tooShort(name: String, samples: Int, frameLength: Int)
    /// A CMVN statistics file or matrix of the wrong shape.
    case cmvnDimension(name: String, expected: Int, found: Int)
    /// An empty set of features given to a statistics accumulator.
    case noFrames(name: String)

    public var description: String {
        switch self {
        case let .invalidOption(name, reason): "--\(name): \(reason)"
        case let .tooShort(name, samples, frameLength):
            "\(name): \(samples) samples is shorter than one frame (\(frameLength) samples): no features"
        case let .cmvnDimension(name, expected, found):
            "\(name): CMVN statistics have dimension \(found), features have \(expected)"
        case let .noFrames(name): "\(name): no frames to accumulate statistics from"
        }
    }
}
