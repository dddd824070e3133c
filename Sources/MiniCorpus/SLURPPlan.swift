import SeededRandom

/// Recordings per split of a mini SLURP corpus.
public struct SLURPSizes: Sendable, Hashable {
    public var train: Int
    public var devel: Int
    public var test: Int

    public init(train: Int, devel: Int, test: Int) {
        self.train = train
        self.devel = devel
        self.test = test
    }

    /// The default corpus: 20,000 training, 1000 devel and 1000 test recordings (about 10,000 training
    /// sentences, near the 11,514 of the published SLURP training set; with 3,000 the decoder memorised them).
    public static let standard = SLURPSizes(train: 20000, devel: 1000, test: 1000)

    /// `n` training recordings, devel n/10 (at least 3) and test n/6 (at least 6).
    public static func scaled(trainRecordings n: Int) -> SLURPSizes {
        SLURPSizes(train: n, devel: max(3, n / 10), test: max(6, n / 6))
    }
}

/// One reading of a sentence: the FLAC's name, its speaker, and the silence around the speech.
public struct SLURPRecording: Sendable, Hashable {
    /// `audio-<n>.flac`, unique over the corpus.
    public var file: String
    public var speaker: Speaker
    public var leadingSilence: Double
    public var trailingSilence: Double
}

/// A sentence of a split with its 1–3 recordings by different speakers.
public struct SLURPExample: Sendable, Hashable {
    public var slurpID: Int
    public var utterance: SLURPUtterance
    public var recordings: [SLURPRecording]
}

public struct SLURPSplit: Sendable, Hashable {
    public var name: String
    public var examples: [SLURPExample]
    /// Speakers who may read this split's sentences.
    public var speakers: [Speaker]
    public var recordingCount: Int { examples.reduce(0) { $0 + $1.recordings.count } }
    public var utterances: [SLURPUtterance] { examples.map(\.utterance) }
}

/// The mini SLURP corpus before synthesis, all from the seed: splits train, devel and test of unique
/// sentences (none repeated anywhere in the corpus), each read 1–3 times by different speakers of its
/// split. Training sentences use only the training part of each filler list; devel and test draw half
/// their fillers from the held-out part, so many of their word 4-grams are new. Test speakers are
/// disjoint from training speakers and half of them have voices never used in training.
public struct SLURPPlan: Sendable {
    public static let splitNames = ["train", "devel", "test"]
    /// Speakers per split (train, devel, test); the published corpus has 177.
    public static let speakerCounts = [120, 12, 16]
    /// Share of devel and test fillers from the held-out part of their lists.
    public static let heldOutShare = 0.5
    public var seed: UInt64
    public var splits: [SLURPSplit]

    public init(sizes: SLURPSizes, seed: UInt64, grammar: SLURPGrammar = .standard) {
        self.seed = seed
        var generator = SLURPGenerator(grammar: grammar, seed: seed, stream: 1)
        var rng = Xoshiro256(seed: seed, stream: 2)
        var seen = Set<String>()
        var slurpID = 1, recordingIndex = 0, speakerNumber = 0
        var splits: [SLURPSplit] = []
        for (s, name) in Self.splitNames.enumerated() {
            let speakers: [Speaker] = (0..<Self.speakerCounts[s]).map { i in
                speakerNumber += 1
                let heldOut = name == "test" && i % 2 == 0
                let voices = heldOut ? VoicePlan.heldOutVoices : VoicePlan.trainingVoices
                return Speaker(id: String(format: "spk-%03d", speakerNumber), voice: voices[rng.nextInt(0, voices.count)],
                               variant: VoicePlan.variants[rng.nextInt(0, VoicePlan.variants.count)],
                               rate: rng.nextInt(140, 186), pitch: rng.nextInt(30, 71), gain: Float(0.5 + 0.4 * rng.nextUnitDouble()))
            }
            let heldOutSpeakers = speakers.indices.filter { VoicePlan.heldOutVoices.contains(speakers[$0].voice) }
            let target = [sizes.train, sizes.devel, sizes.test][s]
            var examples: [SLURPExample] = []
            var recorded = 0
            while recorded < target {
                var u = generator.next(heldOutShare: s == 0 ? 0 : Self.heldOutShare)
                while !seen.insert(u.sentence).inserted { u = generator.next(heldOutShare: s == 0 ? 0 : Self.heldOutShare) }
                let k = min(rng.nextInt(1, 4), target - recorded)
                // Distinct speakers; every other test sentence is first read by a held-out voice.
                var chosen: [Int] = []
                if !heldOutSpeakers.isEmpty && examples.count % 2 == 0 {
                    chosen.append(heldOutSpeakers[rng.nextInt(0, heldOutSpeakers.count)])
                }
                while chosen.count < k {
                    let i = rng.nextInt(0, speakers.count)
                    if !chosen.contains(i) { chosen.append(i) }
                }
                let recordings = chosen.map { i -> SLURPRecording in
                    recordingIndex += 1
                    let n = 1_490_000_000 + recordingIndex * 13 + rng.nextInt(0, 13)
                    return SLURPRecording(file: "audio-\(n).flac", speaker: speakers[i],
                                          leadingSilence: 0.15 + 0.45 * rng.nextUnitDouble(),
                                          trailingSilence: 0.15 + 0.45 * rng.nextUnitDouble())
                }
                examples.append(SLURPExample(slurpID: slurpID, utterance: u, recordings: recordings))
                slurpID += 1
                recorded += k
            }
            splits.append(SLURPSplit(name: name, examples: examples, speakers: speakers))
        }
        self.splits = splits
    }

    public var recordingCount: Int { splits.reduce(0) { $0 + $1.recordingCount } }
}
