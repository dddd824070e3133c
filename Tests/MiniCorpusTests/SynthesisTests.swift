import AudioIO
import Foundation
import MiniCorpus
import Testing

/// One small synthesis with espeak-ng (Debian package espeak-ng, installed by Tools/install-deps).
@Suite struct SynthesisTests {
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("minicorpus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    struct Entry { var duration: Double; var offset: Double; var words: Int; var speaker: String; var wav: String }

    static func parseYAML(_ text: String) throws -> [Entry] {
        try text.split(separator: "\n").map { line in
            guard line.hasPrefix("- {"), line.hasSuffix("}") else { throw CocoaError(.fileReadCorruptFile) }
            var fields: [String: String] = [:]
            for part in line.dropFirst(3).dropLast().components(separatedBy: ", ") {
                let kv = part.components(separatedBy: ": ")
                fields[kv[0]] = kv[1]
            }
            #expect(fields["uW"] == "0")
            return Entry(duration: Double(fields["duration"]!)!, offset: Double(fields["offset"]!)!,
                         words: Int(fields["rW"]!)!, speaker: fields["speaker_id"]!, wav: fields["wav"]!)
        }
    }

    static func rms(_ x: ArraySlice<Float>) -> Double {
        x.isEmpty ? 0 : (x.reduce(0) { $0 + Double($1) * Double($1) } / Double(x.count)).squareRoot()
    }

    @Test func twoTalksOfTwoSegmentsInMustCLayout() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("mustc")
        let plan = CorpusPlan(sizes: MustCSizes(train: 4, dev: 2, test: 4, segmentsPerTalk: 2...2), seed: 11)
        #expect(plan.splits.map(\.talks.count) == [2, 1, 2])
        let synthesizer = try EspeakSynthesizer()
        var reports: [Int] = []
        let summary = try MustCWriter.write(plan, to: out, synthesizer: synthesizer, jobs: 2) { done, _ in reports.append(done) }
        #expect(reports.last == plan.segmentCount)
        #expect(summary.map(\.segments) == [4, 2, 4])

        for split in plan.splits {
            let data = out.appendingPathComponent("en-de/data/\(split.name)")
            let txt = data.appendingPathComponent("txt")
            let entries = try Self.parseYAML(String(contentsOf: txt.appendingPathComponent("\(split.name).yaml"), encoding: .utf8))
            let en = try String(contentsOf: txt.appendingPathComponent("\(split.name).en"), encoding: .utf8).split(separator: "\n")
            let de = try String(contentsOf: txt.appendingPathComponent("\(split.name).de"), encoding: .utf8).split(separator: "\n")
            #expect(entries.count == split.segmentCount && en.count == entries.count && de.count == entries.count)
            #expect(en.map(String.init) == split.sentences.map(\.english))
            #expect(de.map(String.init) == split.sentences.map(\.german))
            for (i, talk) in split.talks.enumerated() {
                let mine = entries.filter { $0.wav == "\(talk.id).wav" }
                #expect(mine.count == 2)
                #expect(mine.allSatisfy { $0.speaker == talk.speaker.id })
                let file = try AudioFile(path: data.appendingPathComponent("wav/\(talk.id).wav").path)
                #expect(file.info.sampleRate == 16000 && file.info.channels == 1 && file.info.subtype == "PCM_16")
                let samples = try file.readAll()
                let seconds = Double(samples.count) / 16000
                var previousEnd = 0.0
                for (j, e) in mine.enumerated() {
                    #expect(e.offset >= previousEnd && e.duration > 0.5, "\(talk.id) segment \(j)")
                    #expect(e.offset + e.duration <= seconds + 1e-6)
                    #expect(e.words == talk.segments[j].englishWordCount)
                    let a = Int((e.offset * 16000).rounded()), b = Int(((e.offset + e.duration) * 16000).rounded())
                    let speech = Self.rms(samples[a..<b])
                    let gap = Self.rms(samples[Int(previousEnd * 16000)..<max(Int(previousEnd * 16000), a - 100)])
                    #expect(speech > 0.03 && gap < 0.002, "speech rms \(speech), silence rms \(gap)")
                    previousEnd = e.offset + e.duration
                }
                _ = i
            }
        }
        let info = try String(contentsOf: out.appendingPathComponent("make-corpus.json"), encoding: .utf8)
        #expect(info.contains("\"seed\" : 11"))
        // The first test talk is read by a voice never used in training.
        #expect(VoicePlan.heldOutVoices.contains(plan.splits[2].talks[0].speaker.voice))
        // An existing directory is refused without overwrite, replaced with it.
        #expect(throws: MiniCorpusError.outputExists(path: out.path)) {
            try MustCWriter.write(plan, to: out, synthesizer: synthesizer)
        }
        let contents = try FileManager.default.contentsOfDirectory(atPath: root.path)
        #expect(contents == ["mustc"], "no temporary directory left behind: \(contents)")
        // The same plan gives byte-identical files.
        let again = root.appendingPathComponent("again")
        try MustCWriter.write(CorpusPlan(sizes: MustCSizes(train: 4, dev: 2, test: 4, segmentsPerTalk: 2...2), seed: 11),
                              to: again, synthesizer: synthesizer, jobs: 1)
        for split in plan.splits {
            var files = split.talks.map { "en-de/data/\(split.name)/wav/\($0.id).wav" }
            files += ["yaml", "en", "de"].map { "en-de/data/\(split.name)/txt/\(split.name).\($0)" }
            for f in files {
                let a = try Data(contentsOf: out.appendingPathComponent(f)), b = try Data(contentsOf: again.appendingPathComponent(f))
                #expect(a == b, "\(f) differs between two runs")
            }
        }
    }

    @Test func aMissingEspeakNamesTheDebianPackage() {
        do {
            _ = try EspeakSynthesizer(executable: "/nonexistent/espeak-ng")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("Debian package espeak-ng"))
        }
    }

    @Test func anUnknownVoiceIsAClearError() throws {
        let synthesizer = try EspeakSynthesizer()
        let speaker = Speaker(id: "spk.1", voice: "xx-nonexistent", variant: "m1", rate: 150, pitch: 50, gain: 0.8)
        do {
            _ = try synthesizer.synthesize("Hello there.", speaker: speaker)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("xx-nonexistent"))
        }
    }
}
