import AudioIO
import Foundation
import SeededRandom

/// Writes a `SLURPPlan` in the layout of SLURP's repository (pswietojanski/slurp):
/// `DIR/dataset/slurp/{train,devel,test}.jsonl` (one sentence per line with `slurp_id`, `sentence`,
/// `sentence_annotation`, `intent`, `action`, `scenario`, `tokens`, `recordings`, `entities`) and
/// `DIR/audio/slurp_real/audio-<n>.flac` (16 kHz, 16-bit mono FLAC, one per recording: the speech with
/// 0.15–0.6 s of low noise on each side), plus `DIR/make-corpus.json` (seed, sizes, speakers, and the
/// speaker of every recording). Written into a temporary directory next to DIR, renamed when complete.
public enum SLURPWriter {
    public static let sampleRate = EspeakSynthesizer.sampleRate

    public struct SplitSummary: Sendable, Hashable {
        public var name: String
        public var sentences: Int
        public var recordings: Int
        public var speechSeconds: Double
    }

    /// - Parameters:
    ///   - jobs: espeak-ng processes (and FLAC encoders) run at once.
    ///   - progress: called after each batch of recordings with (recordings done, recordings in all).
    @discardableResult
    public static func write(_ plan: SLURPPlan, to dir: URL, synthesizer: EspeakSynthesizer, jobs: Int = 2,
                             overwrite: Bool = false, progress: ((Int, Int) -> Void)? = nil) throws -> [SplitSummary] {
        try CorpusDirectory.write(to: dir, overwrite: overwrite) { temp, final in
            let audioDir = temp.appendingPathComponent("audio/slurp_real"), textDir = temp.appendingPathComponent("dataset/slurp")
            try MustCWriter.create(audioDir)
            try MustCWriter.create(textDir)

            let total = plan.recordingCount
            var done = 0, recordingIndex: UInt64 = 0
            var summaries: [SplitSummary] = []
            for split in plan.splits {
                var jobsList: [Job] = []
                for example in split.examples {
                    for r in example.recordings {
                        recordingIndex += 1
                        jobsList.append(Job(text: example.utterance.sentence, recording: r, noiseStream: 9000 + recordingIndex))
                    }
                }
                var speech = 0.0
                var start = 0
                let batch = max(1, jobs) * 8
                while start < jobsList.count {
                    let slice = Array(jobsList[start..<min(start + batch, jobsList.count)])
                    speech += try render(slice, seed: plan.seed, into: audioDir, synthesizer: synthesizer, jobs: jobs).reduce(0, +)
                    start += slice.count
                    done += slice.count
                    progress?(done, total)
                }
                let lines = try split.examples.map { try jsonLine($0) }
                try MustCWriter.write(lines.joined(separator: "\n") + "\n", textDir.appendingPathComponent("\(split.name).jsonl"))
                summaries.append(SplitSummary(name: split.name, sentences: split.examples.count, recordings: split.recordingCount,
                                              speechSeconds: speech))
            }
            try MustCWriter.write(try info(plan), temp.appendingPathComponent("make-corpus.json"))
            return summaries
        }
    }

    struct Job: Sendable {
        var text: String
        var recording: SLURPRecording
        var noiseStream: UInt64
    }

    /// Synthesises and writes the jobs' FLACs with up to `jobs` at once; returns their speech seconds.
    static func render(_ list: [Job], seed: UInt64, into dir: URL, synthesizer: EspeakSynthesizer, jobs: Int) throws -> [Double] {
        let results = ResultBox(count: list.count)
        let limit = DispatchSemaphore(value: max(1, jobs))
        let group = DispatchGroup()
        for (i, job) in list.enumerated() {
            limit.wait()
            if results.failed { limit.signal(); break }
            group.enter()
            DispatchQueue.global().async {
                defer { limit.signal(); group.leave() }
                do {
                    let speech = try synthesizer.synthesize(job.text, speaker: job.recording.speaker)
                    var rng = Xoshiro256(seed: seed, stream: job.noiseStream)
                    let samples = assemble(speech, recording: job.recording, rng: &rng)
                    let path = dir.appendingPathComponent(job.recording.file).path
                    do { try AudioWriter.write(samples, sampleRate: sampleRate, format: .flac16, to: path) } catch {
                        throw MiniCorpusError.io(path: path, reason: "\(error)")
                    }
                    results.set(i, [Float(Double(speech.count) / Double(sampleRate))])
                } catch { results.fail(error) }
            }
        }
        group.wait()
        if let e = results.error { throw e }
        return results.values.map { Double($0.first ?? 0) }
    }

    /// The speech between its silences, with low background noise throughout.
    static func assemble(_ speech: [Float], recording: SLURPRecording, rng: inout Xoshiro256) -> [Float] {
        let lead = Int((recording.leadingSilence * Double(sampleRate)).rounded())
        let trail = Int((recording.trailingSilence * Double(sampleRate)).rounded())
        var samples = [Float](repeating: 0, count: lead) + speech + [Float](repeating: 0, count: trail)
        for i in samples.indices { samples[i] += MustCWriter.noiseLevel * Float(rng.nextGaussian()) }
        return samples
    }

    // MARK: - JSONL

    struct Record: Encodable {
        struct Token: Encodable { var surface: String; var id: Int; var lemma: String; var pos: String }
        struct Recording: Encodable { var file: String; var wer: Double; var ent_wer: Double; var status: String }
        struct Entity: Encodable { var span: [Int]; var type: String }
        var slurp_id: Int
        var sentence: String
        var sentence_annotation: String
        var intent: String
        var action: String
        var scenario: String
        var tokens: [Token]
        var recordings: [Recording]
        var entities: [Entity]
    }

    /// One line of a split's JSONL. Tokens carry their surface as lemma and `X` (UD: other) as part of
    /// speech, as the corpus has no tagger; every recording is `correct` with WER 0.
    public static func jsonLine(_ example: SLURPExample) throws -> String {
        let u = example.utterance
        let record = Record(
            slurp_id: example.slurpID, sentence: u.sentence, sentence_annotation: u.annotation, intent: u.intent,
            action: u.action, scenario: u.scenario,
            tokens: u.tokens.enumerated().map { Record.Token(surface: $0.element, id: $0.offset, lemma: $0.element, pos: "X") },
            recordings: example.recordings.map { Record.Recording(file: $0.file, wer: 0, ent_wer: 0, status: "correct") },
            entities: u.entities.map { Record.Entity(span: $0.span, type: $0.type) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return String(decoding: try encoder.encode(record), as: UTF8.self) } catch {
            throw MiniCorpusError.io(path: "slurp_id \(example.slurpID)", reason: "cannot encode: \(error)")
        }
    }

    // MARK: - make-corpus.json

    struct Info: Codable {
        struct Split: Codable { var split: String; var sentences: Int; var recordings: Int; var speakers: [Speaker] }
        var corpus = "slurp"
        var generator = "mtla make-corpus slurp"
        var seed: UInt64
        var sampleRate: Int
        var trainingVoices: [String]
        var heldOutVoices: [String]
        var intents: [String]
        var splits: [Split]
        /// Recording file → speaker id.
        var recordingSpeakers: [String: String]
    }

    static func info(_ plan: SLURPPlan) throws -> String {
        var speakers: [String: String] = [:]
        for s in plan.splits { for e in s.examples { for r in e.recordings { speakers[r.file] = r.speaker.id } } }
        let intents = Set(plan.splits.flatMap { $0.examples.map(\.utterance.intent) }).sorted()
        let info = Info(seed: plan.seed, sampleRate: sampleRate, trainingVoices: VoicePlan.trainingVoices,
                        heldOutVoices: VoicePlan.heldOutVoices, intents: intents,
                        splits: plan.splits.map { Info.Split(split: $0.name, sentences: $0.examples.count, recordings: $0.recordingCount,
                                                             speakers: $0.speakers) },
                        recordingSpeakers: speakers)
        return try MustCWriter.prettyJSON(info)
    }
}
