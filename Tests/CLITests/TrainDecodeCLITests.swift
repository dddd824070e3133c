import Foundation
import NN
import Testing
import _TestSupport

/// `mtla train` then `mtla decode`, `mtla average`, `mtla plot` on the toy corpus, as a user runs them.
@Suite struct TrainDecodeCLITests {
    /// The toy experiment without a data root (the test sets it with --set), 12 updates, no SpecAugment.
    static let config = ToyCorpus.experimentYAML(maxUpdate: 12, seed: 5, specAugment: false, interval: 6, logInterval: 4)

    @Test func trainDecodeAverageAndPlot() throws {
        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ToyCorpus.write(to: dir)
        let cfg = dir.appendingPathComponent("exp.yaml")
        try Self.config.write(to: cfg, atomically: true, encoding: .utf8)
        let exp = dir.appendingPathComponent("exp").path
        let train = try runMTLA(["train", cfg.path, "--exp-dir", exp, "--set", "data.root=\(dir.path)", "--stop-after", "6"])
        #expect(train.status == 0, "\(train.err)")
        #expect(train.err.contains("stopped after update 6"))
        let resumed = try runMTLA(["train", cfg.path, "--exp-dir", exp, "--set", "data.root=\(dir.path)", "--resume"])
        #expect(resumed.status == 0 && resumed.err.contains("resuming at update 6") && resumed.out.contains("last validation: accuracy"),
                "\(resumed.err)")
        let again = try runMTLA(["train", cfg.path, "--exp-dir", exp, "--set", "data.root=\(dir.path)"])
        #expect(again.status != 0 && again.err.contains("--resume"))
        let typo = try runMTLA(["train", cfg.path, "--exp-dir", exp + "2", "--set", "optimization.lrr=1"])
        #expect(typo.status != 0 && typo.err.contains("optimization.lrr") && typo.err.contains("did you mean lr"))

        let average = try runMTLA(["average", "--exp-dir", exp, "--last", "2", "-o", dir.appendingPathComponent("avg.safetensors").path])
        #expect(average.status == 0, "\(average.err)")
        let best = try runMTLA(["average", "--exp-dir", exp, "--best", "1", "--metric", "loss", "-o", dir.appendingPathComponent("best.safetensors").path])
        #expect(best.status == 0 && best.err.contains("averaged 1 checkpoints"), "\(best.err)")
        let tooMany = try runMTLA(["average", "--exp-dir", exp, "--best", "9", "-o", dir.appendingPathComponent("b9.safetensors").path])
        #expect(tooMany.status != 0 && tooMany.err.contains("--best 9"), "\(tooMany.err)")
        let badMetric = try runMTLA(["average", "--exp-dir", exp, "--best", "1", "--metric", "rouge", "-o", dir.appendingPathComponent("b.safetensors").path])
        #expect(badMetric.status != 0 && badMetric.err.contains("--metric"), "\(badMetric.err)")
        let out = dir.appendingPathComponent("decode").path
        let decode = try runMTLA(["decode", dir.appendingPathComponent("avg.safetensors").path, "--manifest",
                                  dir.appendingPathComponent("dev.tsv").path, "--dict", dir.appendingPathComponent("dict.txt").path,
                                  "--out-dir", out, "--beam", "3", "--nbest", "2", "--max-len-b", "6", "--post-process", "none"])
        #expect(decode.status == 0, "\(decode.err)")
        let hyp = try String(contentsOfFile: out + "/hyp.txt", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(hyp.count == 7 && hyp.last == "")   // 6 inputs, one line each
        #expect(hyp.dropLast().allSatisfy { $0.split(separator: " ").allSatisfy { ToyCorpus.words.contains(String($0)) } })
        let refs = try String(contentsOfFile: out + "/ref.txt", encoding: .utf8)
        #expect(refs.split(separator: "\n").count == 6)
        let nbest = try String(contentsOfFile: out + "/nbest.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(nbest.count == 6)
        let first = try JSONSerialization.jsonObject(with: Data(nbest[0].utf8)) as! [String: Any]
        #expect((first["hypotheses"] as! [Any]).count == 2 && first["id"] as? String == "u18")
        let efficiency = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/efficiency.json"))) as! [String: Any]
        for key in ["inference_seconds", "real_time_factor", "peak_rss_bytes", "average_kv_cache_bytes", "kv_cache_floats_per_token_per_row"] {
            #expect(efficiency[key] != nil, "\(key)")
        }
        let generate = try String(contentsOfFile: out + "/generate.txt", encoding: .utf8)
        #expect(generate.contains("T-0\t") && generate.contains("H-5\t") && generate.contains("P-5\t"))
        let refused = try runMTLA(["decode", dir.appendingPathComponent("avg.safetensors").path, "--manifest", dir.appendingPathComponent("dev.tsv").path,
                                   "--dict", dir.appendingPathComponent("dict.txt").path, "--out-dir", out])
        #expect(refused.status != 0 && refused.err.contains("exists"))
        // Bad input: an empty input set, a dictionary of another size, an input over the batch budget,
        // a checkpoint whose tensors do not fit its config; each refused by name, no hypothesis file left.
        let model = dir.appendingPathComponent("avg.safetensors").path, dict = dir.appendingPathComponent("dict.txt").path
        let devLines = try String(contentsOf: dir.appendingPathComponent("dev.tsv"), encoding: .utf8).split(separator: "\n")
        try (devLines[0] + "\n").write(to: dir.appendingPathComponent("empty.tsv"), atomically: true, encoding: .utf8)
        let empty = try runMTLA(["decode", model, "--manifest", dir.appendingPathComponent("empty.tsv").path, "--dict", dict, "--out-dir", out + "-empty"])
        #expect(empty.status != 0 && empty.err.contains("at least one sample"), "\(empty.err)")
        try "alpha 10\nbeta 10\n".write(to: dir.appendingPathComponent("small.txt"), atomically: true, encoding: .utf8)
        let vocab = try runMTLA(["decode", model, "--manifest", dir.appendingPathComponent("dev.tsv").path, "--dict",
                                 dir.appendingPathComponent("small.txt").path, "--out-dir", out + "-vocab"])
        #expect(vocab.status != 0 && vocab.err.contains("small.txt has 6 symbols; the model's vocabulary has 8"), "\(vocab.err)")
        let long = try runMTLA(["decode", model, "--manifest", dir.appendingPathComponent("dev.tsv").path, "--dict", dict,
                                "--out-dir", out + "-long", "--batch-frames", "20", "--post-process", "none"])
        #expect(long.status != 0 && long.err.contains("input u1") && long.err.contains("limit: 20") && long.err.contains("--batch-frames"), "\(long.err)")
        // The same tensors under a config that says 2 decoder layers (the metadata the loader reads first).
        let file = try SafeTensors.read(dir.appendingPathComponent("avg.safetensors"))
        var metadata = file.metadata
        for (key, value) in metadata where value.contains("\"decoder_layers\"") {
            var config = try JSONSerialization.jsonObject(with: Data(value.utf8)) as! [String: Any]
            config["decoder_layers"] = 2
            metadata[key] = String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self)
        }
        #expect(metadata != file.metadata)
        let other = dir.appendingPathComponent("other.safetensors")
        try SafeTensors.write(file.tensors, metadata: metadata, to: other)
        let mismatch = try runMTLA(["decode", other.path, "--manifest",
                                    dir.appendingPathComponent("dev.tsv").path, "--dict", dict, "--out-dir", out + "-mismatch"])
        #expect(mismatch.status != 0 && mismatch.err.contains("decoder.layers.1"), "\(mismatch.err)")
        for suffix in ["-empty", "-vocab", "-long", "-mismatch"] {
            #expect(!FileManager.default.fileExists(atPath: out + suffix + "/hyp.txt"), "\(suffix)")
        }
        let summary = try runMTLA(["summarize", out, "-o", dir.appendingPathComponent("summary.json").path])
        #expect(summary.status == 0 && summary.out.hasPrefix("decode_time_s=") && summary.out.contains(" rtf=")
                && summary.out.contains(" kv_bytes_per_token=24"), "\(summary.out)\(summary.err)")   // MTLA s=2: (r 8 + dR 4)/2 floats × 4 bytes, 1 layer
        let plot = try runMTLA(["plot", exp])
        #expect(plot.status == 0 && plot.out.contains("loss.svg"))
    }
}
