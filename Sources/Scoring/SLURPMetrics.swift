import Foundation

/// True positives, false positives and false negatives of one label (fractional for the distance
/// metrics), and the P/R/F1 the SLURP evaluator derives from them.
public struct PRFCounts: Equatable, Sendable {
    public var tp = 0.0, fp = 0.0, fn = 0.0
    public init(tp: Double = 0, fp: Double = 0, fn: Double = 0) { self.tp = tp; self.fp = fp; self.fn = fn }
    public var precision: Double { tp + fp > 0 ? tp / (tp + fp) : 0 }
    public var recall: Double { tp + fn > 0 ? tp / (tp + fn) : 0 }
    public var f1: Double { let p = precision, r = recall; return p + r > 0 ? 2 * p * r / (p + r) : 0 }
}

/// One evaluator table: counts per label.
public struct SLURPTable: Equatable, Sendable {
    public var labels: [String: PRFCounts] = [:]
    public init() {}

    mutating func add(_ label: String, tp: Double = 0, fp: Double = 0, fn: Double = 0) {
        labels[label, default: PRFCounts()].tp += tp
        labels[label, default: PRFCounts()].fp += fp
        labels[label, default: PRFCounts()].fn += fn
    }

    /// Counts summed over labels (the OVERALL row's TP/FP/FN in both averaging modes).
    public var total: PRFCounts {
        var t = PRFCounts()
        for k in labels.keys.sorted() { let c = labels[k]!; t.tp += c.tp; t.fp += c.fp; t.fn += c.fn }
        return t
    }

    /// Micro P/R/F1 (from summed counts).
    public var micro: (precision: Double, recall: Double, f1: Double) { let t = total; return (t.precision, t.recall, t.f1) }

    /// Macro P/R/F1: unweighted means of the per-label values over every label seen.
    public var macro: (precision: Double, recall: Double, f1: Double) {
        guard !labels.isEmpty else { return (0, 0, 0) }
        var p = 0.0, r = 0.0, f = 0.0
        for k in labels.keys.sorted() { let c = labels[k]!; p += c.precision; r += c.recall; f += c.f1 }
        let n = Double(labels.count)
        return (p / n, r / n, f / n)
    }
}

/// The seven tables of the official SLURP evaluator.
public struct SLURPResult: Equatable, Sendable {
    public var scenario = SLURPTable(), action = SLURPTable(), intent = SLURPTable()
    public var entities = SLURPTable(), word = SLURPTable(), char = SLURPTable(), slu = SLURPTable()
    /// Gold recordings, and those without a prediction (skipped, as the evaluator does).
    public var goldRecordings = 0, notPredicted = 0
    /// Prediction lines naming a file that is not in the gold data (ignored, as the evaluator does).
    public var unknownPredictions: [String] = []

    /// Tables in the evaluator's order with its titles.
    public var tables: [(key: String, title: String, table: SLURPTable)] {
        [("scenario", "Scenario", scenario), ("action", "Action", action), ("intent", "Intent (scen_act)", intent),
         ("entities", "Entities", entities), ("word", "Entities (distance word)", word),
         ("char", "Entities (distance char)", char), ("slu", "Slu f1", slu)]
    }
}

/// A SLURP example (one recording) with gold or predicted labels.
public struct SLURPExample: Sendable, Equatable {
    public var scenario: String
    public var action: String
    /// (type, filler)
    public var entities: [(String, String)]
    public static func == (a: SLURPExample, b: SLURPExample) -> Bool {
        a.scenario == b.scenario && a.action == b.action && a.entities.elementsEqual(b.entities, by: { $0 == $1 })
    }
}

/// The official SLURP evaluation (`scripts/evaluation/evaluate.py`), re-implemented.
public enum SLURPMetrics {
    /// Reads the gold `test.jsonl`: one example per recording file (a later duplicate file overwrites).
    /// Returns the files in first-appearance order and the examples.
    public static func readGold(_ data: Data, name: String) throws -> (order: [String], examples: [String: SLURPExample]) {
        var order: [String] = []
        var ex: [String: SLURPExample] = [:]
        for (k, line) in try TextLines.split(data, name: name).enumerated() where !PythonWhitespace.strip(line).isEmpty {
            let o = try object(line, name, k + 1)
            guard let scen = o["scenario"] as? String, let act = o["action"] as? String,
                  let tokens = o["tokens"] as? [[String: Any]], let recs = o["recordings"] as? [[String: Any]] else {
                throw ScoringError.invalidJSON(file: name, line: k + 1, reason: "needs scenario, action, tokens, recordings")
            }
            let surfaces = tokens.map { ($0["surface"] as? String) ?? "" }
            var ents: [(String, String)] = []
            for e in (o["entities"] as? [[String: Any]]) ?? [] {
                guard let type = e["type"] as? String, let span = e["span"] as? [Int] else {
                    throw ScoringError.invalidJSON(file: name, line: k + 1, reason: "entity needs span and type")
                }
                guard span.allSatisfy({ $0 >= 0 && $0 < surfaces.count }) else {
                    throw ScoringError.invalidJSON(file: name, line: k + 1, reason: "entity span outside the tokens")
                }
                ents.append((type, span.map { surfaces[$0].lowercased() }.joined(separator: " ")))
            }
            for r in recs {
                guard let file = r["file"] as? String else { throw ScoringError.invalidJSON(file: name, line: k + 1, reason: "recording without file") }
                if ex[file] == nil { order.append(file) }
                ex[file] = SLURPExample(scenario: scen, action: act, entities: ents)
            }
        }
        return (order, ex)
    }

    /// Reads prediction jsonl lines `{"file", "scenario", "action", "entities": [{"type", "filler"}]}`;
    /// a repeated file keeps its last line.
    public static func readPredictions(_ data: Data, name: String) throws -> [(line: Int, file: String, example: SLURPExample)] {
        var out: [(Int, String, SLURPExample)] = []
        for (k, line) in try TextLines.split(data, name: name).enumerated() where !PythonWhitespace.strip(line).isEmpty {
            let o = try object(line, name, k + 1)
            guard let file = o["file"] as? String else { throw ScoringError.invalidJSON(file: name, line: k + 1, reason: "needs file") }
            let scen = (o["scenario"] as? String) ?? "", act = (o["action"] as? String) ?? ""
            var ents: [(String, String)] = []
            for e in (o["entities"] as? [[String: Any]]) ?? [] {
                ents.append(((e["type"] as? String) ?? "", (e["filler"] as? String) ?? ""))
            }
            out.append((k + 1, file, SLURPExample(scenario: scen, action: act, entities: ents)))
        }
        return out
    }

    static func object(_ line: String, _ name: String, _ n: Int) throws -> [String: Any] {
        do {
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw ScoringError.invalidJSON(file: name, line: n, reason: "not an object")
            }
            return o
        } catch let e as ScoringError { throw e } catch {
            throw ScoringError.invalidJSON(file: name, line: n, reason: "\(error.localizedDescription)")
        }
    }

    /// Scores predictions against gold.
    /// - Parameter strict: if true, a prediction for an unknown file throws ``ScoringError/unknownSLURPId(file:line:id:)``
    ///   instead of being ignored as the evaluator does.
    public static func evaluate(goldOrder: [String], gold: [String: SLURPExample],
                                predictions: [(line: Int, file: String, example: SLURPExample)],
                                predictionName: String = "predictions", strict: Bool = false) throws -> SLURPResult {
        var res = SLURPResult()
        var pred: [String: SLURPExample] = [:]
        for p in predictions {
            if gold[p.file] == nil {
                if strict { throw ScoringError.unknownSLURPId(file: predictionName, line: p.line, id: p.file) }
                res.unknownPredictions.append(p.file)
                continue
            }
            pred[p.file] = p.example
        }
        res.goldRecordings = goldOrder.count
        var aligner = LevenshteinAligner()
        var words = ErrorRate(unit: .word)
        for file in goldOrder {
            let g = gold[file]!
            guard let p = pred[file] else { res.notPredicted += 1; continue }
            func label(_ t: inout SLURPTable, _ gl: String, _ pl: String) {
                if gl == pl { t.add(gl, tp: 1) } else { t.add(pl, fp: 1); t.add(gl, fn: 1) }
            }
            label(&res.scenario, g.scenario, p.scenario)
            label(&res.action, g.action, p.action)
            label(&res.intent, g.scenario + "_" + g.action, p.scenario + "_" + p.action)
            // span F1
            var remaining = g.entities
            for (type, filler) in p.entities {
                if let k = remaining.firstIndex(where: { $0.0 == type && $0.1 == filler }) {
                    res.entities.add(type, tp: 1); remaining.remove(at: k)
                } else { res.entities.add(type, fp: 1) }
            }
            for (type, _) in remaining { res.entities.add(type, fn: 1) }
            // distance metrics
            for which in 0..<2 {
                var rem = g.entities
                var table = SLURPTable()
                for (type, filler) in p.entities {
                    var best = -1
                    var bestD = 0.0
                    for (k, ge) in rem.enumerated() where ge.0 == type {
                        let d = which == 0 ? wordDistance(ge.1, filler, &aligner, &words) : charDistance(ge.1, filler, &aligner)
                        if best < 0 || d < bestD { best = k; bestD = d }
                    }
                    if best >= 0 { table.add(type, tp: 1, fp: bestD, fn: bestD); rem.remove(at: best) }
                    else { table.add(type, fp: 1) }
                }
                for (type, _) in rem { table.add(type, fn: 1) }
                for (k, c) in table.labels {
                    if which == 0 { res.word.add(k, tp: c.tp, fp: c.fp, fn: c.fn) } else { res.char.add(k, tp: c.tp, fp: c.fp, fn: c.fn) }
                }
            }
        }
        for (k, c) in res.word.labels { res.slu.add(k, tp: c.tp, fp: c.fp, fn: c.fn) }
        for (k, c) in res.char.labels { res.slu.add(k, tp: c.tp, fp: c.fp, fn: c.fn) }
        return res
    }

    /// jiwer 2.0 `wer(truth: gold, hypothesis: pred)` on one pair (word Levenshtein / gold words).
    static func wordDistance(_ gold: String, _ pred: String, _ al: inout LevenshteinAligner, _ er: inout ErrorRate) -> Double {
        let g = er.tokens(gold), p = er.tokens(pred)
        if g.isEmpty { return p.isEmpty ? 0 : Double(p.count) }
        return Double(al.distance(g, p)) / Double(g.count)
    }

    /// textdistance `levenshtein.normalized_distance`: distance / max(len), 0 when both are empty.
    static func charDistance(_ gold: String, _ pred: String, _ al: inout LevenshteinAligner) -> Double {
        let g = gold.unicodeScalars.map { Int32(bitPattern: $0.value) }, p = pred.unicodeScalars.map { Int32(bitPattern: $0.value) }
        let m = max(g.count, p.count)
        if m == 0 { return 0 }
        return Double(al.distance(g, p)) / Double(m)
    }

    /// SLURP-style examples from MTLA/ESPnet text lines `scenario_action words…` (the first `_`
    /// separates scenario from action). Entities are not available in this form.
    public static func examplesFromText(_ lines: [String]) -> [SLURPExample] {
        lines.map { line in
            let first = String(Accuracy.firstToken(line))
            if let u = first.firstIndex(of: "_") {
                return SLURPExample(scenario: String(first[..<u]), action: String(first[first.index(after: u)...]), entities: [])
            }
            return SLURPExample(scenario: first, action: "", entities: [])
        }
    }
}
