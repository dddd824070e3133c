import Foundation
import Scoring

/// Reading score inputs: files or `-` (standard input; `validate` lets only one input be `-`, and
/// each input is read once).
enum ScoreInput {
    static func data(_ path: String) throws -> Data {
        if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        guard let d = FileManager.default.contents(atPath: path) else {
            throw ScoringError.cannotRead(file: path)
        }
        return d
    }

    static func lines(_ path: String) throws -> [String] {
        try TextLines.split(try data(path), name: path == "-" ? "<stdin>" : path)
    }

    /// Lines with Python's `rstrip()`, as the sacreBLEU command line reads them.
    static func rstrippedLines(_ path: String) throws -> [String] {
        try lines(path).map(\.pythonRstripped)
    }
}
