import Foundation
import Testing
import _TestSupport

/// `mtla bench decode --checkpoint NAME=MODEL …`: trained models of two variants decode the same
/// inputs; the table has their quality, the p-value against MHA, time, memory and KV cache.
@Suite struct BenchDecodeCLITests {
    @Test func trainedCheckpointsAreComparedWithQuality() throws {
        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ToyCorpus.write(to: dir)
        var models: [String: String] = [:]
        for (name, kind) in [("MHA", "MHA"), ("MTLA2", "MTLA")] {
            let cfg = dir.appendingPathComponent("\(name).yaml")
            try ToyCorpus.experimentYAML(root: dir.path, maxUpdate: 40, seed: 5, attention: kind, specAugment: false, interval: 40)
                .write(to: cfg, atomically: true, encoding: .utf8)
            let exp = dir.appendingPathComponent("exp-\(name)")
            let r = try runMTLA(["train", cfg.path, "--exp-dir", exp.path])
            #expect(r.status == 0, "\(r.err)")
            models[name] = exp.appendingPathComponent("checkpoints/checkpoint_u00000040").path
        }
        let out = dir.appendingPathComponent("bench")
        let common = ["bench", "decode", "--manifest", dir.appendingPathComponent("dev.tsv").path,
                      "--dict", dir.appendingPathComponent("dict.txt").path, "--metric", "wer", "--post-process", "none",
                      "--beam", "3", "--max-len-b", "6", "--out-dir", out.path]
        let r = try runMTLA(common + ["--checkpoint", "MHA=\(models["MHA"]!)", "--checkpoint", "MTLA2=\(models["MTLA2"]!)"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("| variant | WER | p vs MHA | time s |"), "\(r.out)")
        let rows = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("results.json"))) as! [[String: Any]]
        #expect(rows.map { $0["variant"] as? String } == ["MHA", "MTLA2"])
        #expect(rows[0]["pValueVsBaseline"] == nil && ((rows[1]["pValueVsBaseline"] as? Double).map { $0 > 0 && $0 <= 1 } ?? false))
        #expect((rows[1]["kvReductionVsMHA"] as? Double ?? 0) > 1, "\(rows[1])")
        // Each model's decode directory; its WER is what `mtla score wer` gives for its hypotheses.
        for (i, name) in ["MHA", "MTLA2"].enumerated() {
            let d = out.appendingPathComponent(name)
            #expect(FileManager.default.fileExists(atPath: d.appendingPathComponent("efficiency.json").path))
            let s = try runMTLA(["score", "wer", "--hyp", d.appendingPathComponent("hyp.txt").path,
                                 "--ref", d.appendingPathComponent("ref.txt").path, "--json"])
            let json = try JSONSerialization.jsonObject(with: Data(s.out.utf8)) as? [String: Any]
            let wer = (json?["score"] as? Double) ?? (json?["wer"] as? Double) ?? .nan
            let quality = rows[i]["quality"] as? Double ?? -1
            #expect(abs(wer - quality) < 1e-6 || abs(wer * 100 - quality) < 1e-6, "\(name): score \(s.out) vs table \(quality)")
        }
        // Intent accuracy: the share of inputs whose first hypothesis word is the reference's.
        let intent = try runMTLA(common + ["--metric", "intent", "--overwrite", "--checkpoint", "MHA=\(models["MHA"]!)",
                                           "--checkpoint", "MTLA2=\(models["MTLA2"]!)"])
        #expect(intent.status == 0 && intent.out.contains("| variant | INTENT | p vs MHA |"), "\(intent.err)")
        let intentRows = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("results.json"))) as! [[String: Any]]
        for (i, name) in ["MHA", "MTLA2"].enumerated() {
            let d = out.appendingPathComponent(name)
            let hyp = try String(contentsOf: d.appendingPathComponent("hyp.txt"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            let ref = try String(contentsOf: d.appendingPathComponent("ref.txt"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            let right = zip(hyp, ref).filter { $0.split(separator: " ").first == $1.split(separator: " ").first }.count
            #expect(abs((intentRows[i]["quality"] as? Double ?? -1) - 100 * Double(right) / Double(ref.count)) < 1e-9, "\(name)")
        }
        // ROUGE-L against a reference file: `mtla score rouge --mtla-preset`'s ROUGE-L F; no p-value.
        let refs = out.appendingPathComponent("MHA/ref.txt").path
        let rouge = try runMTLA(common + ["--metric", "rouge", "--references", refs, "--overwrite", "--checkpoint", "MHA=\(models["MHA"]!)",
                                          "--checkpoint", "MTLA2=\(models["MTLA2"]!)"])
        #expect(rouge.status == 0 && rouge.out.contains("| variant | ROUGE | p vs MHA |"), "\(rouge.err)")
        let rougeRows = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("results.json"))) as! [[String: Any]]
        for (i, name) in ["MHA", "MTLA2"].enumerated() {
            let s = try runMTLA(["score", "rouge", "--hyp", out.appendingPathComponent("\(name)/hyp.txt").path, "--ref", refs,
                                 "--mtla-preset", "--json"])
            let json = try JSONSerialization.jsonObject(with: Data(s.out.utf8)) as? [String: [String: Double]]
            let f = json?["rougeL"]?["fmeasure"] ?? .nan
            #expect(abs((rougeRows[i]["quality"] as? Double ?? -1) - f) < 1e-9 && rougeRows[i]["pValueVsBaseline"] == nil, "\(name): \(f)")
        }
        let short = try runMTLA(common + ["--metric", "rouge", "--references", dir.appendingPathComponent("dict.txt").path, "--overwrite",
                                          "--checkpoint", "MHA=\(models["MHA"]!)"])
        #expect(short.status != 0 && short.err.contains("4 lines for 6 inputs"), "\(short.err)")
        // Bad requests.
        let both = try runMTLA(common + ["--random-init", "--checkpoint", "MHA=\(models["MHA"]!)", "--overwrite"])
        #expect(both.status != 0 && both.err.contains("not both"), "\(both.err)")
        let malformed = try runMTLA(common + ["--checkpoint", models["MHA"]!, "--overwrite"])
        #expect(malformed.status != 0 && malformed.err.contains("NAME=MODEL"), "\(malformed.err)")
        let again = try runMTLA(common + ["--checkpoint", "MHA=\(models["MHA"]!)"])
        #expect(again.status != 0 && again.err.contains("exists"), "\(again.err)")
    }
}
