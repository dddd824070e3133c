import MiniCorpus
import Testing

/// The text side of the mini SLURP corpus: determinism, annotations, intents, splits and speakers.
@Suite struct SLURPPlanTests {
    static let standard = SLURPPlan(sizes: .standard, seed: 1)
    static let realScenarios: Set<String> = [
        "alarm", "calendar", "weather", "music", "iot", "email", "lists", "play", "news", "datetime", "transport", "qa",
        "recommendation", "social", "takeaway", "general", "audio", "cooking",
    ]

    /// The sentence of a `sentence_annotation`: every `[type : filler]` replaced by its filler; also the
    /// (type, filler) pairs in order.
    static func strip(_ annotation: String) -> (String, [(String, String)]) {
        var out = "", entities: [(String, String)] = []
        var rest = annotation[...]
        while let open = rest.firstIndex(of: "[") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "]") else { return (annotation, []) }
            let inner = rest[rest.index(after: open)..<close]
            let parts = inner.components(separatedBy: " : ")
            if parts.count == 2 { entities.append((parts[0], parts[1])); out += parts[1] } else { out += "<bad:\(inner)>" }
            rest = rest[rest.index(after: close)...]
        }
        return (out + rest, entities)
    }

    static func fourGrams(_ s: String) -> [[Substring]] {
        let w = s.split(separator: " ")
        return w.count < 4 ? [] : (0...(w.count - 4)).map { Array(w[$0..<$0 + 4]) }
    }

    @Test func theSameSeedGivesTheSamePlan() {
        let sizes = SLURPSizes(train: 200, devel: 20, test: 40)
        let a = SLURPPlan(sizes: sizes, seed: 7), b = SLURPPlan(sizes: sizes, seed: 7), c = SLURPPlan(sizes: sizes, seed: 8)
        #expect(a.splits == b.splits)
        #expect(a.splits.map(\.recordingCount) == [200, 20, 40])
        #expect(a.splits[0].utterances.map(\.sentence) != c.splits[0].utterances.map(\.sentence))
        #expect(a.splits[0].examples.flatMap(\.recordings).map(\.speaker) != c.splits[0].examples.flatMap(\.recordings).map(\.speaker))
    }

    @Test func defaultSizesAndRecordings() {
        let splits = Self.standard.splits
        #expect(splits.map(\.name) == ["train", "devel", "test"])
        #expect(splits.map(\.recordingCount) == [20000, 1000, 1000])
        let examples = splits.flatMap(\.examples)
        #expect(Set(examples.map(\.slurpID)).count == examples.count)
        let files = examples.flatMap(\.recordings).map(\.file)
        #expect(Set(files).count == files.count)
        #expect(files.allSatisfy { $0.hasPrefix("audio-") && $0.hasSuffix(".flac") })
        for e in examples {
            #expect((1...3).contains(e.recordings.count))
            #expect(Set(e.recordings.map(\.speaker.id)).count == e.recordings.count, "speakers repeat in \(e.slurpID)")
        }
        // Most sentences have more than one recording, as in SLURP.
        #expect(examples.filter { $0.recordings.count > 1 }.count * 2 > examples.count)
    }

    @Test func annotationsMatchSentencesAndSpans() {
        var bad: [String] = []
        for u in Self.standard.splits.flatMap(\.utterances) {
            let (plain, marked) = Self.strip(u.annotation)
            if plain != u.sentence { bad.append("stripped \"\(u.annotation)\" is not \"\(u.sentence)\"") }
            if u.sentence != u.sentence.lowercased() || u.sentence.contains("  ") { bad.append("not lower case, single-spaced: \(u.sentence)") }
            if !SLURPGenerator.lengths.contains(u.tokens.count) { bad.append("\(u.tokens.count) words: \(u.sentence)") }
            if marked.map(\.0) != u.entities.map(\.type) || marked.map(\.1) != u.entities.map(\.filler) {
                bad.append("entities \(u.entities.map(\.type)) differ from the annotation \(u.annotation)")
            }
            for e in u.entities {
                guard !e.span.isEmpty, e.span.allSatisfy({ u.tokens.indices.contains($0) }),
                      e.span == Array(e.span[0]..<e.span[0] + e.span.count) else {
                    bad.append("span \(e.span) of \(e.type) in \(u.sentence)"); continue
                }
                if e.span.map({ u.tokens[$0] }).joined(separator: " ") != e.filler { bad.append("span \(e.span) is not \"\(e.filler)\" in \(u.sentence)") }
            }
        }
        #expect(bad.isEmpty, "\(bad.count) problems, e.g. \(bad.prefix(5))")
    }

    @Test func atLeast20IntentsOver6RealScenarios() {
        let utterances = Self.standard.splits.flatMap(\.utterances)
        let intents = Set(utterances.map(\.intent)), scenarios = Set(utterances.map(\.scenario))
        #expect(intents.count >= 20, "\(intents.count) intents")
        #expect(scenarios.count >= 6, "\(scenarios.count) scenarios")
        #expect(scenarios.isSubset(of: Self.realScenarios), "\(scenarios.subtracting(Self.realScenarios))")
        #expect(utterances.allSatisfy { $0.intent == "\($0.scenario)_\($0.action)" && !$0.action.isEmpty })
        // The test split covers most intents as well.
        #expect(Set(Self.standard.splits[2].utterances.map(\.intent)).count >= 20)
        #expect(SLURPGrammar.standard.intents.allSatisfy { $0.templates.count >= 4 })
    }

    @Test func intentsAreDecidableFromTheWords() {
        var generator = SLURPGenerator(seed: 3)
        var owner: [String: String] = [:]
        var clashes: [String] = []
        let grammar = SLURPGrammar.standard
        var skeletons = Set<String>()
        for intent in grammar.intents {
            for t in intent.templates {
                #expect(skeletons.insert(t.source.replacingOccurrences(of: "!", with: "")).inserted, "template shared: \(t.source)")
                for _ in 0..<150 {
                    let s = generator.realise(t, intent: intent.name, heldOutShare: 0.5).sentence
                    if let o = owner[s], o != intent.name { clashes.append("\"\(s)\": \(o) and \(intent.name)") }
                    owner[s] = intent.name
                }
            }
        }
        #expect(clashes.isEmpty, "\(clashes.prefix(10))")
    }

    @Test func testSentencesAreNewToTraining() {
        let splits = Self.standard.splits
        let train = Set(splits[0].utterances.map(\.sentence))
        let all = splits.flatMap(\.utterances).map(\.sentence)
        #expect(Set(all).count == all.count, "a sentence occurs twice")
        #expect(splits[1].utterances.allSatisfy { !train.contains($0.sentence) })
        #expect(splits[2].utterances.allSatisfy { !train.contains($0.sentence) })
        let seen = Set(splits[0].utterances.flatMap { Self.fourGrams($0.sentence) })
        let test = splits[2].utterances
        let novel = test.filter { u in Self.fourGrams(u.sentence).contains { !seen.contains($0) } }
        let share = Double(novel.count) / Double(test.count)
        #expect(share >= 0.3, "\(share) of test sentences have a word 4-gram unseen in training")
    }

    @Test func vocabularyHasAtLeast500Words() {
        #expect(SLURPGrammar.standard.vocabulary.count >= 500, "\(SLURPGrammar.standard.vocabulary.count) in the grammar")
        let used = Set(Self.standard.splits.flatMap(\.utterances).flatMap(\.tokens))
        #expect(used.count >= 500, "\(used.count) word types in the corpus")
    }

    @Test func testSpeakersIncludeVoicesNeverUsedInTraining() {
        let splits = Self.standard.splits
        func voices(_ s: SLURPSplit) -> Set<String> { Set(s.examples.flatMap(\.recordings).map(\.speaker.voice)) }
        func speakers(_ s: SLURPSplit) -> Set<String> { Set(s.examples.flatMap(\.recordings).map(\.speaker.id)) }
        #expect(!voices(splits[2]).subtracting(voices(splits[0])).isEmpty)
        #expect(voices(splits[0]).isDisjoint(with: VoicePlan.heldOutVoices))
        #expect(voices(splits[1]).isDisjoint(with: VoicePlan.heldOutVoices))
        #expect(speakers(splits[2]).isDisjoint(with: speakers(splits[0])))
        // Even a tiny test split is read by a held-out voice.
        let tiny = SLURPPlan(sizes: .scaled(trainRecordings: 10), seed: 9)
        #expect(tiny.splits.map(\.recordingCount) == [10, 3, 6])
        #expect(!voices(tiny.splits[2]).isDisjoint(with: VoicePlan.heldOutVoices))
    }

    @Test func templateErrorsNameTheTemplate() {
        #expect(throws: SLURPTemplate.ParseError.unbalanced(template: "set (an|the alarm")) { try SLURPTemplate("set (an|the alarm") }
        #expect(throws: SLURPTemplate.ParseError.badSlot(template: "at {a b}", slot: "a b")) { try SLURPTemplate("at {a b}") }
        let t = try? SLURPTemplate("!wake me (up|) at {time} <x>")
        #expect(t?.imperative == true && t?.lists == ["time", "x"])
    }
}
