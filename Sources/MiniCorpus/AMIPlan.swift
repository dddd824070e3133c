import SeededRandom

/// One utterance of a mini AMI meeting: who says what.
public struct AMITurn: Sendable, Hashable {
    /// Index of the speaker's headset (0…3) in the meeting.
    public var headset: Int
    public var sentence: SentencePair
    /// Silence before the turn, seconds.
    public var gap: Double
}

/// A meeting: four speakers, each with a headset, taking turns.
public struct AMIMeeting: Sendable, Hashable {
    public var id: String
    public var speakers: [Speaker]
    public var turns: [AMITurn]
}

public struct AMISplit: Sendable, Hashable {
    public var name: String
    public var meetings: [AMIMeeting]
    public var utteranceCount: Int { meetings.reduce(0) { $0 + $1.turns.count } }
}

/// The mini AMI IHM corpus before synthesis, all from the seed: splits train, dev and eval of
/// meetings with four speakers each (AMI's `FEE005`-style ids), 30–60 turns per meeting, sentences
/// unique over the corpus; every eval meeting has two speakers with voices never used in training.
public struct AMIPlan: Sendable {
    public static let splitNames = ["train", "dev", "eval"]
    public var seed: UInt64
    public var splits: [AMISplit]

    /// - Parameter sizes: utterances per split (train, dev, eval).
    public init(train: Int, dev: Int, eval: Int, seed: UInt64) {
        self.seed = seed
        let texts = CorpusPlan.sentences(counts: [train, dev, eval], seed: seed &+ 7)
        var rng = Xoshiro256(seed: seed, stream: 2)
        var meetingNumber = 0, speakerNumber = 0
        splits = Self.splitNames.enumerated().map { s, name in
            var meetings: [AMIMeeting] = []
            var rest = texts[s][...]
            while !rest.isEmpty {
                var n = rng.nextInt(30, 61)
                if rest.count - n < 30 { n = rest.count }
                let sentences = rest.prefix(n)
                rest = rest.dropFirst(n)
                meetingNumber += 1
                let id = "MC\(1000 + meetingNumber)\(["a", "b", "c", "d"][meetingNumber % 4])"
                let speakers: [Speaker] = (0..<4).map { h in
                    speakerNumber += 1
                    let female = rng.nextInt(0, 2) == 0
                    let heldOut = name == "eval" && h % 2 == 0
                    let voices = heldOut ? VoicePlan.heldOutVoices : VoicePlan.trainingVoices
                    let variants = VoicePlan.variants.filter { $0.hasPrefix(female ? "f" : "m") }
                    return Speaker(id: String(format: "%@EE%03d", female ? "F" : "M", speakerNumber),
                                   voice: voices[rng.nextInt(0, voices.count)], variant: variants[rng.nextInt(0, variants.count)],
                                   rate: rng.nextInt(140, 186), pitch: rng.nextInt(30, 71), gain: Float(0.5 + 0.4 * rng.nextUnitDouble()))
                }
                var previous = -1
                let turns: [AMITurn] = sentences.map { sentence in
                    var h = rng.nextInt(0, 4)
                    if h == previous { h = (h + 1 + rng.nextInt(0, 3)) % 4 }
                    previous = h
                    return AMITurn(headset: h, sentence: sentence, gap: 0.2 + 0.8 * rng.nextUnitDouble())
                }
                meetings.append(AMIMeeting(id: id, speakers: speakers, turns: turns))
            }
            return AMISplit(name: name, meetings: meetings)
        }
    }

    public var utteranceCount: Int { splits.reduce(0) { $0 + $1.utteranceCount } }

    /// Kaldi's AMI text normalisation: upper case, punctuation other than apostrophes removed.
    public static func kaldiText(_ s: String) -> String {
        let kept = s.uppercased().map { c -> Character in c.isLetter || c.isNumber || c == "'" ? c : " " }
        return String(kept).split(separator: " ").joined(separator: " ")
    }
}
