import SeededRandom

/// Documents per split of a mini XSum corpus.
public struct XSumSizes: Sendable, Hashable {
    public var train: Int
    public var validation: Int
    public var test: Int

    public init(train: Int, validation: Int, test: Int) {
        self.train = train
        self.validation = validation
        self.test = test
    }

    /// The default corpus: 10,000 training, 500 validation and 1,000 test documents.
    public static let standard = XSumSizes(train: 10_000, validation: 500, test: 1_000)

    /// The smallest `--documents`.
    public static let minimumTrain = 20

    /// `n` training documents, validation n/20 (at least 10) and test n/10 (at least 20).
    public static func scaled(train n: Int) -> XSumSizes {
        XSumSizes(train: n, validation: max(10, n / 20), test: max(20, n / 10))
    }
}

/// One story: its sentences (the document is them joined by newlines), the one-sentence summary, and
/// which sentences carry the summary's facts.
public struct XSumDocument: Sendable, Hashable {
    /// A string of 8 digits, unique over the corpus (XSum's BBC article ids).
    public var id: String
    public var sentences: [String]
    public var summary: String
    /// Index in `sentences` of the lead (who, what), the place and the cause sentence.
    public var leadIndex: Int
    public var placeIndex: Int
    public var causeIndex: Int

    /// The document as XSum stores it: one sentence per line.
    public var document: String { sentences.joined(separator: "\n") }
}

public struct XSumSplit: Sendable, Hashable {
    public var name: String
    public var documents: [XSumDocument]
}

/// Draws news stories: an event with a person, an object, a town, a time, a cause and a consequence,
/// told over several sentences (a lead sentence with who did what and when, a sentence with the town,
/// a sentence with the cause, then consequences, quotes and unrelated distractor sentences from the
/// English grammar of `SentenceGenerator`), and the abstractive one-sentence summary
/// "<who> has <done> <what> in <town> after <cause>": who and what come from the lead, the town from
/// another sentence, and the cause is a noun phrase paraphrasing a clause of a third one, with the
/// verbs changed ("called off" → "has cancelled").
public struct XSumStoryGenerator {
    public var rng: Xoshiro256
    var distractors: SentenceGenerator
    let persons: [String]
    let towns: [String]

    public init(seed: UInt64, lexicon: Lexicon = .standard) {
        rng = Xoshiro256(seed: seed, stream: 41)
        distractors = SentenceGenerator(seed: seed &+ 0x5853_756d, lexicon: lexicon)
        distractors.maxWords = 16
        persons = lexicon.nouns.filter { $0.classes.contains(.person) }.map(\.english)
        towns = XSumData.towns
    }

    mutating func pick<T>(_ xs: [T]) -> T { xs[rng.nextInt(0, xs.count)] }
    mutating func chance(_ p: Double) -> Bool { rng.nextUnitDouble() < p }

    static func capitalised(_ s: String) -> String {
        guard let f = s.first else { return s }
        return f.uppercased() + s.dropFirst()
    }

    static func lowerFirst(_ s: String) -> String {
        guard let f = s.first else { return s }
        return f.lowercased() + s.dropFirst()
    }

    /// The next story (id left empty).
    public mutating func next() -> XSumDocument {
        let event = pick(XSumData.events)
        let object = pick(event.objects)
        let objectText = pick(object.document)
        let verb = pick(event.documentVerbs)
        let cause = pick(XSumData.causes)
        let causeClause = pick(cause.document)
        let town = pick(towns)
        let person = pick(persons)
        let adjective: String? = chance(0.5) ? pick(XSumData.personAdjectives) : nil
        let core = [adjective, person].compactMap { $0 }.joined(separator: " ")
        let who = (English.indefiniteArticle(before: core) + " " + core)
        let whoDocument = chance(0.4) ? who + " " + pick(XSumData.personClauses) : who
        let time = pick(XSumData.times)

        // Lead: who did what, and when.
        let lead: String
        switch rng.nextInt(0, 3) {
        case 0: lead = "\(time), \(whoDocument) \(verb) \(objectText)."
        case 1: lead = "\(Self.capitalised(whoDocument)) \(verb) \(objectText) \(Self.lowerFirst(time))."
        default: lead = "News broke \(Self.lowerFirst(time)) that \(whoDocument) had \(Self.pastParticiple(verb)) \(objectText)."
        }
        // Place.
        let size = pick(XSumData.sizes), settlement = pick(XSumData.settlements), location = pick(XSumData.locations)
        let place: String
        switch rng.nextInt(0, 5) {
        case 0: place = "The \(event.noun) took place in \(town), a \(size) \(settlement) \(location)."
        case 1: place = "It all happened in \(town), \(location)."
        case 2: place = "People in \(town) heard about the \(event.noun) on the local radio."
        case 3: place = "The \(event.noun) is the biggest story in \(town) this year."
        default: place = "\(town) is a \(size) \(settlement) \(location), and the \(event.noun) surprised many there."
        }
        // Cause.
        let because: String
        switch rng.nextInt(0, 5) {
        case 0: because = "Officials said the \(event.noun) came after \(causeClause)."
        case 1: because = "According to the council, \(causeClause) earlier in the month."
        case 2: because = "Earlier this month, \(causeClause)."
        case 3: because = "The \(event.noun) followed reports that \(causeClause)."
        default: because = "It is understood that \(causeClause) shortly before."
        }
        var others: [String] = []
        if chance(0.7) { others.append("As a result, \(pick(XSumData.consequences)).") }
        if chance(0.5) {
            let speaker = pick(persons.filter { $0 != person })
            others.append("\"\(pick(XSumData.quotes)),\" \(pick(XSumData.saidVerbs)) \(English.indefiniteArticle(before: speaker)) \(speaker).")
        }
        let distractorCount = rng.nextInt(others.isEmpty ? 1 : 0, 4)
        for _ in 0..<distractorCount { others.append(distractors.next().english) }
        // The lead first (news style), the rest in a random order.
        var rest = [(0, place), (1, because)] + others.map { (2, $0) }
        for i in stride(from: rest.count - 1, to: 0, by: -1) { rest.swapAt(i, rng.nextInt(0, i + 1)) }
        let sentences = [lead] + rest.map(\.1)
        let placeIndex = 1 + rest.firstIndex { $0.0 == 0 }!, causeIndex = 1 + rest.firstIndex { $0.0 == 1 }!
        let summary = "\(Self.capitalised(who)) has \(event.summaryVerb) \(object.summary) in \(town) after \(cause.summary)."
        return XSumDocument(id: "", sentences: sentences, summary: summary, leadIndex: 0, placeIndex: placeIndex, causeIndex: causeIndex)
    }

    /// The past participle of a document verb phrase ("took first place in" → "taken first place in").
    static func pastParticiple(_ verb: String) -> String {
        let irregular = ["took": "taken", "came": "come", "ran": "run", "gave": "given", "stepped": "stepped", "left": "left",
                         "put": "put", "shut": "shut", "dug": "dug", "quit": "quit", "found": "found"]
        var words = verb.split(separator: " ").map(String.init)
        if let p = irregular[words[0]] { words[0] = p }
        return words.joined(separator: " ")
    }
}

/// The mini XSum corpus: splits train, validation and test of unique documents (no document occurs
/// twice anywhere in the corpus, so no test document is in training), each with a unique 8-digit id.
public struct XSumPlan: Sendable {
    public static let splitNames = ["train", "validation", "test"]
    public var seed: UInt64
    public var sizes: XSumSizes
    public var splits: [XSumSplit]

    public init(sizes: XSumSizes, seed: UInt64) {
        self.seed = seed
        self.sizes = sizes
        var generator = XSumStoryGenerator(seed: seed)
        var ids = Xoshiro256(seed: seed, stream: 42)
        var seenDocuments = Set<String>(), seenIDs = Set<String>()
        var splits: [XSumSplit] = []
        for (name, count) in zip(Self.splitNames, [sizes.train, sizes.validation, sizes.test]) {
            var documents: [XSumDocument] = []
            documents.reserveCapacity(count)
            while documents.count < count {
                var d = generator.next()
                guard seenDocuments.insert(d.document).inserted else { continue }
                var id: String
                repeat { id = String(ids.nextInt(10_000_000, 100_000_000)) } while !seenIDs.insert(id).inserted
                d.id = id
                documents.append(d)
            }
            splits.append(XSumSplit(name: name, documents: documents))
        }
        self.splits = splits
    }

    public var documentCount: Int { splits.reduce(0) { $0 + $1.documents.count } }
}
