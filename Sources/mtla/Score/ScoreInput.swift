import Foundation
import Scoring

/// Reading score inputs: files or `-` (stdin, read once).
enum ScoreInput {
    nonisolated(unsafe) static var stdinData: Data?

    static func data(_ path: String) throws -> Data {
        if path == "-" {
            if let d = stdinData { return d }
            let d = FileHandle.standardInput.readDataToEndOfFile()
            stdinData = d
            return d
        }
        guard let d = FileManager.default.contents(atPath: path) else {
            throw ScoringError.invalidOption("cannot read '\(path)'")
        }
        return d
    }

    static func lines(_ path: String) throws -> [String] {
        try TextLines.split(try data(path), name: path == "-" ? "<stdin>" : path)
    }

    /// Lines with Python's `rstrip()`, as the sacreBLEU command line reads them.
    static func rstrippedLines(_ path: String) throws -> [String] {
        try lines(path).map { line in
            var s = Substring(line)
            while let l = s.unicodeScalars.last, isPythonSpace(l.value) { s = Substring(s.unicodeScalars.dropLast()) }
            return String(s)
        }
    }

    static func isPythonSpace(_ v: UInt32) -> Bool {
        if v < 0x80 { return (v >= 0x09 && v <= 0x0D) || (v >= 0x1C && v <= 0x20) }
        switch v {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}
