import Foundation

/// Writes an `XSumPlan` as the Hugging Face `xsum` dataset exports it (`dataset.to_json`):
/// `DIR/{train,validation,test}.jsonl`, one object per line with `document` (sentences separated by
/// newlines), `summary` and `id` (a string of digits), plus `DIR/make-corpus.json` (seed and sizes).
/// Written into a temporary directory next to DIR and renamed when complete.
public enum XSumWriter {
    public struct SplitSummary: Sendable, Hashable {
        public var name: String
        public var documents: Int
        public var documentWords: Int
        public var summaryWords: Int
    }

    @discardableResult
    public static func write(_ plan: XSumPlan, to dir: URL, overwrite: Bool = false) throws -> [SplitSummary] {
        try CorpusDirectory.write(to: dir, overwrite: overwrite) { temp, _ in
            var summaries: [SplitSummary] = []
            for split in plan.splits {
                let lines = try split.documents.map { try jsonLine($0) }
                try MustCWriter.write(lines.joined(separator: "\n") + "\n", temp.appendingPathComponent("\(split.name).jsonl"))
                func words(_ s: String) -> Int { s.split(whereSeparator: { $0 == " " || $0 == "\n" }).count }
                summaries.append(SplitSummary(name: split.name, documents: split.documents.count,
                                              documentWords: split.documents.reduce(0) { $0 + words($1.document) },
                                              summaryWords: split.documents.reduce(0) { $0 + words($1.summary) }))
            }
            try MustCWriter.write(try info(plan), temp.appendingPathComponent("make-corpus.json"))
            return summaries
        }
    }

    /// One line of a split's JSONL, keys in the order of the HF export: document, summary, id.
    public static func jsonLine(_ d: XSumDocument) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        func string(_ s: String) throws -> String {
            do { return String(decoding: try encoder.encode(s), as: UTF8.self) } catch {
                throw MiniCorpusError.io(path: "id \(d.id)", reason: "cannot encode: \(error)")
            }
        }
        return "{\"document\":\(try string(d.document)),\"summary\":\(try string(d.summary)),\"id\":\(try string(d.id))}"
    }

    struct Info: Codable {
        struct Split: Codable { var split: String; var documents: Int }
        var corpus = "xsum"
        var generator = "mtla make-corpus xsum"
        var seed: UInt64
        var splits: [Split]
    }

    static func info(_ plan: XSumPlan) throws -> String {
        try MustCWriter.prettyJSON(Info(seed: plan.seed, splits: plan.splits.map { Info.Split(split: $0.name, documents: $0.documents.count) }))
    }
}
