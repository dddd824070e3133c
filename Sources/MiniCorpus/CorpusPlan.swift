import SeededRandom

/// An espeak-ng speaker: voice, variant, rate (words per minute), pitch (0–99) and a gain.
public struct Speaker: Sendable, Hashable, Codable {
    public var id: String
    public var voice: String
    public var variant: String
    public var rate: Int
    public var pitch: Int
    public var gain: Float

    public init(id: String, voice: String, variant: String, rate: Int, pitch: Int, gain: Float) {
        self.id = id
        self.voice = voice
        self.variant = variant
        self.rate = rate
        self.pitch = pitch
        self.gain = gain
    }

    /// The `-v` argument of espeak-ng.
    public var espeakVoice: String { "\(voice)+\(variant)" }
}

/// One talk: one speaker reading consecutive segments with silences in between.
public struct PlannedTalk: Sendable, Hashable {
    public var id: String
    public var speaker: Speaker
    public var segments: [SentencePair]
    /// Silence before the first segment and after each segment, seconds (count = segments + 1).
    public var silences: [Double]
}

public struct PlannedSplit: Sendable, Hashable {
    public var name: String
    public var talks: [PlannedTalk]
    public var segmentCount: Int { talks.reduce(0) { $0 + $1.segments.count } }
    public var sentences: [SentencePair] { talks.flatMap(\.segments) }
}

/// The sizes and shape of a mini MuST-C corpus.
public struct MustCSizes: Sendable, Hashable {
    public var train: Int
    public var dev: Int
    public var test: Int
    /// Segments per talk (the last talk of a split takes the remainder).
    public var segmentsPerTalk: ClosedRange<Int>

    public init(train: Int, dev: Int, test: Int, segmentsPerTalk: ClosedRange<Int> = 20...40) {
        self.train = train
        self.dev = dev
        self.test = test
        self.segmentsPerTalk = segmentsPerTalk
    }

    /// The default corpus: 3000 training, 200 dev and 1000 tst-COMMON segments.
    public static let standard = MustCSizes(train: 3000, dev: 200, test: 1000)

    /// `utterances` training segments with dev and test scaled like the default (dev 1/15, test 1/3).
    public static func scaled(trainUtterances n: Int) -> MustCSizes {
        MustCSizes(train: n, dev: max(4, (n + 7) / 15), test: max(4, (n + 2) / 3),
                   segmentsPerTalk: n >= 1500 ? 20...40 : max(2, min(20, n / 10))...max(4, min(40, n / 5)))
    }
}

/// Which voices read which split: the test split has voices never heard in training.
public enum VoicePlan {
    public static let trainingVoices = ["en-us", "en-gb", "en-gb-x-rp", "en-gb-x-gbclan", "en-us-nyc"]
    public static let heldOutVoices = ["en-029", "en-gb-scotland", "en-gb-x-gbcwmd"]
    public static let variants = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5"]
}

/// The whole corpus before synthesis: texts, talks, speakers and silences, all from the seed.
public struct CorpusPlan: Sendable {
    public var seed: UInt64
    public var splits: [PlannedSplit]

    public static let splitNames = ["train", "dev", "tst-COMMON"]

    /// Plans the three splits. Sentences are unique over the whole corpus, so no dev or test sentence
    /// occurs in training; test talks alternate between held-out voices and training voices.
    public init(sizes: MustCSizes, seed: UInt64) {
        self.seed = seed
        let texts = Self.sentences(counts: [sizes.train, sizes.dev, sizes.test], seed: seed)
        var rng = Xoshiro256(seed: seed, stream: 1)
        var talkNumber = 1, speakerNumber = 1
        var splits: [PlannedSplit] = []
        for (s, name) in Self.splitNames.enumerated() {
            var talks: [PlannedTalk] = []
            var rest = texts[s][...]
            var index = 0
            while !rest.isEmpty {
                let range = sizes.segmentsPerTalk
                var n = Int.random(in: range, using: &rng)
                if rest.count - n < range.lowerBound { n = rest.count }
                let segments = Array(rest.prefix(n))
                rest = rest.dropFirst(n)
                let heldOut = name == "tst-COMMON" && index % 2 == 0
                let voice = heldOut ? VoicePlan.heldOutVoices[(index / 2) % VoicePlan.heldOutVoices.count]
                    : VoicePlan.trainingVoices[rng.nextInt(0, VoicePlan.trainingVoices.count)]
                let speaker = Speaker(id: "spk.\(speakerNumber)", voice: voice,
                                      variant: VoicePlan.variants[rng.nextInt(0, VoicePlan.variants.count)],
                                      rate: rng.nextInt(140, 186), pitch: rng.nextInt(30, 71),
                                      gain: Float(0.5 + 0.4 * rng.nextUnitDouble()))
                let silences = (0...segments.count).map { i in
                    i == 0 ? 0.3 + 0.7 * rng.nextUnitDouble() : 0.25 + 0.65 * rng.nextUnitDouble()
                }
                talks.append(PlannedTalk(id: "ted_\(talkNumber)", speaker: speaker, segments: segments, silences: silences))
                talkNumber += 1; speakerNumber += 1; index += 1
            }
            splits.append(PlannedSplit(name: name, talks: talks))
        }
        self.splits = splits
    }

    /// Unique sentences for each split, in order: a sentence is never repeated anywhere in the corpus.
    public static func sentences(counts: [Int], seed: UInt64) -> [[SentencePair]] {
        var generator = SentenceGenerator(seed: seed)
        var seen = Set<String>()
        return counts.map { count in
            var out: [SentencePair] = []
            out.reserveCapacity(count)
            while out.count < count {
                let p = generator.next()
                if seen.insert(p.english).inserted { out.append(p) }
            }
            return out
        }
    }

    public var segmentCount: Int { splits.reduce(0) { $0 + $1.segmentCount } }
}
