import Foundation

/// Messages to standard error (standard output is kept for results).
enum Console {
    static func info(_ message: String) { write(message + "\n") }
    static func warn(_ message: String) { write("warning: " + message + "\n") }
    static func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
    /// Whether standard error is a terminal (progress bars) or a file/pipe (plain periodic lines).
    static var isTerminal: Bool { isatty(2) == 1 }
}
