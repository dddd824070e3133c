import Foundation

/// A prepared data directory (Kaldi/ESPnet style): its files written into `DIR.tmp` and renamed to
/// `DIR` when all are written, so a killed preparation never leaves a partial directory under the
/// final name; an existing `DIR` is replaced only with `overwrite`.
enum PreparedDirectory {
    /// - Parameter files: (name, contents) pairs written in order.
    /// - Throws: `CLIError.outputExists` for an existing `dir` without `overwrite`; file-system errors.
    static func write(_ dir: String, overwrite: Bool, files: [(String, Data)]) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: dir) && !overwrite { throw CLIError.outputExists(path: dir) }
        let tmp = dir + ".tmp"
        try? fm.removeItem(atPath: tmp)
        try fm.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        for (name, contents) in files { try contents.write(to: URL(fileURLWithPath: "\(tmp)/\(name)"), options: .atomic) }
        if fm.fileExists(atPath: dir) { try fm.removeItem(atPath: dir) }
        try fm.moveItem(atPath: tmp, toPath: dir)
    }
}
