import FeatureStore
import Foundation
import Testing
import _TestSupport

/// `mtla prepare mustc` on a MuST-C layout built from the reference audio, then `mtla fbank` on its
/// data dir with the transcript as `src_text`: what an ST recipe's stages 1–2 do.
@Suite struct PrepareCLITests {
    @Test func mustcLayoutBecomesDataDirsAndAFairseqStore() throws {
        let dir = try TestData.temporaryDirectory("mustc")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("en-de/data/train")
        try FileManager.default.createDirectory(at: data.appendingPathComponent("wav"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: data.appendingPathComponent("txt"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: TestData.reference("fbank/audio/es01.wav"), to: data.appendingPathComponent("wav/ted_7.wav"))
        // Listed out of offset order: ids follow the offsets (fairseq).
        try """
            - {duration: 0.9, offset: 1.0, rW: 2, uW: 0, speaker_id: spk.7, wav: ted_7.wav}
            - {duration: 0.8, offset: 0.1, rW: 2, uW: 0, speaker_id: spk.7, wav: ted_7.wav}
            """.write(to: data.appendingPathComponent("txt/train.yaml"), atomically: true, encoding: .utf8)
        try "second one\nfirst one\n".write(to: data.appendingPathComponent("txt/train.en"), atomically: true, encoding: .utf8)
        try "der zweite\nder erste\n".write(to: data.appendingPathComponent("txt/train.de"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("data").path
        let r = try runMTLA(["prepare", "mustc", "--root", dir.appendingPathComponent("en-de").path, "--splits", "train", "--out", out])
        #expect(r.status == 0, "\(r.err)")
        let segments = try String(contentsOfFile: out + "/train/segments", encoding: .utf8)
        #expect(segments == "ted_7_0 ted_7 0.100 0.900\nted_7_1 ted_7 1.000 1.900\n")
        #expect(try String(contentsOfFile: out + "/train/text", encoding: .utf8) == "ted_7_0 der erste\nted_7_1 der zweite\n")
        #expect(try String(contentsOfFile: out + "/train/spk2utt", encoding: .utf8) == "spk.7 ted_7_0 ted_7_1\n")
        let again = try runMTLA(["prepare", "mustc", "--root", dir.appendingPathComponent("en-de").path, "--splits", "train", "--out", out])
        #expect(again.status != 0 && again.err.contains("exists"))
        let f = try runMTLA(["fbank", "--manifest", out + "/train", "--out-dir", dir.appendingPathComponent("fbank").path,
                             "--name", "train_st", "--extra-column", "src_text=text.en"])
        #expect(f.status == 0, "\(f.err)")
        let m = try FairseqManifest.read(path: dir.appendingPathComponent("fbank/train_st.tsv").path)
        #expect(m.rows.map(\.id) == ["ted_7_0", "ted_7_1"] && m.rows.map(\.srcText) == ["first one", "second one"])
        #expect(m.rows.map(\.nFrames) == [78, 88] && m.rows.map(\.speaker) == ["spk.7", "spk.7"])
        // A broken layout names the file.
        try "only one line\n".write(to: data.appendingPathComponent("txt/train.de"), atomically: true, encoding: .utf8)
        let bad = try runMTLA(["prepare", "mustc", "--root", dir.appendingPathComponent("en-de").path, "--splits", "train",
                               "--out", out, "--overwrite"])
        #expect(bad.status != 0 && bad.err.contains("train.de") && bad.err.contains("1 lines for 2 segments"))
    }
}
