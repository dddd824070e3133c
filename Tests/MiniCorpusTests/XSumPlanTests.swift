import Foundation
import MiniCorpus
import Testing

/// The mini XSum corpus: determinism, sizes, the JSONL layout, abstractive multi-sentence summaries,
/// unseen test documents and the vocabulary.
@Suite struct XSumPlanTests {
    static let standard = XSumPlan(sizes: .standard, seed: 1)
    static let stopwords: Set<String> = ["a", "an", "the", "in", "on", "of", "to", "for", "from", "at", "by", "with", "and", "has",
                                         "had", "have", "after", "is", "was", "that", "it", "its", "this"]

    static func words(_ s: String) -> [String] {
        s.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "'" && $0 != "-" }).map(String.init)
    }
    static func contentWords(_ s: String) -> Set<String> { Set(words(s)).subtracting(stopwords) }

    @Test func theSameSeedGivesTheSameCorpus() {
        let sizes = XSumSizes(train: 300, validation: 20, test: 40)
        let a = XSumPlan(sizes: sizes, seed: 7), b = XSumPlan(sizes: sizes, seed: 7), c = XSumPlan(sizes: sizes, seed: 8)
        #expect(a.splits == b.splits)
        #expect(a.splits[0].documents.map(\.document) != c.splits[0].documents.map(\.document))
        #expect(a.splits[2].documents.map(\.id) != c.splits[2].documents.map(\.id))
    }

    @Test func defaultAndScaledSizes() {
        #expect(Self.standard.splits.map(\.name) == ["train", "validation", "test"])
        #expect(Self.standard.splits.map(\.documents.count) == [10_000, 500, 1_000])
        let scaled = XSumSizes.scaled(train: 500)
        #expect(scaled == XSumSizes(train: 500, validation: 25, test: 50))
        let tiny = XSumSizes.scaled(train: XSumSizes.minimumTrain)
        #expect(tiny.validation >= 10 && tiny.test >= 20)
        #expect(XSumPlan(sizes: scaled, seed: 3).splits.map(\.documents.count) == [500, 25, 50])
    }

    @Test func documentsAreStoriesOfSeveralSentences() {
        var lengths: [Int: Int] = [:]
        var bad: [String] = []
        for d in Self.standard.splits.flatMap(\.documents) {
            lengths[d.sentences.count, default: 0] += 1
            if !(4...10).contains(d.sentences.count) { bad.append("\(d.sentences.count) sentences in \(d.id)") }
            if d.document.split(separator: "\n").map(String.init) != d.sentences { bad.append("lines of \(d.id)") }
            if Set([d.leadIndex, d.placeIndex, d.causeIndex]).count != 3 { bad.append("facts of \(d.id) share a sentence") }
            for s in d.sentences where s.first?.isUppercase != true && s.first != "\"" || !(s.hasSuffix(".") || s.hasSuffix("?")) {
                bad.append("not a sentence: \(s)")
            }
            if d.summary.contains("\n") || !d.summary.hasSuffix(".") { bad.append("summary \(d.summary)") }
        }
        #expect(bad.isEmpty, "\(bad.count) problems, e.g. \(bad.prefix(5))")
        #expect(lengths.count >= 4, "sentence counts \(lengths)")
        let words = Self.standard.splits[0].documents.reduce(0) { $0 + Self.words($1.document).count }
        #expect(words / Self.standard.splits[0].documents.count >= 40)
    }

    @Test func summariesAreNeverSubstringsOfTheirDocuments() {
        var bad: [String] = []
        for d in Self.standard.splits.flatMap(\.documents) {
            let doc = d.document.lowercased(), summary = d.summary.lowercased()
            if doc.contains(summary) || doc.contains(String(summary.dropLast())) { bad.append(d.id) }
            // Not any single sentence's words either.
            if d.sentences.contains(where: { Self.words($0) == Self.words(d.summary) }) { bad.append(d.id) }
        }
        #expect(bad.isEmpty, "\(bad.count) extractive summaries, e.g. \(bad.prefix(5))")
    }

    /// The summary's content words that occur in the document are spread over at least two sentences:
    /// no single sentence holds them all.
    @Test func summariesNeedMoreThanOneSentence() {
        var bad: [String] = []
        for d in Self.standard.splits.flatMap(\.documents) {
            let summary = Self.contentWords(d.summary)
            let sentences = d.sentences.map { Self.contentWords($0) }
            let found = summary.filter { w in sentences.contains { $0.contains(w) } }
            let contributing = sentences.filter { !$0.isDisjoint(with: found) }.count
            if contributing < 2 || sentences.contains(where: { found.isSubset(of: $0) }) {
                bad.append("\(d.id): \(d.summary) | \(d.sentences)")
            }
        }
        #expect(bad.isEmpty, "\(bad.count) summaries answerable from one sentence, e.g. \(bad.prefix(3))")
    }

    @Test func noTestOrValidationDocumentIsInTraining() {
        let splits = Self.standard.splits
        let train = Set(splits[0].documents.map(\.document))
        #expect(train.count == splits[0].documents.count)
        for s in splits.dropFirst() {
            let overlap = s.documents.filter { train.contains($0.document) }
            #expect(overlap.isEmpty, "\(overlap.count) \(s.name) documents in train")
        }
        let test = Set(splits[2].documents.map(\.document))
        #expect(splits[1].documents.allSatisfy { !test.contains($0.document) })
        let ids = splits.flatMap(\.documents).map(\.id)
        #expect(Set(ids).count == ids.count)
    }

    @Test func atLeast500EnglishWordTypes() {
        var types = Set<String>()
        for d in Self.standard.splits.flatMap(\.documents) { types.formUnion(Self.words(d.document + " " + d.summary)) }
        #expect(types.count >= 500, "\(types.count) word types")
        var summaryTypes = Set<String>()
        for d in Self.standard.splits[0].documents { summaryTypes.formUnion(Self.words(d.summary)) }
        #expect(summaryTypes.count >= 200, "\(summaryTypes.count) summary word types")
    }

    @Test func writesTheHuggingFaceJSONLLayout() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("minixsum-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("xsum")
        let plan = XSumPlan(sizes: .scaled(train: 40), seed: 5)
        let summaries = try XSumWriter.write(plan, to: dir)
        #expect(summaries.map(\.documents) == [40, 10, 20])
        let listing = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(listing == ["make-corpus.json", "test.jsonl", "train.jsonl", "validation.jsonl"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["xsum"], "temporary directory left behind")
        for split in plan.splits {
            let text = try String(contentsOf: dir.appendingPathComponent("\(split.name).jsonl"), encoding: .utf8)
            #expect(text.hasSuffix("}\n"))
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(lines.count == split.documents.count)
            for (line, d) in zip(lines, split.documents) {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(Set(object.keys) == ["document", "summary", "id"])
                let id = try #require(object["id"] as? String)
                #expect(!id.isEmpty && id.allSatisfy(\.isASCII) && id.allSatisfy(\.isNumber), "id \(id)")
                #expect(object["document"] as? String == d.document)
                #expect(object["summary"] as? String == d.summary)
                #expect(id == d.id)
            }
        }
        // The same seed writes the same bytes; an existing output is refused without overwrite.
        let again = root.appendingPathComponent("again")
        try XSumWriter.write(XSumPlan(sizes: .scaled(train: 40), seed: 5), to: again)
        for name in ["train", "validation", "test"] {
            #expect(try Data(contentsOf: dir.appendingPathComponent("\(name).jsonl")) == Data(contentsOf: again.appendingPathComponent("\(name).jsonl")))
        }
        #expect(throws: MiniCorpusError.outputExists(path: dir.path)) { try XSumWriter.write(plan, to: dir) }
        try XSumWriter.write(XSumPlan(sizes: .scaled(train: 20), seed: 6), to: dir, overwrite: true)
        let train = try String(contentsOf: dir.appendingPathComponent("train.jsonl"), encoding: .utf8)
        #expect(train.split(separator: "\n").count == 20)
    }
}
