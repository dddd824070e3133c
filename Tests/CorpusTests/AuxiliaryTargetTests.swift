import Corpus
import FeatureStore
import Fbank
import Foundation
import Testing
import _TestSupport

/// An auxiliary TSV column (ST's `src_text`) travels into samples and batches, padded, with lengths.
@Suite struct AuxiliaryTargetTests {
    @Test func sourceTranscriptBecomesTheBatchsAuxiliaryTarget() throws {
        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dict = WhitespaceDictionaryEncoding(symbols: ["a", "b", "c", "x", "y"])
        var tsv = "id\taudio\tn_frames\ttgt_text\tsrc_text\n"
        for (i, (tgt, src)) in [("x y", "a b c"), ("y", "c")].enumerated() {
            try Data(Npy.encode(FeatureMatrix(rows: 5 + i, cols: 3, repeating: Float(i)))).write(to: dir.appendingPathComponent("f\(i).npy"))
            tsv += "u\(i)\tf\(i).npy\t\(5 + i)\t\(tgt)\t\(src)\n"
        }
        try tsv.write(to: dir.appendingPathComponent("st.tsv"), atomically: true, encoding: .utf8)
        let ds = try FairseqSpeechDataset(manifest: dir.appendingPathComponent("st.tsv").path, textEncoding: dict,
                                          auxiliaryText: (column: "src_text", encoding: dict))
        let (s0, s1) = (try ds.sample(0), try ds.sample(1))
        #expect(s0.auxiliaryTarget == [4, 5, 6] && s1.target == [8])
        let batch = try Collater().collate([(0, try ds.sample(0)), (1, try ds.sample(1))], training: false, seed: 1, epoch: 1)
        // Rows sorted by decreasing source length: u1 (6 frames) first.
        #expect(batch.ids == ["u1", "u0"])
        #expect(batch.auxiliaryTarget?.tokens.scalars == [6, 1, 1, 4, 5, 6] && batch.auxiliaryTarget?.lengths == [1, 3])
        #expect(throws: CorpusError.self) {
            try FairseqSpeechDataset(manifest: dir.appendingPathComponent("st.tsv").path, textEncoding: dict,
                                     auxiliaryText: (column: "transcript", encoding: dict))
        }
    }
}
