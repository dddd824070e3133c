import Foundation
import SeededRandom

/// One YAML entry of MuST-C: a segment of a talk WAV.
public struct MustCSegment: Sendable, Hashable {
    public var wav: String
    public var offset: Double
    public var duration: Double
    public var words: Int
    public var speaker: String

    /// The line MuST-C writes: `- {duration: 3.120000, offset: 0.500000, rW: 9, uW: 0, speaker_id: spk.1, wav: ted_1.wav}`.
    public var yamlLine: String {
        "- {duration: \(String(format: "%.6f", duration)), offset: \(String(format: "%.6f", offset)), rW: \(words), uW: 0, speaker_id: \(speaker), wav: \(wav)}"
    }
}

public struct MustCSplitSummary: Sendable, Hashable {
    public var name: String
    public var talks: Int
    public var segments: Int
    public var audioSeconds: Double
    public var speechSeconds: Double
}

/// Writes a `CorpusPlan` in MuST-C v1's layout:
/// `DIR/en-de/data/<split>/wav/<talk>.wav` (16 kHz, 16-bit mono), `DIR/en-de/data/<split>/txt/<split>.yaml`,
/// `<split>.en`, `<split>.de` (line-aligned with the YAML), plus `DIR/make-corpus.json` (seed, sizes, speakers).
/// Everything is written into a temporary directory next to DIR, which is renamed when complete.
public enum MustCWriter {
    public static let sampleRate = EspeakSynthesizer.sampleRate
    /// Standard deviation of the background noise added to every talk (about -74 dBFS).
    public static let noiseLevel: Float = 2e-4

    /// - Parameters:
    ///   - jobs: espeak-ng processes run at once.
    ///   - progress: called after each talk with (segments done, segments in all).
    @discardableResult
    public static func write(_ plan: CorpusPlan, to dir: URL, synthesizer: EspeakSynthesizer, jobs: Int = 2,
                             overwrite: Bool = false, progress: ((Int, Int) -> Void)? = nil) throws -> [MustCSplitSummary] {
        try CorpusDirectory.write(to: dir, overwrite: overwrite) { temp, _ in
            let total = plan.segmentCount
            var done = 0
            var summaries: [MustCSplitSummary] = []
            var talkIndex: UInt64 = 0
            for split in plan.splits {
                let base = temp.appendingPathComponent("en-de/data/\(split.name)")
                let wavDir = base.appendingPathComponent("wav"), txtDir = base.appendingPathComponent("txt")
                try create(wavDir); try create(txtDir)
                var yaml = "", en = "", de = ""
                var audioSeconds = 0.0, speechSeconds = 0.0
                for talk in split.talks {
                    talkIndex += 1
                    let speech = try synthesize(talk.segments.map(\.english), speaker: talk.speaker, synthesizer: synthesizer, jobs: jobs)
                    var rng = Xoshiro256(seed: plan.seed, stream: 1000 + talkIndex)
                    let (samples, segments) = assemble(talk, speech: speech, rng: &rng)
                    try writeWAV(samples, sampleRate: sampleRate, to: wavDir.appendingPathComponent("\(talk.id).wav"))
                    for (segment, pair) in zip(segments, talk.segments) {
                        yaml += segment.yamlLine + "\n"
                        en += pair.english + "\n"
                        de += pair.german + "\n"
                        speechSeconds += segment.duration
                    }
                    audioSeconds += Double(samples.count) / Double(sampleRate)
                    done += talk.segments.count
                    progress?(done, total)
                }
                try write(yaml, txtDir.appendingPathComponent("\(split.name).yaml"))
                try write(en, txtDir.appendingPathComponent("\(split.name).en"))
                try write(de, txtDir.appendingPathComponent("\(split.name).de"))
                summaries.append(MustCSplitSummary(name: split.name, talks: split.talks.count, segments: split.segmentCount,
                                                   audioSeconds: audioSeconds, speechSeconds: speechSeconds))
            }
            try write(info(plan), temp.appendingPathComponent("make-corpus.json"))
            return summaries
        }
    }

    /// Lays the segments out on the talk's timeline with its silences and adds low background noise.
    public static func assemble(_ talk: PlannedTalk, speech: [[Float]], rng: inout Xoshiro256) -> ([Float], [MustCSegment]) {
        var samples: [Float] = []
        var segments: [MustCSegment] = []
        func silence(_ seconds: Double) { samples += [Float](repeating: 0, count: Int((seconds * Double(sampleRate)).rounded())) }
        silence(talk.silences[0])
        for (i, s) in speech.enumerated() {
            segments.append(MustCSegment(wav: "\(talk.id).wav", offset: Double(samples.count) / Double(sampleRate),
                                         duration: Double(s.count) / Double(sampleRate),
                                         words: talk.segments[i].englishWordCount, speaker: talk.speaker.id))
            samples += s
            silence(talk.silences[i + 1])
        }
        for i in samples.indices { samples[i] += noiseLevel * Float(rng.nextGaussian()) }
        return (samples, segments)
    }

    /// Synthesises the texts with up to `jobs` espeak-ng processes at once; results in input order.
    public static func synthesize(_ texts: [String], speaker: Speaker, synthesizer: EspeakSynthesizer, jobs: Int) throws -> [[Float]] {
        let results = ResultBox(count: texts.count)
        let limit = DispatchSemaphore(value: max(1, jobs))
        let group = DispatchGroup()
        for (i, text) in texts.enumerated() {
            limit.wait()
            if results.failed { limit.signal(); break }
            group.enter()
            DispatchQueue.global().async {
                defer { limit.signal(); group.leave() }
                do { results.set(i, try synthesizer.synthesize(text, speaker: speaker)) } catch { results.fail(error) }
            }
        }
        group.wait()
        if let e = results.error { throw e }
        return results.values
    }

    /// A 16-bit PCM mono WAV.
    public static func writeWAV(_ samples: [Float], sampleRate: Int, to url: URL) throws {
        var d = Data(capacity: 44 + samples.count * 2)
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: Array("RIFF".utf8)); u32(36 + samples.count * 2); d.append(contentsOf: Array("WAVE".utf8))
        d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(1); u32(sampleRate); u32(sampleRate * 2); u16(2); u16(16)
        d.append(contentsOf: Array("data".utf8)); u32(samples.count * 2)
        var pcm = [Int16](repeating: 0, count: samples.count)
        for (i, x) in samples.enumerated() { pcm[i] = Int16(max(-32768, min(32767, (x * 32768).rounded()))) }
        pcm.withUnsafeBytes { raw in
            if Int16(1).littleEndian == 1 { d.append(contentsOf: raw) } else {
                for v in pcm { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
            }
        }
        do { try d.write(to: url) } catch { throw MiniCorpusError.io(path: url.path, reason: "\(error)") }
    }

    struct Info: Codable {
        struct Talk: Codable {
            var split: String
            var talk: String
            var segments: Int
            var speaker: Speaker
        }
        var corpus = "mustc"
        var generator = "mtla make-corpus mustc"
        var seed: UInt64
        var sampleRate: Int
        var trainingVoices: [String]
        var heldOutVoices: [String]
        var talks: [Talk]
    }

    static func info(_ plan: CorpusPlan) throws -> String {
        let info = Info(seed: plan.seed, sampleRate: sampleRate, trainingVoices: VoicePlan.trainingVoices,
                        heldOutVoices: VoicePlan.heldOutVoices,
                        talks: plan.splits.flatMap { s in s.talks.map { Info.Talk(split: s.name, talk: $0.id, segments: $0.segments.count, speaker: $0.speaker) } })
        return try prettyJSON(info)
    }

    /// `value` as pretty-printed JSON with sorted keys and a final newline (the corpora's make-corpus.json).
    static func prettyJSON<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    static func create(_ url: URL) throws {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw MiniCorpusError.io(path: url.path, reason: "cannot create directory: \(error)")
        }
    }

    static func write(_ text: String, _ url: URL) throws {
        do { try Data(text.utf8).write(to: url) } catch { throw MiniCorpusError.io(path: url.path, reason: "\(error)") }
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var _values: [[Float]]
    private var _error: Error?
    init(count: Int) { _values = Array(repeating: [], count: count) }
    func set(_ i: Int, _ v: [Float]) { lock.lock(); _values[i] = v; lock.unlock() }
    func fail(_ e: Error) { lock.lock(); if _error == nil { _error = e }; lock.unlock() }
    var failed: Bool { lock.lock(); defer { lock.unlock() }; return _error != nil }
    var error: Error? { lock.lock(); defer { lock.unlock() }; return _error }
    var values: [[Float]] { lock.lock(); defer { lock.unlock() }; return _values }
}
