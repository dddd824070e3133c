/// Errors of the command line itself (library errors carry their own types and messages).
enum CLIError: Error, CustomStringConvertible, Equatable {
    case outputExists(path: String)
    case badManifest(path: String, reason: String)
    case failedUtterances(count: Int, first: String)

    var description: String {
        switch self {
        case let .outputExists(path): "\(path) exists; pass --overwrite to replace it"
        case let .badManifest(path, reason): "\(path): \(reason)"
        case let .failedUtterances(count, first):
            "\(count) utterance\(count == 1 ? "" : "s") failed; first: \(first) (pass --skip-bad to continue past bad input)"
        }
    }
}
