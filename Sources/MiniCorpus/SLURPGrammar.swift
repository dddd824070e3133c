import SeededRandom

/// An entity of a SLURP utterance: its type and the indices of its tokens.
public struct SLURPEntity: Sendable, Hashable {
    public var type: String
    public var span: [Int]
    public var filler: String
}

/// One SLURP sentence with its intent and entities.
public struct SLURPUtterance: Sendable, Hashable {
    public var intent: String
    public var tokens: [String]
    public var entities: [SLURPEntity]
    /// The sentence with its entities marked, SLURP's `sentence_annotation`: "wake me up at [time : five am]".
    public var annotation: String

    public var sentence: String { tokens.joined(separator: " ") }
    /// The part of the intent before the first underscore ("iot" of "iot_hue_lightoff").
    public var scenario: String { String(intent.prefix { $0 != "_" }) }
    /// The rest ("hue_lightoff").
    public var action: String { String(intent.drop { $0 != "_" }.dropFirst()) }
}

/// A SLURP intent and its paraphrase templates.
public struct SLURPIntent: Sendable, Hashable {
    public var name: String
    public var templates: [SLURPTemplate]
    public var scenario: String { String(name.prefix { $0 != "_" }) }
}

/// The intents, templates and filler lists of the mini SLURP corpus.
public struct SLURPGrammar: Sendable {
    public let intents: [SLURPIntent]
    /// Filler lists by name; `heldOut(_:)` says which entries training never uses.
    public let lists: [String: [String]]
    public let politeOpenings: [String]
    public let politeClosings: [String]
    private let training: [String: [String]]
    private let heldOut: [String: [String]]

    /// The grammar of `SLURPIntentData` and `SLURPFillerData`, with `definition_word` drawn from the
    /// nouns and adjectives of `Lexicon.standard`.
    public static let standard: SLURPGrammar = {
        var lists = SLURPFillerData.lists
        let lexicon = Lexicon.standard
        var seen = Set<String>()
        lists["definition_word"] = (lexicon.nouns.map(\.english) + lexicon.adjectives.map(\.english)).filter { seen.insert($0).inserted }
        do {
            let intents = try SLURPIntentData.intents.map { name, templates throws(SLURPTemplate.ParseError) in
                SLURPIntent(name: name, templates: try templates.map { t throws(SLURPTemplate.ParseError) in try SLURPTemplate(t) })
            }
            return SLURPGrammar(intents: intents, lists: lists, politeOpenings: SLURPIntentData.politeOpenings,
                                politeClosings: SLURPIntentData.politeClosings)
        } catch {
            preconditionFailure("\(error)")
        }
    }()

    public init(intents: [SLURPIntent], lists: [String: [String]], politeOpenings: [String], politeClosings: [String]) {
        for intent in intents {
            for t in intent.templates {
                for l in t.lists { precondition(lists[l]?.isEmpty == false, "template \"\(t.source)\" of \(intent.name): no filler list \(l)") }
            }
        }
        self.intents = intents
        self.lists = lists
        self.politeOpenings = politeOpenings
        self.politeClosings = politeClosings
        training = lists.mapValues { $0.enumerated().filter { !Self.isHeldOut(index: $0.offset) }.map(\.element) }
        heldOut = lists.mapValues { $0.enumerated().filter { Self.isHeldOut(index: $0.offset) }.map(\.element) }
    }

    /// Entries 4, 9, 14, … of a list are held out of training.
    public static func isHeldOut(index: Int) -> Bool { index % 5 == 4 }

    /// The entries of `list` training may use.
    public func trainingFillers(_ list: String) -> [String] {
        training[list] ?? []
    }

    /// The entries of `list` only devel and test use.
    public func heldOutFillers(_ list: String) -> [String] {
        heldOut[list] ?? []
    }

    public var scenarios: Set<String> { Set(intents.map(\.scenario)) }

    /// Every word the grammar can produce.
    public var vocabulary: Set<String> {
        var words = Set<String>()
        func add(_ s: String) { for w in s.split(separator: " ") { words.insert(String(w)) } }
        func walk(_ nodes: [SLURPTemplate.Node]) {
            for n in nodes {
                switch n {
                case let .word(w): add(w)
                case let .slot(_, list): for f in lists[list] ?? [] { add(f) }
                case let .choice(alts): alts.forEach(walk)
                }
            }
        }
        for intent in intents { for t in intent.templates { walk(t.nodes) } }
        for p in politeOpenings + politeClosings { add(p) }
        return words
    }
}

/// Draws SLURP utterances from a grammar with its own seeded generator: an intent uniformly, one of its
/// templates uniformly, each alternative uniformly, each filler uniformly from the list's training part,
/// or, with probability `heldOutShare`, from its held-out part. Sentences have 3–20 words.
public struct SLURPGenerator: Sendable {
    public let grammar: SLURPGrammar
    public var rng: Xoshiro256
    public static let lengths = 3...20

    public init(grammar: SLURPGrammar = .standard, seed: UInt64, stream: UInt64 = 0) {
        self.grammar = grammar
        rng = Xoshiro256(seed: seed, stream: stream)
    }

    /// The next utterance; `heldOutShare` 0 (training) never uses a held-out filler.
    public mutating func next(heldOutShare: Double = 0) -> SLURPUtterance {
        while true {
            let intent = grammar.intents[rng.nextInt(0, grammar.intents.count)]
            let template = intent.templates[rng.nextInt(0, intent.templates.count)]
            let u = realise(template, intent: intent.name, heldOutShare: heldOutShare)
            if Self.lengths.contains(u.tokens.count) { return u }
        }
    }

    /// One realisation of `template`.
    public mutating func realise(_ template: SLURPTemplate, intent: String, heldOutShare: Double) -> SLURPUtterance {
        var tokens: [String] = []
        var entities: [SLURPEntity] = []
        var marked: [String] = []
        var used = Set<String>()
        func words(_ s: String) -> [String] { s.split(separator: " ").map(String.init) }
        func emit(_ nodes: [SLURPTemplate.Node]) {
            for node in nodes {
                switch node {
                case let .word(w):
                    tokens.append(w); marked.append(w)
                case let .choice(alts):
                    emit(alts[rng.nextInt(0, alts.count)])
                case let .slot(type, list):
                    let filler = draw(list, heldOutShare: heldOutShare, avoiding: used)
                    used.insert(filler)
                    let w = words(filler)
                    if let type {
                        entities.append(SLURPEntity(type: type, span: Array(tokens.count..<tokens.count + w.count), filler: filler))
                        marked.append("[\(type) : \(filler)]")
                    } else {
                        marked += w
                    }
                    tokens += w
                }
            }
        }
        var opening: [String] = [], closing: [String] = []
        if template.imperative {
            let r = rng.nextUnitDouble()
            if r < 0.2 { opening = words(grammar.politeOpenings[rng.nextInt(0, grammar.politeOpenings.count)]) }
            else if r < 0.32 { closing = words(grammar.politeClosings[rng.nextInt(0, grammar.politeClosings.count)]) }
        }
        tokens = opening; marked = opening
        emit(template.nodes)
        tokens += closing; marked += closing
        return SLURPUtterance(intent: intent, tokens: tokens, entities: entities, annotation: marked.joined(separator: " "))
    }

    /// A filler of `list`, not one of `avoiding` where the list allows.
    mutating func draw(_ list: String, heldOutShare: Double, avoiding: Set<String>) -> String {
        let training = grammar.trainingFillers(list), heldOut = grammar.heldOutFillers(list)
        var pick = ""
        for _ in 0..<6 {
            let fromHeldOut = heldOutShare > 0 && !heldOut.isEmpty && rng.nextUnitDouble() < heldOutShare
            let pool = fromHeldOut || training.isEmpty ? heldOut : training
            pick = pool[rng.nextInt(0, pool.count)]
            if !avoiding.contains(pick) { break }
        }
        return pick
    }
}
