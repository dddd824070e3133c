import Foundation
import Autograd
import NN
import SeededRandom
import TensorCore
import Testing
import Transformer
import _TestSupport

/// Checkpoints: fairseq names (spec §3.3), the config travels with the weights, a round trip keeps
/// every output, and damaged files are refused with the offending name.
@Suite struct CheckpointTests {
    @Test func parameterNamesAreFairseqs() throws {
        let m = try randomModel(tinyConfig("MTLA"), seed: 1)
        let names = Set(m.stateDict().keys)
        for expected in ["encoder.subsample.conv_layers.0.weight", "encoder.subsample.conv_layers.1.bias",
                         "encoder.transformer_layers.0.self_attn.q_proj.weight", "encoder.transformer_layers.0.self_attn_layer_norm.bias",
                         "encoder.transformer_layers.0.fc1.weight", "encoder.transformer_layers.0.final_layer_norm.weight",
                         "encoder.layer_norm.weight", "encoder.ctc_proj.weight", "encoder.ctc_proj.bias",
                         "decoder.embed_tokens.weight", "decoder.layers.1.self_attn.wkv_a.weight",
                         "decoder.layers.1.self_attn.hypernet_down.fc_c.bias", "decoder.layers.0.self_attn_layer_norm.weight",
                         "decoder.layers.0.fc2.bias", "decoder.layers.0.final_layer_norm.bias", "decoder.layer_norm.weight",
                         "decoder.output_projection.weight", "decoder.projector.linear1.weight", "decoder.projector.linear2.bias"] {
            #expect(names.contains(expected), "missing \(expected)")
        }
        #expect(!names.contains { $0.contains("dropout") || $0.contains("ffn") })
        let mha = try randomModel(tinyConfig("MHA", text: true, tied: true), seed: 2)
        let mhaNames = Set(mha.stateDict().keys)
        #expect(mhaNames.isSuperset(of: ["encoder.embed_tokens.weight", "encoder.layers.0.self_attn.k_proj.bias",
                                         "decoder.layers.0.self_attn.out_proj.weight", "decoder.output_projection.weight"]))
        #expect(!mhaNames.contains("decoder.layer_norm.weight") && !mhaNames.contains("encoder.layer_norm.weight"))
        // Tied: one parameter under two names, counted once.
        let tied = mha.stateDictParameters().filter { $0.0 == "decoder.embed_tokens.weight" || $0.0 == "decoder.output_projection.weight" }
        #expect(tied.count == 2 && tied[0].1 === tied[1].1)
        #expect(mha.namedParameters().count == mha.stateDictParameters().count - 1)
    }

    @Test(arguments: ["MTLA", "GQA"]) func roundTripKeepsOutputs(_ kind: String) throws {
        let config = tinyConfig(kind, downRate: 3, tied: kind == "GQA")
        let m = try randomModel(config, seed: 3)
        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("model.safetensors")
        try ModelCheckpoint.save(m, to: url)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.json").path))
        #expect(throws: ModelError.self) { try ModelCheckpoint.save(m, to: url) }   // never clobbers
        let file = try SafeTensors.read(url)
        #expect(file.tensors["decoder.version"]?.scalars == [3])
        let loaded = try ModelCheckpoint.load(url)
        #expect(loaded.config == config)
        var g = Xoshiro256(seed: 4)
        let x = Tensor.randomNormal([2, 15, 6], using: &g)
        let tokens = Int32Tensor(shape: [2, 4], scalars: [2, 5, 6, 7, 2, 8, 9, 1])
        let tape = Tape(mode: .inference)
        let a = try m(.features(x, lengths: [15, 11]), prevTokens: tokens, on: tape).logits
        let b = try loaded(.features(x, lengths: [15, 11]), prevTokens: tokens, on: tape).logits
        #expect(a.value.scalars == b.value.scalars)
    }

    @Test func damagedCheckpointsNameTheProblem() throws {
        let m = try randomModel(tinyConfig("MLA"), seed: 5)
        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var tensors = m.stateDict()
        tensors["decoder.layers.1.self_attn.wkv_b.weight"] = nil
        let url = dir.appendingPathComponent("missing.safetensors")
        try SafeTensors.write(tensors, to: url)
        #expect(throws: NNError.missingParameter(path: "decoder.layers.1.self_attn.wkv_b.weight", file: url.path)) {
            try ModelCheckpoint.load(url, config: m.config)
        }
        #expect(throws: ModelError.self) { try ModelCheckpoint.load(url) }   // no config anywhere
        tensors = m.stateDict()
        tensors["decoder.projector.linear1.bias"] = Tensor(zeros: [3])
        let bad = dir.appendingPathComponent("shape.safetensors")
        try SafeTensors.write(tensors, to: bad)
        #expect(throws: NNError.self) { try ModelCheckpoint.load(bad, config: m.config) }
    }
}

@Suite struct ModelConfigTests {
    @Test func readsReferenceNamesAndKeepsDefaults() throws {
        let json = #"{"decoder_att_type": "mla", "decoder_layers": 3, "decoder_kv_lora_rank": 128, "vocab_size": 100,"#
            + #" "share_decoder_input_output_embed": true, "conv_kernel_sizes": "5", "decoder_num_kv_heads": null}"#
        let c = try JSONDecoder().decode(ModelConfig.self, from: Data(json.utf8)).validated()
        #expect(c.decoderLayers == 3 && c.decoderKvLoraRank == 128 && c.vocabSize == 100 && c.shareDecoderInputOutputEmbed)
        let kind = try c.attentionKind(), kernels = try c.kernelSizes()
        #expect(kind == .mla && kernels == [5])
        #expect(c.decoderEmbedDim == 512 && c.decoderDownRate == 2 && c.encoderLayers == 12)   // defaults
        let back = try JSONDecoder().decode(ModelConfig.self, from: try ModelCheckpoint.json(c))
        #expect(back == c)
    }

    @Test func invalidConfigsNameTheField() throws {
        var c = ModelConfig()
        c.decoderAttType = "flash"
        #expect(throws: ModelError.self) { try c.validated() }
        c = ModelConfig()
        c.encoderAttentionHeads = 7
        #expect { try c.validated() } throws: { "\($0)".contains("encoder_attention_heads") }
        c = ModelConfig()
        c.convKernelSizes = "5,x"
        #expect { try c.validated() } throws: { "\($0)".contains("conv_kernel_sizes") }
        c = ModelConfig()
        c.decoderAttType = "GQA"
        c.decoderNumKvHeads = 3
        #expect { try c.validated() } throws: { "\($0)".contains("num_kv_heads") || "\($0)".contains("divisible") }
        c = ModelConfig()
        c.vocabSize = 2
        #expect { try c.validated() } throws: { "\($0)".contains("eos") }
    }

    @Test func badInputIsAnErrorNotACrash() throws {
        let m = try randomModel(tinyConfig("MTLA"), seed: 6)
        let tape = Tape(mode: .inference)
        let x = Tensor(zeros: [1, 10, 6])
        #expect(throws: ModelError.self) { try m(.features(x, lengths: [11]), prevTokens: Int32Tensor(shape: [1, 1], repeating: 2), on: tape) }
        #expect(throws: ModelError.self) { try m(.features(x, lengths: [10]), prevTokens: Int32Tensor(shape: [1, 1], repeating: 11), on: tape) }
        #expect(throws: ModelError.self) { try m(.features(Tensor(zeros: [1, 10, 5]), lengths: [10]), prevTokens: Int32Tensor(shape: [1, 1], repeating: 2), on: tape) }
        #expect(throws: ModelError.self) { try m(.tokens(Int32Tensor(shape: [1, 3], repeating: 4), lengths: [3]), prevTokens: Int32Tensor(shape: [1, 1], repeating: 2), on: tape) }
    }
}
