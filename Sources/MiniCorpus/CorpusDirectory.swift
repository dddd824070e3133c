import Foundation

/// How every mini corpus reaches its directory: written into a temporary sibling
/// (`.<name>.partial-<pid>`) and renamed into place when complete, so a killed run never leaves a
/// partial corpus under the final name; an existing directory is refused unless `overwrite`.
enum CorpusDirectory {
    /// Runs `body(temporary, final)` with the temporary directory (created) and the final one (standardised,
    /// for paths that must name where the corpus will be), then moves the temporary one to `dir`.
    /// - Throws: `MiniCorpusError.outputExists`, `.io` naming the path; whatever `body` throws (the
    ///   temporary directory is then removed).
    static func write<R>(to dir: URL, overwrite: Bool, _ body: (URL, URL) throws -> R) throws -> R {
        let fm = FileManager.default
        if fm.fileExists(atPath: dir.path) && !overwrite { throw MiniCorpusError.outputExists(path: dir.path) }
        let final = dir.standardizedFileURL
        let parent = final.deletingLastPathComponent()
        try MustCWriter.create(parent)
        let temp = parent.appendingPathComponent(".\(final.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: temp)
        var finished = false
        defer { if !finished { try? fm.removeItem(at: temp) } }
        try MustCWriter.create(temp)
        let result = try body(temp, final)
        if fm.fileExists(atPath: final.path) {
            do { try fm.removeItem(at: final) } catch { throw MiniCorpusError.io(path: final.path, reason: "cannot replace: \(error)") }
        }
        do { try fm.moveItem(at: temp, to: final) } catch {
            throw MiniCorpusError.io(path: final.path, reason: "cannot rename \(temp.path): \(error)")
        }
        finished = true
        return result
    }
}
