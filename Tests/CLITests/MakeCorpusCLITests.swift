import Foundation
import Testing
import _TestSupport

/// `mtla make-corpus mustc` end to end (needs espeak-ng, which Tools/install-deps installs).
@Suite struct MakeCorpusCLITests {
    @Test func writesAMiniMustCAndRefusesToOverwrite() throws {
        let dir = try TestData.temporaryDirectory("cli-make-corpus")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("mustc").path
        let r = try runMTLA(["make-corpus", "mustc", "--out", out, "--utterances", "8", "--seed", "3", "--test-utterances", "5"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("sent/s"), "progress lines: \(r.err)")
        for split in ["train", "dev", "tst-COMMON"] {
            let txt = "\(out)/en-de/data/\(split)/txt/\(split)"
            let yaml = try String(contentsOfFile: txt + ".yaml", encoding: .utf8).split(separator: "\n")
            let en = try String(contentsOfFile: txt + ".en", encoding: .utf8).split(separator: "\n")
            let de = try String(contentsOfFile: txt + ".de", encoding: .utf8).split(separator: "\n")
            #expect(yaml.count == en.count && en.count == de.count && !yaml.isEmpty)
            #expect(yaml.allSatisfy { $0.hasPrefix("- {duration: ") && $0.contains(", uW: 0, speaker_id: spk.") })
        }
        let lines = { (split: String) in
            try String(contentsOfFile: "\(out)/en-de/data/\(split)/txt/\(split).yaml", encoding: .utf8).split(separator: "\n").count
        }
        #expect(try lines("train") == 8 && lines("dev") == 4 && lines("tst-COMMON") == 5)   // dev scaled (minimum 4), test as asked
        let zero = try runMTLA(["make-corpus", "mustc", "--out", dir.appendingPathComponent("z").path, "--dev-utterances", "0"])
        #expect(zero.status != 0 && zero.err.contains("--dev-utterances"))
        let again = try runMTLA(["make-corpus", "mustc", "--out", out, "--utterances", "8"])
        #expect(again.status != 0 && again.err.contains("--overwrite"))
        let missing = try runMTLA(["make-corpus", "mustc", "--out", dir.appendingPathComponent("x").path, "--utterances", "8",
                                   "--espeak", "/nonexistent/espeak-ng"])
        #expect(missing.status != 0 && missing.err.contains("espeak-ng"))
    }
}
