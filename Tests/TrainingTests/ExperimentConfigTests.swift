import Testing
import Training
import Transformer

@Suite struct ExperimentConfigTests {
    static let yaml = """
        task: asr
        seed: 7
        threads: 2
        model:
          decoder_att_type: MLA
          decoder_layers: 3
          ctc_weight: 1.0
        data:
          root: data/ami
          train: train.tsv
          spm_model: spm_bpe100.model
          max_tokens: 20000
        optimization:
          lr: 0.0002
          warmup_updates: 15000
          clip_norm: 1.0
          update_freq: 4
        criterion:
          ctc_weight: 1.0
        generation:
          beam: 20
        """

    @Test func readsSectionsKeepsDefaultsAndAppliesOverrides() throws {
        let c = try ExperimentConfig.parse(Self.yaml, overrides: ["model.decoder_down_rate=3", "optimization.lr=1e-3", "seed=11",
                                                                  "model.decoder_att_type=MTLA"])
        #expect(c.task == .asr && c.seed == 11 && c.threads == 2)
        #expect(c.model.decoderAttType == "MTLA" && c.model.decoderLayers == 3 && c.model.decoderDownRate == 3)
        #expect(c.model.decoderEmbedDim == 512 && c.data.cmvn == "utterance" && c.data.maxTokens == 20_000)
        #expect(c.optimization.lr == 1e-3 && c.optimization.updateFreq == 4 && c.optimization.adamBetas == [0.9, 0.999])
        #expect(c.criterion.ctcWeight == 1 && c.criterion.labelSmoothing == 0.1 && c.generation.beam == 20 && c.generation.lenpen == 1)
        let options = c.trainerOptions
        #expect(options.lr == 1e-3 && options.clipNorm == 1 && options.loss.ctcWeight == 1)
        // The resolved YAML reads back to the same config.
        #expect(try ExperimentConfig.parse(try c.yaml()) == c)
    }

    @Test func unknownKeysAndBadValuesNameTheKey() throws {
        #expect { try ExperimentConfig.parse("model:\n  decoder_lyers: 3\n", file: "exp.yaml") } throws: {
            "\($0)".contains("exp.yaml: model.decoder_lyers") && "\($0)".contains("decoder_layers")
        }
        #expect { try ExperimentConfig.parse("optimisation:\n  lr: 1\n") } throws: { "\($0)".contains("optimisation") }
        #expect { try ExperimentConfig.parse("optimization:\n  lr: fast\n") } throws: { "\($0)".contains("wrong type") }
        #expect { try ExperimentConfig.parse("model:\n  decoder_att_type: GQA\n  decoder_num_kv_heads: 3\n") } throws: { _ in true }
        #expect { try ExperimentConfig.parse("model:\n  decoder_down_rate: 0\n") } throws: { "\($0)".contains("down_rate") }
        #expect { try ExperimentConfig.parse("data:\n  cmvn: global\n") } throws: { "\($0)".contains("global_cmvn") }
        #expect { try ExperimentConfig.parse("", overrides: ["lr"]) } throws: { "\($0)".contains("--set") }
    }
}

import Corpus
import Foundation
import _TestSupport

@Suite struct RawAudioConfigTests {
    /// `data.speed_perturbation` and the filterbank keys reach the on-the-fly features: the training set
    /// draws 0.9 or 1.1 per utterance and epoch (lengths of the resampled audio, never the original),
    /// validation is never perturbed, and `num_mel_bins` sets the feature width.
    @Test func speedPerturbationAndFbankOptionsReachTheFeatures() throws {
        let config = try ExperimentConfig.parse("""
            task: asr
            data:
              format: kaldi
              speed_perturbation: [0.9, 1.1]
              num_mel_bins: 40
            """)
        let dir = try TestData.temporaryDirectory("raw-audio-config")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = TestData.url("fixtures/audio/es03_16.wav").path
        try "utt1 \(wav)\n".write(to: dir.appendingPathComponent("wav.scp"), atomically: true, encoding: .utf8)
        try "utt1 hello\n".write(to: dir.appendingPathComponent("text"), atomically: true, encoding: .utf8)
        let dict = WhitespaceDictionaryEncoding(symbols: ["hello"])
        let train = try KaldiSpeechDataset(directory: dir.path, textEncoding: dict, featureSource: config.data.audioFeatures(seed: 7, perturb: true))
        let valid = try KaldiSpeechDataset(directory: dir.path, textEncoding: dict, featureSource: config.data.audioFeatures(seed: 7, perturb: false))
        let plain = valid.sourceLength(0)
        guard case let .features(m) = try valid.sample(0, epoch: 1).source else { Issue.record("features expected"); return }
        #expect(m.cols == 40)
        var seen = Set<Int>()
        for epoch in 1...12 {
            let s = try train.sample(0, epoch: epoch)
            #expect(s.source.length == train.sourceLength(0, epoch: epoch))
            seen.insert(s.source.length)
            #expect(try valid.sample(0, epoch: epoch).source.length == plain)
        }
        #expect(seen.count == 2 && !seen.contains(plain), "lengths \(seen) vs unperturbed \(plain)")
        #expect(throws: TrainingError.self) {
            try ExperimentConfig.parse("data:\n  speed_perturbation: [0.0, 1.0]\n")
        }
    }
}
