import AudioIO
import Foundation
import MiniCorpus
import Testing

/// One small mini SLURP corpus synthesised with espeak-ng: JSONL that parses, FLACs that read back.
@Suite struct SLURPSynthesisTests {
    static let sizes = SLURPSizes(train: 6, devel: 3, test: 4)

    @Test func aTinyCorpusInSLURPLayout() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("minislurp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("slurp")
        let plan = SLURPPlan(sizes: Self.sizes, seed: 5)
        let synthesizer = try EspeakSynthesizer()
        var reports: [Int] = []
        let summary = try SLURPWriter.write(plan, to: out, synthesizer: synthesizer, jobs: 2) { done, _ in reports.append(done) }
        #expect(reports.last == 13)
        #expect(summary.map(\.recordings) == [6, 3, 4])

        var ids = Set<Int>(), files = Set<String>()
        for split in plan.splits {
            let text = try String(contentsOf: out.appendingPathComponent("dataset/slurp/\(split.name).jsonl"), encoding: .utf8)
            let lines = text.split(separator: "\n")
            #expect(lines.count == split.examples.count && text.hasSuffix("\n"))
            for (line, example) in zip(lines, split.examples) {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
                guard let json = object as? [String: Any], let id = json["slurp_id"] as? Int, let sentence = json["sentence"] as? String,
                      let intent = json["intent"] as? String, let scenario = json["scenario"] as? String, let action = json["action"] as? String,
                      let annotation = json["sentence_annotation"] as? String, let tokens = json["tokens"] as? [[String: Any]],
                      let recordings = json["recordings"] as? [[String: Any]], let entities = json["entities"] as? [[String: Any]]
                else { Issue.record("missing fields: \(line)"); continue }
                #expect(ids.insert(id).inserted, "slurp_id \(id) repeats")
                #expect(id == example.slurpID && sentence == example.utterance.sentence && annotation == example.utterance.annotation)
                #expect(intent == "\(scenario)_\(action)")
                let surfaces = tokens.compactMap { $0["surface"] as? String }
                #expect(surfaces.joined(separator: " ") == sentence)
                #expect(tokens.compactMap { $0["id"] as? Int } == Array(surfaces.indices))
                for e in entities {
                    let span = e["span"] as? [Int] ?? []
                    #expect(!span.isEmpty && span.allSatisfy { surfaces.indices.contains($0) } && e["type"] is String)
                }
                #expect((1...3).contains(recordings.count))
                for r in recordings {
                    guard let name = r["file"] as? String else { Issue.record("no file in \(r)"); continue }
                    #expect(r["status"] as? String == "correct")
                    #expect(files.insert(name).inserted, "\(name) listed twice")
                    let file = try AudioFile(path: out.appendingPathComponent("audio/slurp_real/\(name)").path)
                    #expect(file.info.container == "FLAC" && file.info.sampleRate == 16000 && file.info.channels == 1)
                    let samples = try file.readAll()
                    #expect(Double(samples.count) / 16000 > 0.6, "\(name) is \(samples.count) samples")
                    let peak = samples.reduce(Float(0)) { max($0, abs($1)) }
                    #expect(peak > 0.3 && peak <= 1, "\(name) peak \(peak)")
                }
            }
        }
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("audio/slurp_real").path)
        #expect(Set(onDisk) == files, "every FLAC is listed and every listed FLAC exists")
        let info = try String(contentsOf: out.appendingPathComponent("make-corpus.json"), encoding: .utf8)
        #expect(info.contains("\"seed\" : 5") && info.contains("\"corpus\" : \"slurp\""))
        // An existing directory is refused without overwrite; nothing temporary is left behind.
        #expect(throws: MiniCorpusError.outputExists(path: out.path)) { try SLURPWriter.write(plan, to: out, synthesizer: synthesizer) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["slurp"])
        // The same plan gives byte-identical files, whatever the number of jobs.
        let again = root.appendingPathComponent("again")
        try SLURPWriter.write(SLURPPlan(sizes: Self.sizes, seed: 5), to: again, synthesizer: synthesizer, jobs: 1)
        for f in ["dataset/slurp/train.jsonl", "dataset/slurp/test.jsonl"] + files.sorted().prefix(3).map({ "audio/slurp_real/\($0)" }) {
            #expect(try Data(contentsOf: out.appendingPathComponent(f)) == Data(contentsOf: again.appendingPathComponent(f)), "\(f) differs")
        }
    }
}
