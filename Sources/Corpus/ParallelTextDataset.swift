import Foundation

/// Line-aligned source and target text files (summarisation, translation): sample i is line i of
/// each (1-based line i + 1 in messages). Both sides are encoded once, when the dataset is opened.
///
/// As fairseq's `LanguagePairDataset` over binarised data, the source carries its EOS (`appendSourceEOS`,
/// on by default) and counts it in `sourceLength`; `numTokens` is max(source, target + EOS), and the
/// batch order is shortest source first (`BatchOrdering.ascendingSourceThenTarget`). Ids are the
/// 0-based line indices as text ("0", "1", …), fairseq's sample ids.
public final class ParallelTextDataset: SampleDataset, @unchecked Sendable {
    public let sourcePath: String
    public let targetPath: String
    public let eos: Int32
    /// `<unk>` statistics of the targets.
    public let labelStatistics: LabelStatistics
    /// `<unk>` statistics of the sources.
    public let sourceStatistics: LabelStatistics
    private let sources: [[Int32]]
    private let targets: [[Int32]]
    /// The target lines as read (references for scoring).
    private let targetTexts: [String]

    /// - Parameters:
    ///   - source, target: text files, one example per line (`\n` or `\r\n`; a final newline ends the
    ///     last line, it does not add an empty one).
    ///   - appendSourceEOS: append `eos` to every source (fairseq's binarised sources end in EOS).
    /// - Throws: `CorpusError.lineCountMismatch` naming both files, `.cannotRead`, `.sample` for a line
    ///   that cannot be encoded (naming `file:line`).
    public init(source: String, target: String, sourceEncoding: any TextEncoding, targetEncoding: any TextEncoding,
                appendSourceEOS: Bool = true, eos: Int32 = 2) throws {
        sourcePath = source
        targetPath = target
        self.eos = eos
        let s = try Self.lines(source), t = try Self.lines(target)
        guard s.count == t.count else {
            throw CorpusError.lineCountMismatch(source: source, sourceLines: s.count, target: target, targetLines: t.count)
        }
        var srcStats = LabelStatistics(), tgtStats = LabelStatistics()
        var sources: [[Int32]] = [], targets: [[Int32]] = []
        sources.reserveCapacity(s.count)
        targets.reserveCapacity(t.count)
        for i in s.indices {
            do {
                var e = try sourceEncoding.encodeCountingUnknowns(s[i])
                srcStats.add(e)
                if appendSourceEOS { e.ids.append(eos) }
                sources.append(e.ids)
            } catch { throw CorpusError.wrap(error, id: String(i), location: "\(source):\(i + 1)") }
            do {
                let e = try targetEncoding.encodeCountingUnknowns(t[i])
                tgtStats.add(e)
                targets.append(e.ids)
            } catch { throw CorpusError.wrap(error, id: String(i), location: "\(target):\(i + 1)") }
        }
        self.sources = sources
        self.targets = targets
        targetTexts = t
        labelStatistics = tgtStats
        sourceStatistics = srcStats
    }

    public var count: Int { sources.count }
    public func id(_ index: Int) -> String { String(index) }
    public func sourceLength(_ index: Int) -> Int { sources[index].count }
    public func targetLength(_ index: Int) -> Int { targets[index].count }
    public func numTokens(_ index: Int, epoch: Int) -> Int { max(sources[index].count, targets[index].count + 1) }
    public var ordering: BatchOrdering { .ascendingSourceThenTarget }
    public func referenceText(_ index: Int) -> String? { targetTexts[index] }

    public func sample(_ index: Int) throws -> Sample {
        Sample(id: String(index), source: .tokens(sources[index]), target: targets[index])
    }

    static func lines(_ path: String) throws -> [String] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CorpusError.cannotRead(path: path, reason: error.localizedDescription)
        }
        return splitLines([UInt8](data))
    }
}

/// Lines of UTF-8 text split on `\n` bytes (a `\r` before it is dropped; a final newline does not
/// start another line). Works on bytes: Swift's `Character` treats `\r\n` as one character.
func splitLines(_ bytes: [UInt8]) -> [String] {
    var out: [String] = []
    var start = 0
    func emit(_ end: Int) {
        var e = end
        if e > start, bytes[e - 1] == 0x0D { e -= 1 }
        out.append(String(decoding: bytes[start..<e], as: UTF8.self))
    }
    for (i, b) in bytes.enumerated() where b == 0x0A {
        emit(i)
        start = i + 1
    }
    if start < bytes.count { emit(bytes.count) }
    return out
}
