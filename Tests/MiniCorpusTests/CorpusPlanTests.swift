import MiniCorpus
import Testing

/// The text side of the corpus: determinism, vocabulary, and a test split that is new to training.
@Suite struct CorpusPlanTests {
    static let standard = CorpusPlan(sizes: .standard, seed: 1)

    static func words(_ s: String) -> [String] {
        s.lowercased().split { !($0.isLetter || $0 == "-" || $0 == "'") }.map(String.init)
    }

    @Test func theSameSeedGivesTheSameCorpus() {
        var a = SentenceGenerator(seed: 42), b = SentenceGenerator(seed: 42), c = SentenceGenerator(seed: 43)
        let x = (0..<300).map { _ in a.next() }, y = (0..<300).map { _ in b.next() }, z = (0..<300).map { _ in c.next() }
        #expect(x == y)
        #expect(x.map(\.english) != z.map(\.english))
        let sizes = MustCSizes(train: 60, dev: 10, test: 20, segmentsPerTalk: 5...9)
        let p = CorpusPlan(sizes: sizes, seed: 7), q = CorpusPlan(sizes: sizes, seed: 7)
        #expect(p.splits == q.splits)
        #expect(p.splits.map(\.segmentCount) == [60, 10, 20])
    }

    @Test func vocabularyHasAtLeast500EnglishWords() {
        let lex = Lexicon.standard
        var types = Set<String>()
        for n in lex.nouns { types.insert(n.english); types.insert(n.englishPlural) }
        for a in lex.adjectives { types.insert(a.english) }
        for v in lex.verbs { types.formUnion([v.english, v.englishPast, v.englishParticiple, v.englishThird, v.englishIng]) }
        #expect(types.count >= 500, "\(types.count) word types in the lexicon")
        let used = Set(Self.standard.splits.flatMap(\.sentences).flatMap { Self.words($0.english) })
        #expect(used.count >= 500, "\(used.count) word types in the generated corpus")
        #expect(lex.nouns.count + lex.adjectives.count + lex.verbs.count >= 400)
    }

    @Test func defaultSizesAndTestSplitNewToTraining() {
        let splits = Self.standard.splits
        #expect(splits.map(\.name) == ["train", "dev", "tst-COMMON"])
        #expect(splits.map(\.segmentCount) == [3000, 200, 1000])
        let train = splits[0].sentences, test = splits[2].sentences
        let trainSentences = Set(train.map(\.english))
        #expect(test.allSatisfy { !trainSentences.contains($0.english) })
        #expect(splits[1].sentences.allSatisfy { !trainSentences.contains($0.english) })
        var grams = Set<[String]>()
        for p in train {
            let w = Self.words(p.english)
            if w.count >= 4 { for i in 0...(w.count - 4) { grams.insert(Array(w[i..<i + 4])) } }
        }
        let novel = test.filter { p in
            let w = Self.words(p.english)
            return w.count >= 4 && (0...(w.count - 4)).contains { !grams.contains(Array(w[$0..<$0 + 4])) }
        }
        let share = Double(novel.count) / Double(test.count)
        #expect(share >= 0.3, "\(share) of test sentences have a 4-gram unseen in training")
    }

    @Test func testSpeakersIncludeVoicesNeverUsedInTraining() {
        let splits = Self.standard.splits
        let trainVoices = Set(splits[0].talks.map(\.speaker.voice))
        let testVoices = Set(splits[2].talks.map(\.speaker.voice))
        #expect(!testVoices.subtracting(trainVoices).isEmpty)
        #expect(trainVoices.isDisjoint(with: VoicePlan.heldOutVoices))
        // One speaker per talk, talk ids unique over the corpus.
        let talks = splits.flatMap(\.talks)
        #expect(Set(talks.map(\.id)).count == talks.count)
        #expect(Set(talks.map(\.speaker.id)).count == talks.count)
        #expect(talks.allSatisfy { $0.silences.count == $0.segments.count + 1 })
    }

    @Test func scaledSizesForQuickRuns() {
        let s = MustCSizes.scaled(trainUtterances: 200)
        #expect(s.train == 200 && s.dev < 20 && s.test < 100 && s.dev >= 4 && s.test >= 4)
        let p = CorpusPlan(sizes: s, seed: 3)
        #expect(p.splits.map(\.segmentCount) == [s.train, s.dev, s.test])
    }
}
