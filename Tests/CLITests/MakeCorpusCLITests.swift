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

/// `mtla make-corpus ami` end to end: the AMI IHM layout and its Kaldi dirs as the standard
/// preparation leaves them, consistent with each other and with the audio.
@Suite struct MakeAMICLITests {
    @Test func writesAMeetingCorpusWithKaldiDirs() throws {
        let dir = try TestData.temporaryDirectory("cli-make-ami")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("ami").path
        let r = try runMTLA(["make-corpus", "ami", "--out", out, "--utterances", "40", "--dev-utterances", "30",
                             "--test-utterances", "35", "--seed", "2"])
        #expect(r.status == 0, "\(r.err)")
        func lines(_ split: String, _ file: String) throws -> [String] {
            try String(contentsOfFile: "\(out)/data/\(split)/\(file)", encoding: .utf8).split(separator: "\n").map(String.init)
        }
        let info = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/make-corpus.json"))) as! [String: Any]
        let heldOut = Set(info["heldOutVoices"] as! [String])
        var evalVoices = Set<String>()
        for (split, count) in [("train", 40), ("dev", 30), ("eval", 35)] {
            let segments = try lines(split, "segments"), text = try lines(split, "text"), utt2spk = try lines(split, "utt2spk")
            let wavs = Dictionary(uniqueKeysWithValues: try lines(split, "wav.scp").map { l in
                (String(l.split(separator: " ")[0]), String(l.split(separator: " ")[1])) })
            #expect(segments.count == count && text.count == count && utt2spk.count == count)
            #expect(segments == segments.sorted() && text == text.sorted() && utt2spk == utt2spk.sorted())
            #expect(segments.map { $0.split(separator: " ")[0] } == text.map { $0.split(separator: " ")[0] })
            for (seg, u2s) in zip(segments, utt2spk) {
                let f = seg.split(separator: " ").map(String.init)
                let (utt, rec, start, end) = (f[0], f[1], Double(f[2])!, Double(f[3])!)
                // AMI_<mtg>_H0<n>_<spk>_<start·100>_<end·100>, on recording <mtg>_H0<n>, speaker as in utt2spk.
                let parts = utt.split(separator: "_").map(String.init)
                #expect(parts.count == 6 && parts[0] == "AMI" && "\(parts[1])_\(parts[2])" == rec)
                #expect(parts[4] == String(format: "%07d", Int((start * 100).rounded())) && parts[5] == String(format: "%07d", Int((end * 100).rounded())))
                #expect(u2s == "\(utt) \(parts[3])")
                let wav = try #require(wavs[rec])
                let size = try #require(try FileManager.default.attributesOfItem(atPath: wav)[.size] as? Int)
                let frames = (size - 44) / 2   // the writer's canonical 16-bit mono WAV
                #expect(end > start && end * 16000 <= Double(frames) + 160, "\(utt) ends after \(wav)")
            }
            #expect(text.allSatisfy { l in l.split(separator: " ").dropFirst().allSatisfy { $0 == $0.uppercased() && !$0.contains(",") && !$0.contains(".") } })
            let spk2utt = try lines(split, "spk2utt")
            #expect(spk2utt.reduce(0) { $0 + $1.split(separator: " ").count - 1 } == count)
            if split == "eval" {
                for m in info["meetings"] as! [[String: Any]] where m["split"] as? String == "eval" {
                    for s in m["speakers"] as! [[String: Any]] { evalVoices.insert(s["voice"] as! String) }
                }
            }
        }
        #expect(!evalVoices.isDisjoint(with: heldOut), "eval voices \(evalVoices)")
        let trainText = Set(try lines("train", "text").map { $0.split(separator: " ", maxSplits: 1)[1] })
        #expect(try lines("eval", "text").allSatisfy { !trainText.contains($0.split(separator: " ", maxSplits: 1)[1]) })
    }
}
