import MiniCorpus
import Testing

/// German and English realisations of hand-built structures: agreement, word order, negation.
@Suite struct GermanGrammarTests {
    let lex = Lexicon.standard

    func phrase(_ noun: String, _ det: Determiner, _ adj: String? = nil, plural: Bool = false) -> NounPhrase {
        .noun(NounPhraseBody(noun: lex.noun(noun), number: plural ? .plural : .singular, determiner: det,
                             adjective: adj.map { lex.adjective($0) }))
    }

    func german(_ np: NounPhrase, _ c: GrammaticalCase, preposition: String? = nil) -> String {
        GermanRealiser.np(np, c, preposition: preposition).joined(separator: " ")
    }

    func sees(_ subject: NounPhrase, _ object: NounPhrase, _ tense: Tense) -> Clause {
        let see = lex.verb("see")
        guard case let .transitive(comp) = see.frames[0] else { fatalError() }
        return Clause(subject: subject, predicate: .transitive(see, comp, object), tense: tense)
    }

    @Test func adjectiveEndingsAgreeWithGenderCaseAndDeterminer() {
        let dog = phrase("dog", .definite, "big")
        #expect(german(dog, .nominative) == "der große Hund")
        #expect(german(dog, .accusative) == "den großen Hund")
        #expect(german(dog, .dative) == "dem großen Hund")
        let aDog = phrase("dog", .indefinite, "big")
        #expect(german(aDog, .nominative) == "ein großer Hund")
        #expect(german(aDog, .accusative) == "einen großen Hund")
        #expect(german(aDog, .dative) == "einem großen Hund")
        #expect(german(phrase("cat", .definite, "small"), .dative) == "der kleinen Katze")
        #expect(german(phrase("child", .indefinite, "small"), .accusative) == "ein kleines Kind")
        #expect(german(phrase("dog", .definite, "big", plural: true), .dative) == "den großen Hunden")
        #expect(german(phrase("dog", .many, "big", plural: true), .nominative) == "viele große Hunde")
        #expect(german(phrase("dog", .many, "big", plural: true), .dative) == "vielen großen Hunden")
        #expect(german(phrase("car", .possessive(.she), "new"), .dative) == "ihrem neuen Auto")
        #expect(german(phrase("forest", .definite, "dark"), .nominative) == "der dunkle Wald")
        #expect(german(phrase("car", .indefinite, "expensive"), .nominative) == "ein teures Auto")
        #expect(german(phrase("child", .this, "tired"), .dative) == "diesem müden Kind")
    }

    @Test func weakNounsAndDativePlurals() {
        #expect(german(phrase("boy", .definite), .accusative) == "den Jungen")
        #expect(german(phrase("student", .definite), .dative) == "dem Studenten")
        #expect(german(phrase("boy", .definite), .nominative) == "der Junge")
        #expect(german(phrase("car", .definite, plural: true), .dative) == "den Autos")
        #expect(german(phrase("child", .definite, plural: true), .dative) == "den Kindern")
    }

    @Test func prepositionsContractWithTheArticle() {
        #expect(german(phrase("garden", .definite), .dative, preposition: "in") == "im Garten")
        #expect(german(phrase("station", .definite), .dative, preposition: "an") == "am Bahnhof")
        #expect(german(phrase("school", .definite), .dative, preposition: "in") == "in der Schule")
        #expect(german(phrase("garden", .possessive(.i)), .dative, preposition: "in") == "in meinem Garten")
    }

    @Test func verbFinalInSubordinateClauses() {
        let main = sees(phrase("woman", .definite), phrase("bird", .indefinite), .present)
        let sub = sees(phrase("dog", .definite, "big"), phrase("cat", .definite), .past)
        let s = Sentence.complex(main: main, .because, sub: sub, subordinateFirst: false)
        #expect(GermanRealiser.realise(s) == "Die Frau sieht einen Vogel, weil der große Hund die Katze gesehen hat.")
        #expect(EnglishRealiser.realise(s) == "The woman sees a bird because the big dog saw the cat.")
        // Fronted subordinate clause: the main clause's finite verb comes right after it.
        let fronted = Sentence.complex(main: main, .because, sub: sub, subordinateFirst: true)
        #expect(GermanRealiser.realise(fronted) == "Weil der große Hund die Katze gesehen hat, sieht die Frau einen Vogel.")
    }

    @Test func verbSecondAfterAFrontedAdverb() {
        var c = sees(phrase("man", .definite), phrase("dog", .definite), .past)
        c.time = lex.adverbs.first { $0.english == "yesterday" }
        c.timeFronted = true
        #expect(GermanRealiser.realise(.statement(c)) == "Gestern hat der Mann den Hund gesehen.")
        #expect(EnglishRealiser.realise(.statement(c)) == "Yesterday, the man saw the dog.")
        c.timeFronted = false
        #expect(GermanRealiser.realise(.statement(c)) == "Der Mann hat gestern den Hund gesehen.")
        #expect(EnglishRealiser.realise(.statement(c)) == "The man saw the dog yesterday.")
    }

    @Test func separableVerbsSplitInMainClausesAndJoinInSubordinateClauses() {
        let call = lex.verb("call")
        guard case let .transitive(comp) = call.frames[0] else { fatalError() }
        let c = Clause(subject: phrase("teacher", .definite), predicate: .transitive(call, comp, .pronoun(.she)), tense: .present)
        #expect(GermanRealiser.realise(.statement(c)) == "Der Lehrer ruft sie an.")
        let s = Sentence.complex(main: sees(.pronoun(.i), phrase("car", .definite), .present), .when, sub: c, subordinateFirst: false)
        #expect(GermanRealiser.realise(s) == "Ich sehe das Auto, wenn der Lehrer sie anruft.")
        var future = c
        future.tense = .future
        #expect(GermanRealiser.realise(.statement(future)) == "Der Lehrer wird sie anrufen.")
        #expect(EnglishRealiser.realise(.statement(future)) == "The teacher will call her.")
    }

    @Test func perfectWithSeinAndModals() {
        let swim = Clause(subject: phrase("dog", .definite), predicate: .intransitive(lex.verb("swim")), tense: .past)
        #expect(GermanRealiser.realise(.statement(swim)) == "Der Hund ist geschwommen.")
        var must = sees(.pronoun(.we), phrase("film", .definite), .modal(.must, past: false))
        #expect(GermanRealiser.realise(.statement(must)) == "Wir müssen den Film sehen.")
        must.negated = true
        // "must not" is "darf nicht", not "muss nicht".
        #expect(GermanRealiser.realise(.statement(must)) == "Wir dürfen den Film nicht sehen.")
        #expect(EnglishRealiser.realise(.statement(must)) == "We must not see the film.")
    }

    @Test func negationUsesKeinForIndefiniteObjects() {
        let find = lex.verb("find")
        guard case let .transitive(comp) = find.frames[0] else { fatalError() }
        var c = Clause(subject: phrase("man", .definite), predicate: .transitive(find, comp, phrase("key", .indefinite)), tense: .past)
        c.negated = true
        #expect(GermanRealiser.realise(.statement(c)) == "Der Mann hat keinen Schlüssel gefunden.")
        #expect(EnglishRealiser.realise(.statement(c)) == "The man did not find a key.")
        c.predicate = .transitive(find, comp, phrase("key", .definite))
        #expect(GermanRealiser.realise(.statement(c)) == "Der Mann hat den Schlüssel nicht gefunden.")
    }

    @Test func questionsAndRelativeClauses() {
        let c = sees(phrase("man", .definite), phrase("key", .definite), .past)
        #expect(GermanRealiser.realise(.yesNo(c)) == "Hat der Mann den Schlüssel gesehen?")
        #expect(EnglishRealiser.realise(.yesNo(c)) == "Did the man see the key?")
        let help = lex.verb("help")
        guard case let .transitive(dat) = help.frames[0] else { fatalError() }
        let rel = RelativeClause(gap: .object, clause: Clause(subject: phrase("child", .definite),
                                                             predicate: .transitive(help, dat, nil), tense: .past))
        let man = NounPhrase.noun(NounPhraseBody(noun: lex.noun("man"), number: .singular, determiner: .definite, relative: rel))
        let s = Clause(subject: man, predicate: .intransitive(lex.verb("sleep")), tense: .present)
        #expect(GermanRealiser.realise(.statement(s)) == "Der Mann, dem das Kind geholfen hat, schläft.")
        #expect(EnglishRealiser.realise(.statement(s)) == "The man who the child helped sleeps.")
        let who = Clause(subject: phrase("teacher", .definite), predicate: .transitive(help, dat, nil), tense: .past)
        #expect(GermanRealiser.realise(.wh(who, .object(person: true))) == "Wem hat der Lehrer geholfen?")
        #expect(EnglishRealiser.realise(.wh(who, .object(person: true))) == "Who did the teacher help?")
    }

    @Test func generatedSentencesAreWellFormed() {
        var g = SentenceGenerator(seed: 5)
        for _ in 0..<2000 {
            let p = g.next()
            #expect((5...20).contains(p.englishWordCount), "\(p.english)")
            #expect(p.german.first?.isUppercase == true && p.english.first?.isUppercase == true, "\(p.german)")
            #expect(p.german.hasSuffix(".") || p.german.hasSuffix("?"))
            #expect(p.english.last == p.german.last, "\(p.english) / \(p.german)")
            #expect(!p.german.contains(",,") && !p.german.contains(", .") && !p.german.contains("  "), "\(p.german)")
        }
    }
}
