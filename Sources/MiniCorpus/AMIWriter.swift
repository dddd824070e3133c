import Foundation
import SeededRandom

/// Writes an `AMIPlan` as the AMI IHM corpus and its standard Kaldi preparation would leave it:
/// `DIR/amicorpus/<mtg>/audio/<mtg>.Headset-<n>.wav` (16 kHz, 16-bit mono; each headset carries its
/// speaker's turns at their meeting times, low noise elsewhere) and `DIR/data/<split>/` with `wav.scp`
/// (plain absolute paths), `segments`, `text` (Kaldi-normalised: upper case, no punctuation), `utt2spk`,
/// `spk2utt`, all sorted, utterance ids `AMI_<mtg>_H0<n>_<spk>_<start·100 %07d>_<end·100 %07d>`; plus
/// `DIR/make-corpus.json`. Written into a temporary directory next to DIR, renamed when complete.
public enum AMIWriter {
    public static let sampleRate = EspeakSynthesizer.sampleRate

    public struct SplitSummary: Sendable, Hashable {
        public var name: String
        public var meetings: Int
        public var utterances: Int
        public var speechSeconds: Double
    }

    @discardableResult
    public static func write(_ plan: AMIPlan, to dir: URL, synthesizer: EspeakSynthesizer, jobs: Int = 2,
                             overwrite: Bool = false, progress: ((Int, Int) -> Void)? = nil) throws -> [SplitSummary] {
        try CorpusDirectory.write(to: dir, overwrite: overwrite) { temp, final in
            var done = 0, meetingIndex: UInt64 = 0
            var summaries: [SplitSummary] = []
            for split in plan.splits {
                var wavScp: [String] = [], segments: [String] = [], text: [String] = [], utt2spk: [String] = []
                var spk2utt: [String: [String]] = [:]
                var speech = 0.0
                for meeting in split.meetings {
                    meetingIndex += 1
                    let audio = try synthesize(meeting, synthesizer: synthesizer, jobs: jobs)
                    var rng = Xoshiro256(seed: plan.seed, stream: 5000 + meetingIndex)
                    var tracks = [[Float]](repeating: [], count: 4)
                    var t = 0.0
                    var placed: [(start: Double, end: Double)] = []
                    for (turn, samples) in zip(meeting.turns, audio) {
                        t += turn.gap
                        placed.append((t, t + Double(samples.count) / Double(sampleRate)))
                        t += Double(samples.count) / Double(sampleRate)
                    }
                    let total = Int(((t + 0.5) * Double(sampleRate)).rounded())
                    for h in 0..<4 { tracks[h] = (0..<total).map { _ in MustCWriter.noiseLevel * Float(rng.nextGaussian()) } }
                    for ((turn, samples), span) in zip(zip(meeting.turns, audio), placed) {
                        let first = Int((span.start * Double(sampleRate)).rounded())
                        for (i, x) in samples.enumerated() where first + i < total { tracks[turn.headset][first + i] += x }
                        let spk = meeting.speakers[turn.headset].id, rec = "\(meeting.id)_H0\(turn.headset)"
                        // Kaldi's segment times are at 10 ms; the id carries them ×100.
                        let start = (span.start * 100).rounded(.down) / 100, end = (span.end * 100).rounded(.up) / 100
                        let utt = String(format: "AMI_%@_H0%d_%@_%07d_%07d", meeting.id, turn.headset, spk, Int((start * 100).rounded()),
                                         Int((end * 100).rounded()))
                        segments.append(String(format: "%@ %@ %.2f %.2f", utt, rec, start, end))
                        text.append("\(utt) \(AMIPlan.kaldiText(turn.sentence.english))")
                        utt2spk.append("\(utt) \(spk)")
                        spk2utt[spk, default: []].append(utt)
                        speech += span.end - span.start
                    }
                    let audioDir = temp.appendingPathComponent("amicorpus/\(meeting.id)/audio")
                    try MustCWriter.create(audioDir)
                    for h in 0..<4 {
                        let name = "\(meeting.id).Headset-\(h).wav"
                        try MustCWriter.writeWAV(tracks[h], sampleRate: sampleRate, to: audioDir.appendingPathComponent(name))
                        wavScp.append("\(meeting.id)_H0\(h) \(final.path)/amicorpus/\(meeting.id)/audio/\(name)")
                    }
                    done += meeting.turns.count
                    progress?(done, plan.utteranceCount)
                }
                let dataDir = temp.appendingPathComponent("data/\(split.name)")
                try MustCWriter.create(dataDir)
                func lines(_ l: [String]) -> String { l.sorted().joined(separator: "\n") + "\n" }
                try MustCWriter.write(lines(wavScp), dataDir.appendingPathComponent("wav.scp"))
                try MustCWriter.write(lines(segments), dataDir.appendingPathComponent("segments"))
                try MustCWriter.write(lines(text), dataDir.appendingPathComponent("text"))
                try MustCWriter.write(lines(utt2spk), dataDir.appendingPathComponent("utt2spk"))
                try MustCWriter.write(lines(spk2utt.map { "\($0.key) \($0.value.sorted().joined(separator: " "))" }),
                                      dataDir.appendingPathComponent("spk2utt"))
                summaries.append(SplitSummary(name: split.name, meetings: split.meetings.count, utterances: split.utteranceCount,
                                              speechSeconds: speech))
            }
            try MustCWriter.write(try info(plan), temp.appendingPathComponent("make-corpus.json"))
            return summaries
        }
    }

    /// Each turn read by its speaker's voice (up to `jobs` espeak-ng processes), in turn order.
    static func synthesize(_ meeting: AMIMeeting, synthesizer: EspeakSynthesizer, jobs: Int) throws -> [[Float]] {
        var out = [[Float]](repeating: [], count: meeting.turns.count)
        for h in 0..<4 {
            let mine = meeting.turns.indices.filter { meeting.turns[$0].headset == h }
            let audio = try MustCWriter.synthesize(mine.map { meeting.turns[$0].sentence.english }, speaker: meeting.speakers[h],
                                                   synthesizer: synthesizer, jobs: jobs)
            for (i, a) in zip(mine, audio) { out[i] = a }
        }
        return out
    }

    struct Info: Codable {
        struct Meeting: Codable { var split: String; var meeting: String; var utterances: Int; var speakers: [Speaker] }
        var corpus = "ami"
        var generator = "mtla make-corpus ami"
        var seed: UInt64
        var sampleRate: Int
        var trainingVoices: [String]
        var heldOutVoices: [String]
        var meetings: [Meeting]
    }

    static func info(_ plan: AMIPlan) throws -> String {
        let info = Info(seed: plan.seed, sampleRate: sampleRate, trainingVoices: VoicePlan.trainingVoices, heldOutVoices: VoicePlan.heldOutVoices,
                        meetings: plan.splits.flatMap { s in s.meetings.map { Info.Meeting(split: s.name, meeting: $0.id, utterances: $0.turns.count, speakers: $0.speakers) } })
        return try MustCWriter.prettyJSON(info)
    }
}
