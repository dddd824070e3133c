/// Errors of the feature stores. Each case names the file (and entry, line or byte range) concerned
/// and says what was expected.
public enum FeatureStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotRead(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case badNpy(name: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotRead(path, reason): "\(path): cannot read: \(reason)"
        case let .cannotWrite(path, reason): "\(path): cannot write: \(reason)"
        case let .badNpy(name, reason): "\(name): not a readable .npy: \(reason)"
        }
    }
}
