import FeatureStore
import Foundation
import Testing
import _TestSupport

/// `mtla prepare slurp` on a hand-written SLURP layout (two sentences, three FLAC recordings), then
/// `mtla fbank` on its data dir: what the SLU recipe's stages 1–2 do.
@Suite struct PrepareSLURPCLITests {
    /// A SLURP jsonl line with the fields SLURP writes (tokens and entities abridged).
    static func line(id: Int, sentence: String, scenario: String, action: String, files: [String]) -> String {
        let recordings = files.map { #"{"file": "\#($0)", "wer": 0.0, "ent_wer": 0.0, "status": "correct"}"# }.joined(separator: ", ")
        return #"{"slurp_id": \#(id), "sentence": "\#(sentence)", "sentence_annotation": "\#(sentence)", "intent": "\#(scenario)_\#(action)", "#
            + #""action": "\#(action)", "scenario": "\#(scenario)", "tokens": [], "recordings": [\#(recordings)], "entities": []}"#
    }

    @Test func slurpLayoutBecomesDataDirsWithIntentTextAndAFairseqStore() throws {
        let dir = try TestData.temporaryDirectory("slurp")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        let text = dir.appendingPathComponent("dataset/slurp"), audio = dir.appendingPathComponent("audio/slurp_real")
        try fm.createDirectory(at: text, withIntermediateDirectories: true)
        try fm.createDirectory(at: audio, withIntermediateDirectories: true)
        for name in ["audio-1.flac", "audio-2.flac", "audio-3.flac"] {
            try fm.copyItem(at: TestData.reference("fbank/audio/alsa_Front_Left_flac.flac"), to: audio.appendingPathComponent(name))
        }
        // Listed out of id order, with SLURP's punctuation and symbols: ids sort numerically (zero-padded).
        let train = [
            Self.line(id: 12, sentence: "Email John @ work, please.", scenario: "email", action: "sendemail", files: ["audio-3.flac"]),
            Self.line(id: 9, sentence: "Play the  #1 song", scenario: "play", action: "music", files: ["audio-1.flac", "audio-2.flac"]),
        ].joined(separator: "\n") + "\n"
        try train.write(to: text.appendingPathComponent("train.jsonl"), atomically: true, encoding: .utf8)
        try #"{"1": {"recordings": {"audio-1.flac": {"usrid": "UA"}, "audio-3.flac": {"usrid": "UB"}}}}"#
            .write(to: text.appendingPathComponent("metadata.json"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("data").path
        let r = try runMTLA(["prepare", "slurp", "--corpus", dir.path, "--splits", "train", "--out", out])
        #expect(r.status == 0, "\(r.err)")
        func read(_ f: String) throws -> String { try String(contentsOfFile: "\(out)/train/\(f)", encoding: .utf8) }
        #expect(try read("text") == """
            slurp_00000009_00 play_music play the hashtag 1 song
            slurp_00000009_01 play_music play the hashtag 1 song
            slurp_00000012_00 email_sendemail email john at work please

            """)
        let wav = try read("wav.scp")
        #expect(wav == "slurp_00000009_00 \(audio.path)/audio-1.flac\nslurp_00000009_01 \(audio.path)/audio-2.flac\n"
            + "slurp_00000012_00 \(audio.path)/audio-3.flac\n")
        // Speakers from metadata.json; a recording without one is its own speaker.
        #expect(try read("utt2spk") == "slurp_00000009_00 UA\nslurp_00000009_01 slurp_00000009_01\nslurp_00000012_00 UB\n")
        #expect(try read("spk2utt") == "UA slurp_00000009_00\nUB slurp_00000012_00\nslurp_00000009_01 slurp_00000009_01\n")
        #expect(try read("slurp.jsonl") == train)
        let again = try runMTLA(["prepare", "slurp", "--corpus", dir.path, "--splits", "train", "--out", out])
        #expect(again.status != 0 && again.err.contains("exists"))

        let f = try runMTLA(["fbank", "--manifest", out + "/train", "--out-dir", dir.appendingPathComponent("fbank").path,
                             "--name", "train_raw", "--window-type", "hamming", "--dither", "0"])
        #expect(f.status == 0, "\(f.err)")
        let m = try FairseqManifest.read(path: dir.appendingPathComponent("fbank/train_raw.tsv").path)
        #expect(m.rows.map(\.id) == ["slurp_00000009_00", "slurp_00000009_01", "slurp_00000012_00"])
        #expect(m.rows.map(\.tgtText) == ["play_music play the hashtag 1 song", "play_music play the hashtag 1 song",
                                          "email_sendemail email john at work please"])
        #expect(Set(m.rows.map(\.nFrames)).count == 1 && m.rows[0].nFrames > 0)
    }

    @Test func errorsNameTheFileAndLine() throws {
        let dir = try TestData.temporaryDirectory("slurp-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        let text = dir.appendingPathComponent("dataset/slurp"), audio = dir.appendingPathComponent("audio/slurp_real")
        try fm.createDirectory(at: text, withIntermediateDirectories: true)
        try fm.createDirectory(at: audio, withIntermediateDirectories: true)
        try fm.copyItem(at: TestData.reference("fbank/audio/alsa_Front_Left_flac.flac"), to: audio.appendingPathComponent("audio-1.flac"))
        let jsonl = text.appendingPathComponent("devel.jsonl")
        let good = Self.line(id: 1, sentence: "wake me up", scenario: "alarm", action: "set", files: ["audio-1.flac"])
        let out = dir.appendingPathComponent("data").path
        func prepare() throws -> (status: Int32, out: String, err: String) {
            try runMTLA(["prepare", "slurp", "--corpus", dir.path, "--splits", "devel", "--out", out, "--overwrite"])
        }
        // A missing field.
        try (good + "\n" + #"{"slurp_id": 2, "sentence": "x", "action": "set", "recordings": []}"# + "\n")
            .write(to: jsonl, atomically: true, encoding: .utf8)
        var r = try prepare()
        #expect(r.status != 0 && r.err.contains("devel.jsonl:2") && r.err.contains("scenario"), "\(r.err)")
        // Not JSON.
        try (good + "\n\n{oops\n").write(to: jsonl, atomically: true, encoding: .utf8)
        r = try prepare()
        #expect(r.status != 0 && r.err.contains("devel.jsonl:3"), "\(r.err)")
        // A recording that is not there.
        try (Self.line(id: 1, sentence: "wake me up", scenario: "alarm", action: "set", files: ["audio-1.flac", "audio-7.flac"]) + "\n")
            .write(to: jsonl, atomically: true, encoding: .utf8)
        r = try prepare()
        #expect(r.status != 0 && r.err.contains("devel.jsonl:1") && r.err.contains("audio-7.flac"), "\(r.err)")
        // A missing split names the file.
        r = try runMTLA(["prepare", "slurp", "--corpus", dir.path, "--splits", "test", "--out", out])
        #expect(r.status != 0 && r.err.contains("test.jsonl"), "\(r.err)")
        // The good file prepares.
        try (good + "\n").write(to: jsonl, atomically: true, encoding: .utf8)
        r = try prepare()
        #expect(r.status == 0, "\(r.err)")
        #expect(try String(contentsOfFile: out + "/devel/text", encoding: .utf8) == "slurp_00000001_00 alarm_set wake me up\n")
    }
}
