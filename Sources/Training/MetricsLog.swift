import Foundation

/// One line of an experiment's `metrics.jsonl`: a training update or a validation, with its values.
public struct MetricsRecord: Codable, Sendable, Equatable {
    /// "train" or "valid".
    public var kind: String
    public var update: Int
    public var epoch: Int
    public var values: [String: Double]

    public init(kind: String, update: Int, epoch: Int, values: [String: Double]) {
        (self.kind, self.update, self.epoch, self.values) = (kind, update, epoch, values)
    }
}

/// Appends `MetricsRecord`s as JSON lines (one complete line per write, so a killed run leaves a
/// readable file), and reads them back, skipping a torn last line.
public final class MetricsLog {
    public let url: URL
    private let handle: FileHandle

    public init(url: URL) throws {
        self.url = url
        if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    public func append(_ record: MetricsRecord) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        var line = try e.encode(record)
        line.append(UInt8(ascii: "\n"))
        try handle.write(contentsOf: line)
    }

    /// The records of `url`; a last line without its newline (a write cut short) is ignored.
    public static func read(_ url: URL) throws -> [MetricsRecord] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if !text.hasSuffix("\n") { lines.removeLast() }
        return try lines.enumerated().compactMap { i, line in
            guard !line.isEmpty else { return nil }
            do { return try JSONDecoder().decode(MetricsRecord.self, from: Data(line.utf8)) } catch {
                throw TrainingError.invalidOption(name: "\(url.path):\(i + 1)", value: String(line.prefix(60)), expected: "a metrics JSON line")
            }
        }
    }

    /// Records after resuming from `update`: drops the lines a killed run wrote after its last checkpoint.
    public static func truncate(_ url: URL, after update: Int) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let kept = try read(url).filter { $0.update <= update }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        var data = Data()
        for r in kept { data.append(try e.encode(r)); data.append(UInt8(ascii: "\n")) }
        try data.write(to: url, options: .atomic)
    }
}
