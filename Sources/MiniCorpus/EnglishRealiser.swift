/// Realises an abstract `Sentence` as English: do-support in questions and negation, progressive and
/// modal verb groups, a/an, phrasal-verb particles around pronoun objects, relative clauses with
/// who/that, fronted adverbials and subordinate clauses.
public enum EnglishRealiser {
    public static func realise(_ s: Sentence) -> String {
        var t: [String]
        var question = false
        switch s {
        case let .statement(c):
            t = clause(c, order: .statement)
        case let .complex(main, conj, sub, first):
            let subTokens = clause(sub, order: .subordinate(intro: conj.english.split(separator: " ").map(String.init)))
            if first {
                t = subTokens + [","] + clause(main, order: .statement)
            } else {
                t = clause(main, order: .statement) + subTokens
            }
        case let .coordinated(a, b, but):
            t = clause(a, order: .statement) + (but ? [",", "but"] : ["and"]) + clause(b, order: .statement)
        case let .yesNo(c):
            t = clause(c, order: .question(wh: nil))
            question = true
        case let .wh(c, target):
            if case .whoSubject = target {
                t = ["who"] + clause(c, order: .statement)
            } else {
                t = clause(c, order: .question(wh: target.english))
            }
            question = true
        }
        return GermanRealiser.finish(t, question: question)
    }

    enum Order {
        case statement
        case question(wh: String?)
        case subordinate(intro: [String])
    }

    /// The finite operator (for inversion and "not") and the rest of the verb group.
    struct VerbGroup {
        var op: String?
        var rest: [String]
    }

    static func doForm(_ person: Person) -> String { person == .third ? "does" : "do" }

    static func verbGroup(_ c: Clause, person: Person, needOperator: Bool) -> VerbGroup {
        let third = person == .third
        switch c.predicate {
        case .copula, .copulaPlace, .existential:
            let p: Person
            if case let .existential(o) = c.predicate { p = o.person } else { p = person }
            switch c.tense {
            case .present, .progressive: return VerbGroup(op: English.be(p, past: false), rest: [])
            case .past: return VerbGroup(op: English.be(p, past: true), rest: [])
            case .future: return VerbGroup(op: "will", rest: ["be"])
            case let .modal(m, past):
                switch m {
                case .can: return VerbGroup(op: past ? "could" : "can", rest: ["be"])
                case .must: return past ? (needOperator ? VerbGroup(op: "did", rest: ["have", "to", "be"]) : VerbGroup(op: nil, rest: ["had", "to", "be"]))
                    : VerbGroup(op: "must", rest: ["be"])
                case .want: return needOperator ? VerbGroup(op: past ? "did" : doForm(p), rest: ["want", "to", "be"])
                    : VerbGroup(op: nil, rest: [past ? "wanted" : (third ? "wants" : "want"), "to", "be"])
                }
            }
        case let .intransitive(v), let .transitive(v, _, _), let .ditransitive(v, _, _, _, _), let .clause(v, _, _, _, _):
            switch c.tense {
            case .present:
                return needOperator ? VerbGroup(op: doForm(person), rest: [v.english])
                    : VerbGroup(op: nil, rest: [third ? v.englishThird : v.english])
            case .progressive: return VerbGroup(op: English.be(person, past: false), rest: [v.englishIng])
            case .past:
                return needOperator ? VerbGroup(op: "did", rest: [v.english]) : VerbGroup(op: nil, rest: [v.englishPast])
            case .future: return VerbGroup(op: "will", rest: [v.english])
            case let .modal(m, past):
                switch m {
                case .can: return VerbGroup(op: past ? "could" : "can", rest: [v.english])
                case .must:
                    if !past { return VerbGroup(op: "must", rest: [v.english]) }
                    return needOperator ? VerbGroup(op: "did", rest: ["have", "to", v.english])
                        : VerbGroup(op: nil, rest: ["had", "to", v.english])
                case .want:
                    return needOperator ? VerbGroup(op: past ? "did" : doForm(person), rest: ["want", "to", v.english])
                        : VerbGroup(op: nil, rest: [past ? "wanted" : (third ? "wants" : "want"), "to", v.english])
                }
            }
        }
    }

    static func clause(_ c: Clause, order: Order, gapPerson: Person? = nil) -> [String] {
        let person = c.subject?.person ?? gapPerson ?? .third
        var isQuestion = false
        if case .question = order { isQuestion = true }
        let vg = verbGroup(c, person: person, needOperator: isQuestion || c.negated)
        var subjectTokens: [String]
        if case .existential = c.predicate { subjectTokens = ["there"] } else {
            subjectTokens = c.subject.map { np($0, object: false) } ?? []
        }

        // The rest of the clause after the verb group.
        var rest: [String] = []
        var particle: String? = nil
        var extraposed: [String] = []
        switch c.predicate {
        case let .intransitive(v):
            if let p = v.englishParticle { rest.append(p) }
        case let .transitive(v, comp, obj):
            particle = v.englishParticle
            if let obj {
                let o = np(obj, object: true)
                if let prep = comp.englishPreposition { rest += [prep] + o } else if let p = particle {
                    rest += obj.isPronoun ? o + [p] : [p] + o
                } else { rest += o }
            } else if let prep = comp.englishPreposition {
                rest.append(prep)
            } else if let p = particle {
                rest.append(p)
            }
        case let .ditransitive(_, recipient, theme, prep, recipientFirst):
            if recipientFirst {
                rest += np(recipient, object: true) + np(theme, object: true)
            } else {
                rest += np(theme, object: true) + [prep] + np(recipient, object: true)
            }
        case let .clause(_, p, _, prep, comp):
            if let p { rest += (prep.map { [$0] } ?? []) + np(p, object: true) }
            extraposed = [comp.whether ? "whether" : "that"] + clause(comp.clause, order: .subordinate(intro: []))
        case let .copula(adj, intensifier):
            rest += (intensifier.map { [$0.english] } ?? []) + [adj.english]
        case let .copulaPlace(pp):
            rest += place(pp)
        case let .existential(o):
            if c.negated, let b = o.body, b.determiner == .indefinite || b.determiner == .bare {
                var nb = b
                nb.determiner = .no
                rest += np(.noun(nb), object: true)
            } else {
                rest += np(o, object: true)
            }
        }
        var existentialNegation = false
        if case let .existential(o) = c.predicate, c.negated, let b = o.body, b.determiner == .indefinite || b.determiner == .bare {
            existentialNegation = true
        }
        if let b = c.beneficiary { rest += ["for"] + np(b, object: true) }
        if let m = c.manner { rest += m.english.split(separator: " ").map(String.init) }
        if let w = c.companion { rest += ["with"] + np(w, object: true) }
        var front: [String] = []
        if let pp = c.place {
            if c.placeFronted, case .statement = order { front = place(pp) + [","] } else { rest += place(pp) }
        }
        if let t = c.time {
            let words = t.english.split(separator: " ").map(String.init)
            if c.timeFronted, case .statement = order { front = words + [","] } else { rest += words }
        }

        var verbTokens: [String] = []
        let negation = c.negated && !existentialNegation
        switch order {
        case .statement, .subordinate:
            if let op = vg.op {
                if negation && op == "can" { verbTokens.append("cannot") } else {
                    verbTokens.append(op)
                    if negation { verbTokens.append("not") }
                }
            }
            if let f = c.frequency { verbTokens.append(f.english) }
            verbTokens += vg.rest
            var out = subjectTokens + verbTokens + rest + extraposed
            if case let .subordinate(intro) = order { out = intro + out } else { out = front + out }
            return out
        case let .question(wh):
            var out: [String] = wh.map { [$0] } ?? []
            out += [vg.op ?? ""] + subjectTokens + vg.rest + rest + extraposed
            return out
        }
    }

    static func place(_ pp: PlacePhrase) -> [String] {
        pp.english.split(separator: " ").map(String.init) + np(pp.object, object: true)
    }

    public static func np(_ phrase: NounPhrase, object: Bool) -> [String] {
        switch phrase {
        case let .pronoun(p): return [object ? p.englishObject : p.englishSubject]
        case .expletive: return ["it"]
        case let .and(a, b): return np(a, object: object) + ["and"] + np(b, object: object)
        case let .noun(b):
            var words: [String] = []
            if b.adjective != nil && b.intensified { words.append("very") }
            if let adj = b.adjective { words.append(adj.english) }
            words.append(b.noun.englishForm(b.number))
            var det: String? = nil
            switch b.determiner {
            case .definite: det = "the"
            case .indefinite: det = b.number == .singular ? English.indefiniteArticle(before: words[0]) : nil
            case .bare: det = nil
            case .this: det = b.number == .singular ? "this" : "these"
            case .every: det = "every"
            case .no: det = "no"
            case .many: det = "many"
            case .some: det = "some"
            case .several: det = "several"
            case .two: det = "two"
            case .three: det = "three"
            case let .possessive(p): det = p.englishPossessive
            }
            if let det { words.insert(det, at: 0) }
            if let rel = b.relative {
                let who = b.noun.classes.contains(.person) ? "who" : "that"
                switch rel.gap {
                case .subject:
                    words += [who] + clause(rel.clause, order: .subordinate(intro: []),
                                            gapPerson: b.number == .singular ? .third : .thirdPlural)
                case .object:
                    words += [who] + clause(rel.clause, order: .subordinate(intro: []))
                }
            }
            return words
        }
    }
}
