import Corpus
import Fbank
import Foundation
import Testing
import _TestSupport

@Suite struct FairseqDataConfigTests {
    /// MuST-C's `config_st.yaml` as `gen_config_yaml` writes it (PyYAML block style, lists at the
    /// key's indentation), with a global CMVN section pointing at numpy's own npz.
    @Test func mustcConfig() throws {
        let dir = try TestData.temporaryDirectory("cfg")
        defer { try? FileManager.default.removeItem(at: dir) }
        let gcmvn = TestData.url("fixtures/zip/gcmvn_numpy.npz").path
        let yaml = """
        bpe_tokenizer:
          bpe: sentencepiece
          sentencepiece_model: spm_unigram8000_st.model
        global_cmvn:
          stats_npz_path: \(gcmvn)
        input_channels: 1
        input_feat_per_channel: 80
        specaugment:
          freq_mask_F: 27
          freq_mask_N: 1
          time_mask_N: 1
          time_mask_T: 100
          time_mask_p: 1.0
          time_wrap_W: 0   # sic: fairseq reads time_warp_W
        transforms:
          '*':
          - utterance_cmvn
          _train:
          - utterance_cmvn
          - specaugment
          dev: [global_cmvn]
        vocab_filename: spm_unigram8000_st.txt
        """
        let path = try write(yaml, dir, "config_st.yaml")
        let c = try FairseqDataConfig.read(path: path)
        #expect(c.vocabularyPath == dir.appendingPathComponent("spm_unigram8000_st.txt").path)
        #expect(c.bpeTokenizer == ["bpe": "sentencepiece", "sentencepiece_model": "spm_unigram8000_st.model"])
        #expect(c.inputFeaturesPerChannel == 80 && c.inputChannels == 1 && !c.useAudioInput)
        #expect(c.specAugment == SpecAugment())  // the "lb" policy
        #expect(c.featureTransformNames(split: "train_st", isTrain: true) == ["utterance_cmvn", "specaugment"])
        #expect(c.featureTransformNames(split: "tst-COMMON_st", isTrain: false) == ["utterance_cmvn"])
        #expect(c.featureTransformNames(split: "dev", isTrain: false) == ["global_cmvn"])
        #expect(try c.featureTransforms(split: "train_st", isTrain: true) == .fairseqSpeech)
        #expect(try c.featureTransforms(split: "x", isTrain: false) == FeatureTransforms(utteranceCMVN: UtteranceCMVN()))
        let g = try c.featureTransforms(split: "dev", isTrain: false).globalCMVN
        #expect(g?.mean.count == 80 && g?.mean[2] == -2)
        // Unsupported transforms and YAML are named.
        let bad = try write("transforms:\n  '*': [delta_deltas]\n", dir, "bad.yaml")
        #expect(throws: CorpusError.invalidOption(name: "transforms", reason: "unsupported feature transform 'delta_deltas' (have utterance_cmvn, global_cmvn, specaugment)")) {
            try FairseqDataConfig.read(path: bad).featureTransforms(split: "train", isTrain: true)
        }
        let broken = try write("a: 1\njust text\n", dir, "broken.yaml")
        #expect { try FairseqDataConfig.read(path: broken) } throws: { error in
            guard case let .badLine(path, line, _) = error as? CorpusError else { return false }
            return path == broken && (2...3).contains(line)   // the scanner reports the line where it gave up
        }
    }
}
