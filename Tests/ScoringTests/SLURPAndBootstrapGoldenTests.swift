import Foundation
import Testing
import _TestSupport
import Scoring

@Suite struct SLURPGoldenTests {
    /// reference/README §7: fractional counts and P/R/F1 within 1e-9 absolute (only the summation
    /// order over labels differs); integer-valued counts exact.
    static func ok(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 }

    @Test func officialEvaluator() throws {
        let g = try SLURPMetrics.readGold(try Data(contentsOf: TestData.reference("slurp/gold.jsonl")), name: "gold.jsonl")
        let p = try SLURPMetrics.readPredictions(try Data(contentsOf: TestData.reference("slurp/predictions.jsonl")), name: "predictions.jsonl")
        let r = try SLURPMetrics.evaluate(goldOrder: g.order, gold: g.examples, predictions: p)
        #expect(r.goldRecordings == 375 && r.notPredicted == 20)
        #expect(r.unknownPredictions.count == 2)
        let exp = (try Golden.json("slurp/expected.json"))["results"] as! [String: Any]
        let micro = exp["micro"] as! [String: Any], macro = exp["macro_overall"] as! [String: Any]
        for (key, _, table) in r.tables {
            let em = micro[key] as! [String: Any]
            let o = em["OVERALL"] as! [String: Any]
            let m = table.micro, t = table.total
            #expect(Self.ok(m.precision, d(o["precision"])) && Self.ok(m.recall, d(o["recall"])) && Self.ok(m.f1, d(o["f1"])), "\(key) micro")
            #expect(Self.ok(t.tp, d(o["tp"])) && Self.ok(t.fp, d(o["fp"])) && Self.ok(t.fn, d(o["fn"])), "\(key) counts")
            let ma = macro[key] as! [String: Any], mm = table.macro
            #expect(Self.ok(mm.precision, d(ma["precision"])) && Self.ok(mm.recall, d(ma["recall"])) && Self.ok(mm.f1, d(ma["f1"])), "\(key) macro")
            // every per-label row
            #expect(Set(table.labels.keys) == Set(em.keys.filter { $0 != "OVERALL" }), "\(key) labels")
            for (label, c) in table.labels {
                guard let e = em[label] as? [String: Any] else { continue }
                #expect(Self.ok(c.tp, d(e["tp"])) && Self.ok(c.fp, d(e["fp"])) && Self.ok(c.fn, d(e["fn"])), "\(key)/\(label)")
                #expect(Self.ok(c.f1, d(e["f1"])), "\(key)/\(label) f1")
            }
        }
    }

    @Test func defaultOutputIsTheEvaluators() throws {
        let g = try SLURPMetrics.readGold(try Data(contentsOf: TestData.reference("slurp/gold.jsonl")), name: "gold.jsonl")
        let p = try SLURPMetrics.readPredictions(try Data(contentsOf: TestData.reference("slurp/predictions.jsonl")), name: "predictions.jsonl")
        let r = try SLURPMetrics.evaluate(goldOrder: g.order, gold: g.examples, predictions: p)
        let exp = (try Golden.json("slurp/expected.json"))["evaluator_stdout_default"] as! String
        #expect(SLURPReport.text(r) == exp)
    }

    @Test func strictRejectsUnknownIds() throws {
        let g = try SLURPMetrics.readGold(try Data(contentsOf: TestData.reference("slurp/gold.jsonl")), name: "gold.jsonl")
        let p = try SLURPMetrics.readPredictions(try Data(contentsOf: TestData.reference("slurp/predictions.jsonl")), name: "p.jsonl")
        #expect(throws: ScoringError.self) {
            try SLURPMetrics.evaluate(goldOrder: g.order, gold: g.examples, predictions: p, predictionName: "p.jsonl", strict: true)
        }
    }
}

@Suite struct PairedBootstrapGoldenTests {
    @Test func pcg64MatchesNumpy() throws {
        let j = try Golden.json("scoring/paired_bs.json")
        let rs = j["resampling"] as! [String: Any]
        #expect(NumpyPCG64.seedSequenceWords(entropy: [12345], count: 4).map(String.init) == rs["seedsequence_uint64_words"] as! [String])
        var g = NumpyPCG64(seed: 12345)
        let (s, inc) = g.stateAndIncrement
        let st = rs["pcg64_state_after_seeding"] as! [String: Any]
        #expect("0x" + String(s, radix: 16) == st["state"] as! String)
        #expect("0x" + String(inc, radix: 16) == st["inc"] as! String)
        #expect((0..<8).map { _ in String(g.next64()) } == rs["first_8_raw_uint64"] as! [String])
        let en = (rs["per_language"] as! [String: Any])["en"] as! [String: Any]
        let idx = PairedBootstrap().indices(n: 300)
        #expect(Array(idx[0..<300]).map(Int.init) == (en["row_0"] as! [NSNumber]).map(\.intValue))
        #expect(Array(idx[300..<600]).map(Int.init) == (en["row_1"] as! [NSNumber]).map(\.intValue))
        #expect(Array(idx[(999 * 300)...]).map(Int.init) == (en["row_999"] as! [NSNumber]).map(\.intValue))
        #expect(idx.reduce(0) { $0 + Int($1) } == i(en["sum"]))
    }

    @Test(arguments: ["en", "de"])
    func pairedBLEUAndChrF(lang: String) throws {
        let refs = try Golden.lines("\(lang).ref.txt"), a = try Golden.lines("\(lang).hyp.txt"), b = try Golden.lines("\(lang).hypB.txt")
        let res = (((try Golden.json("scoring/paired_bs.json"))["sets"] as! [String: Any])[lang] as! [String: Any])["results"] as! [String: Any]
        let npy = try NpyFloat64.read(TestData.reference("scoring/\(lang).paired_bs_scores.npy"))
        let bs = PairedBootstrap()
        let idx = bs.indices(n: refs.count)
        // BLEU
        let bleu = BLEU()
        let sa = bleu.segmentStatistics(hypotheses: a, references: [refs]), sb = bleu.segmentStatistics(hypotheses: b, references: [refs])
        let ra = bs.resampleScores(statistics: sa, metric: .bleu(maxOrder: 4), indices: idx)
        #expect(zip(ra, npy[0..<1000]).filter { $0 != $1 }.count == 0, "BLEU baseline resamples bit for bit")
        let rb = bs.resampleScores(statistics: sb, metric: .bleu(maxOrder: 4), indices: idx)
        #expect(zip(rb, npy[1000..<2000]).filter { $0 != $1 }.count == 0, "BLEU system resamples bit for bit")
        let bA = bleu.corpusScore(hypotheses: a, references: [refs]).score, bB = bleu.corpusScore(hypotheses: b, references: [refs]).score
        let (eA, eB) = bs.compare(baseline: sa, system: sb, metric: .bleu(maxOrder: 4), baselineScore: bA, systemScore: bB)
        let rB = res["BLEU"] as! [String: Any]
        #expect(bleu.signature(nrefs: 1, bootstrap: 1000, seed: "12345") == rB["signature"] as! String)
        let base = rB["baseline"] as! [String: Any], sys = rB["system"] as! [String: Any]
        // README §8: mean, CI and p exact when following the float32 steps
        #expect(eA.mean == d(base["mean"]) && eA.ci == d(base["ci"]), "\(eA) \(base) \(eB) \(sys)")
        #expect(eB.mean == d(sys["mean"]) && eB.ci == d(sys["ci"]) && eB.pValue == d(sys["p_value"]))
        // chrF
        let chrf = CHRF()
        let ca = chrf.segmentStatistics(hypotheses: a, references: [refs]), cb = chrf.segmentStatistics(hypotheses: b, references: [refs])
        let m = BootstrapMetric.chrf(charOrder: 6, wordOrder: 0, beta: 2)
        #expect(zip(bs.resampleScores(statistics: ca, metric: m, indices: idx), npy[2000..<3000]).filter { $0 != $1 }.count == 0, "chrF baseline resamples")
        #expect(zip(bs.resampleScores(statistics: cb, metric: m, indices: idx), npy[3000..<4000]).filter { $0 != $1 }.count == 0, "chrF system resamples")
        let (fA, fB) = bs.compare(baseline: ca, system: cb, metric: m,
                                  baselineScore: chrf.corpusScore(hypotheses: a, references: [refs]),
                                  systemScore: chrf.corpusScore(hypotheses: b, references: [refs]))
        let rc = res["chrF2"] as! [String: Any]
        #expect(chrf.signature(nrefs: 1, bootstrap: 1000, seed: "12345") == rc["signature"] as! String)
        let cbase = rc["baseline"] as! [String: Any], csys = rc["system"] as! [String: Any]
        #expect(fA.mean == d(cbase["mean"]) && fA.ci == d(cbase["ci"]))
        #expect(fB.mean == d(csys["mean"]) && fB.ci == d(csys["ci"]) && fB.pValue == d(csys["p_value"]), "\(fA) \(fB) \(csys)")
    }
}

/// Minimal reader of a little-endian float64 `.npy` file (C order), flattened.
enum NpyFloat64 {
    static func read(_ url: URL) throws -> [Double] {
        let data = try Data(contentsOf: url)
        let headerLen = Int(data[8]) | (Int(data[9]) << 8)
        let start = 10 + headerLen
        let body = data.subdata(in: start..<data.count)
        return body.withUnsafeBytes { raw in (0..<(body.count / 8)).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: Double.self) } }
    }
}
