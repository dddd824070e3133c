/// Errors of the command line itself (library errors carry their own types and messages).
enum CLIError: Error, CustomStringConvertible, Equatable {
    case outputExists(path: String)
    case badManifest(path: String, reason: String)
    case badInputLine(path: String, line: Int, reason: String)

    var description: String {
        switch self {
        case let .outputExists(path): "\(path) exists; pass --overwrite to replace it"
        case let .badManifest(path, reason): "\(path): \(reason)"
        case let .badInputLine(path, line, reason): "\(path):\(line): \(reason)"
        }
    }
}
