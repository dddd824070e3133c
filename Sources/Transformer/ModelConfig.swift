import Foundation
import Attention

/// The model's hyper-parameters under the reference (fairseq) argument names (spec/mtla.md §4), so a
/// config reads like the reference recipes' command lines: `decoder_layers`, `decoder_embed_dim`,
/// `decoder_kv_lora_rank`, `decoder_down_rate`, …. The architecture is data: the attention variant is
/// the field `decoder_att_type`. Defaults (the speech-translation arch of §4.4) live here only; a JSON
/// object may omit any key. `validated()` checks the combination and throws `ModelError`.
public struct ModelConfig: Codable, Sendable, Equatable {
    /// What the encoder reads.
    public enum InputMode: String, Codable, Sendable { case speech, text }
    /// Which encoder layers (speech input only; text input always uses Transformer layers).
    public enum EncoderType: String, Codable, Sendable { case transformer, conformer }

    public var inputMode: InputMode = .speech
    // Speech front end (fairseq `S2TTransformerEncoder`).
    public var inputFeatPerChannel = 80
    public var inputChannels = 1
    /// Kernel sizes of the Conv1d subsampler, comma-separated as fairseq's `--conv-kernel-sizes`.
    public var convKernelSizes = "5,5"
    public var convChannels = 1024
    // Encoder.
    public var encoderType: EncoderType = .transformer
    public var encoderLayers = 12
    public var encoderEmbedDim = 512
    public var encoderFfnEmbedDim = 2048
    public var encoderAttentionHeads = 8
    /// Pre-LN layers and a final `encoder.layer_norm` (speech); post-LN without it (fairseq's text default).
    public var encoderNormalizeBefore = true
    /// Conformer depthwise convolution kernel.
    public var depthwiseConvKernelSize = 31
    public var maxSourcePositions = 6000
    /// Disables the √d embedding scale of the encoder and the decoder (fairseq `--no-scale-embedding`).
    public var noScaleEmbedding = false
    // Decoder-only part.
    public var decoderLayers = 9
    public var decoderEmbedDim = 512
    public var decoderFfnEmbedDim = 2048
    public var decoderAttentionHeads = 8
    /// MHA, GQA, MQA, MLA or MTLA (case-insensitive).
    public var decoderAttType = "MTLA"
    /// KV heads of GQA/MQA (nil: the reference's 2 and 1).
    public var decoderNumKvHeads: Int? = nil
    public var decoderQLoraRank = 0
    public var decoderKvLoraRank = 256
    public var decoderQkNopeHeadDim = 64
    public var decoderQkRopeHeadDim = 32
    public var decoderVHeadDim = 64
    public var decoderDownRate = 2
    /// A final `decoder.layer_norm` after the last layer (speech archs); absent for the XSum arch.
    public var decoderNormalizeBefore = true
    /// Ties `decoder.output_projection.weight` to `decoder.embed_tokens.weight`.
    public var shareDecoderInputOutputEmbed = false
    /// fairseq's `--share-all-embeddings` (text input only): the encoder's `embed_tokens` is the decoder's
    /// (one table over the joined dictionary), and so is the output projection (`validated()` sets
    /// `share_decoder_input_output_embed`, as fairseq does).
    public var shareAllEmbeddings = false
    /// Frames stacked by the projector (k = 1 in every reference arch).
    public var encoderProjectorDsRate = 1
    /// > 0 adds the CTC head `encoder.ctc_proj` (its weight in the loss belongs to training).
    public var ctcWeight: Float = 0
    public var dropout: Float = 0.15
    public var attentionDropout: Float = 0.15
    public var activationDropout: Float = 0.15
    // Vocabulary (fairseq dictionary conventions).
    public var vocabSize = 8000
    /// Source vocabulary of the text-input encoder (nil: `vocab_size`, a joined dictionary).
    public var sourceVocabSize: Int? = nil
    public var paddingIdx: Int32 = 1
    public var bos: Int32 = 0
    public var eos: Int32 = 2
    public var unk: Int32 = 3

    public init() {}

    /// The JSON/YAML keys (for unknown-key errors).
    public static let keys = Set(CodingKeys.allCases.map(\.rawValue))

    enum CodingKeys: String, CodingKey, CaseIterable {
        case inputMode = "input_mode", inputFeatPerChannel = "input_feat_per_channel", inputChannels = "input_channels"
        case convKernelSizes = "conv_kernel_sizes", convChannels = "conv_channels", encoderType = "encoder_type"
        case encoderLayers = "encoder_layers", encoderEmbedDim = "encoder_embed_dim"
        case encoderFfnEmbedDim = "encoder_ffn_embed_dim", encoderAttentionHeads = "encoder_attention_heads"
        case encoderNormalizeBefore = "encoder_normalize_before", depthwiseConvKernelSize = "depthwise_conv_kernel_size"
        case maxSourcePositions = "max_source_positions", noScaleEmbedding = "no_scale_embedding"
        case decoderLayers = "decoder_layers", decoderEmbedDim = "decoder_embed_dim"
        case decoderFfnEmbedDim = "decoder_ffn_embed_dim", decoderAttentionHeads = "decoder_attention_heads"
        case decoderAttType = "decoder_att_type", decoderNumKvHeads = "decoder_num_kv_heads"
        case decoderQLoraRank = "decoder_q_lora_rank", decoderKvLoraRank = "decoder_kv_lora_rank"
        case decoderQkNopeHeadDim = "decoder_qk_nope_head_dim", decoderQkRopeHeadDim = "decoder_qk_rope_head_dim"
        case decoderVHeadDim = "decoder_v_head_dim", decoderDownRate = "decoder_down_rate"
        case decoderNormalizeBefore = "decoder_normalize_before"
        case shareDecoderInputOutputEmbed = "share_decoder_input_output_embed", shareAllEmbeddings = "share_all_embeddings"
        case encoderProjectorDsRate = "encoder_projector_ds_rate", ctcWeight = "ctc_weight", dropout
        case attentionDropout = "attention_dropout", activationDropout = "activation_dropout"
        case vocabSize = "vocab_size", sourceVocabSize = "source_vocab_size", paddingIdx = "padding_idx", bos, eos, unk
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var m = ModelConfig()
        func read<T: Decodable>(_ key: CodingKeys, _ path: WritableKeyPath<ModelConfig, T>) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { m[keyPath: path] = v }
        }
        try read(.inputMode, \.inputMode); try read(.inputFeatPerChannel, \.inputFeatPerChannel)
        try read(.inputChannels, \.inputChannels); try read(.convKernelSizes, \.convKernelSizes)
        try read(.convChannels, \.convChannels); try read(.encoderType, \.encoderType)
        try read(.encoderLayers, \.encoderLayers); try read(.encoderEmbedDim, \.encoderEmbedDim)
        try read(.encoderFfnEmbedDim, \.encoderFfnEmbedDim); try read(.encoderAttentionHeads, \.encoderAttentionHeads)
        try read(.encoderNormalizeBefore, \.encoderNormalizeBefore)
        try read(.depthwiseConvKernelSize, \.depthwiseConvKernelSize)
        try read(.maxSourcePositions, \.maxSourcePositions); try read(.noScaleEmbedding, \.noScaleEmbedding)
        try read(.decoderLayers, \.decoderLayers); try read(.decoderEmbedDim, \.decoderEmbedDim)
        try read(.decoderFfnEmbedDim, \.decoderFfnEmbedDim); try read(.decoderAttentionHeads, \.decoderAttentionHeads)
        try read(.decoderAttType, \.decoderAttType)
        if let g = try c.decodeIfPresent(Int.self, forKey: .decoderNumKvHeads) { m.decoderNumKvHeads = g }
        try read(.decoderQLoraRank, \.decoderQLoraRank); try read(.decoderKvLoraRank, \.decoderKvLoraRank)
        try read(.decoderQkNopeHeadDim, \.decoderQkNopeHeadDim); try read(.decoderQkRopeHeadDim, \.decoderQkRopeHeadDim)
        try read(.decoderVHeadDim, \.decoderVHeadDim); try read(.decoderDownRate, \.decoderDownRate)
        try read(.decoderNormalizeBefore, \.decoderNormalizeBefore)
        try read(.shareDecoderInputOutputEmbed, \.shareDecoderInputOutputEmbed); try read(.shareAllEmbeddings, \.shareAllEmbeddings)
        try read(.encoderProjectorDsRate, \.encoderProjectorDsRate); try read(.ctcWeight, \.ctcWeight)
        try read(.dropout, \.dropout); try read(.attentionDropout, \.attentionDropout)
        try read(.activationDropout, \.activationDropout); try read(.vocabSize, \.vocabSize)
        if let v = try c.decodeIfPresent(Int.self, forKey: .sourceVocabSize) { m.sourceVocabSize = v }
        try read(.paddingIdx, \.paddingIdx); try read(.bos, \.bos); try read(.eos, \.eos); try read(.unk, \.unk)
        self = m
    }

    /// Writes every key, optional ones as `null`, so a written config is complete.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(inputMode, forKey: .inputMode); try c.encode(inputFeatPerChannel, forKey: .inputFeatPerChannel)
        try c.encode(inputChannels, forKey: .inputChannels); try c.encode(convKernelSizes, forKey: .convKernelSizes)
        try c.encode(convChannels, forKey: .convChannels); try c.encode(encoderType, forKey: .encoderType)
        try c.encode(encoderLayers, forKey: .encoderLayers); try c.encode(encoderEmbedDim, forKey: .encoderEmbedDim)
        try c.encode(encoderFfnEmbedDim, forKey: .encoderFfnEmbedDim); try c.encode(encoderAttentionHeads, forKey: .encoderAttentionHeads)
        try c.encode(encoderNormalizeBefore, forKey: .encoderNormalizeBefore)
        try c.encode(depthwiseConvKernelSize, forKey: .depthwiseConvKernelSize)
        try c.encode(maxSourcePositions, forKey: .maxSourcePositions); try c.encode(noScaleEmbedding, forKey: .noScaleEmbedding)
        try c.encode(decoderLayers, forKey: .decoderLayers); try c.encode(decoderEmbedDim, forKey: .decoderEmbedDim)
        try c.encode(decoderFfnEmbedDim, forKey: .decoderFfnEmbedDim); try c.encode(decoderAttentionHeads, forKey: .decoderAttentionHeads)
        try c.encode(decoderAttType, forKey: .decoderAttType); try c.encode(decoderNumKvHeads, forKey: .decoderNumKvHeads)
        try c.encode(decoderQLoraRank, forKey: .decoderQLoraRank); try c.encode(decoderKvLoraRank, forKey: .decoderKvLoraRank)
        try c.encode(decoderQkNopeHeadDim, forKey: .decoderQkNopeHeadDim); try c.encode(decoderQkRopeHeadDim, forKey: .decoderQkRopeHeadDim)
        try c.encode(decoderVHeadDim, forKey: .decoderVHeadDim); try c.encode(decoderDownRate, forKey: .decoderDownRate)
        try c.encode(decoderNormalizeBefore, forKey: .decoderNormalizeBefore)
        try c.encode(shareDecoderInputOutputEmbed, forKey: .shareDecoderInputOutputEmbed)
        try c.encode(shareAllEmbeddings, forKey: .shareAllEmbeddings)
        try c.encode(encoderProjectorDsRate, forKey: .encoderProjectorDsRate); try c.encode(ctcWeight, forKey: .ctcWeight)
        try c.encode(dropout, forKey: .dropout); try c.encode(attentionDropout, forKey: .attentionDropout)
        try c.encode(activationDropout, forKey: .activationDropout); try c.encode(vocabSize, forKey: .vocabSize)
        try c.encode(sourceVocabSize, forKey: .sourceVocabSize); try c.encode(paddingIdx, forKey: .paddingIdx)
        try c.encode(bos, forKey: .bos); try c.encode(eos, forKey: .eos); try c.encode(unk, forKey: .unk)
    }

    /// The decoder's attention variant.
    /// - Throws: `ModelError.invalidConfig` for an unknown name.
    public func attentionKind() throws -> AttentionKind {
        guard let k = AttentionKind(caseInsensitive: decoderAttType) else {
            throw ModelError.invalidConfig(field: "decoder_att_type", value: decoderAttType,
                                           expected: AttentionKind.allCases.map { $0.rawValue.uppercased() }.joined(separator: ", "))
        }
        return k
    }

    /// The decoder attention's constructor arguments (spec §3.1 names), resolved for the variant.
    public func attentionConfig() throws -> AttentionConfig {
        let kind = try attentionKind()
        let c = AttentionConfig(embedDim: decoderEmbedDim, numHeads: decoderAttentionHeads, numKvHeads: decoderNumKvHeads,
                                qLoraRank: decoderQLoraRank, kvLoraRank: decoderKvLoraRank,
                                qkNopeHeadDim: decoderQkNopeHeadDim, qkRopeHeadDim: decoderQkRopeHeadDim,
                                vHeadDim: decoderVHeadDim, downRate: decoderDownRate, dropout: attentionDropout)
        do { return try c.resolved(for: kind) } catch { throw ModelError.invalidAttention("\(error)") }
    }

    /// The subsampler's kernel sizes parsed from `conv_kernel_sizes`.
    public func kernelSizes() throws -> [Int] {
        let parts = convKernelSizes.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ModelError.invalidConfig(field: "conv_kernel_sizes", value: convKernelSizes,
                                           expected: "comma-separated positive integers such as \"5,5\"")
        }
        return parts.map { $0! }
    }

    /// √d of the embeddings unless `no_scale_embedding`.
    func embedScale(_ dim: Int) -> Float { noScaleEmbedding ? 1 : Float(dim).squareRoot() }

    /// This config, checked. - Throws: `ModelError` naming the first invalid field.
    public func validated() throws -> ModelConfig {
        func positive(_ field: CodingKeys, _ v: Int) throws {
            if v <= 0 { throw ModelError.invalidConfig(field: field.rawValue, value: "\(v)", expected: "a positive integer") }
        }
        try positive(.encoderLayers, encoderLayers); try positive(.encoderEmbedDim, encoderEmbedDim)
        try positive(.encoderFfnEmbedDim, encoderFfnEmbedDim); try positive(.encoderAttentionHeads, encoderAttentionHeads)
        try positive(.decoderLayers, decoderLayers); try positive(.decoderEmbedDim, decoderEmbedDim)
        try positive(.decoderFfnEmbedDim, decoderFfnEmbedDim)
        if vocabSize <= 0 {
            throw ModelError.invalidConfig(field: "vocab_size", value: "\(vocabSize)",
                                           expected: "a positive size (0 is resolved from the dictionary by mtla train)")
        }
        try positive(.encoderProjectorDsRate, encoderProjectorDsRate); try positive(.maxSourcePositions, maxSourcePositions)
        if encoderEmbedDim % encoderAttentionHeads != 0 {
            throw ModelError.invalidConfig(field: "encoder_attention_heads", value: "\(encoderAttentionHeads)",
                                           expected: "a divisor of encoder_embed_dim \(encoderEmbedDim)")
        }
        if encoderEmbedDim < 4 || encoderEmbedDim % 2 != 0 {
            throw ModelError.invalidConfig(field: "encoder_embed_dim", value: "\(encoderEmbedDim)",
                                           expected: "an even size ≥ 4 (sinusoidal positions)")
        }
        for (key, id) in [(CodingKeys.paddingIdx, paddingIdx), (.bos, bos), (.eos, eos), (.unk, unk)]
        where id < 0 || Int(id) >= vocabSize {
            throw ModelError.invalidConfig(field: key.rawValue, value: "\(id)", expected: "an id below vocab_size \(vocabSize)")
        }
        for (key, p) in [(CodingKeys.dropout, dropout), (.attentionDropout, attentionDropout), (.activationDropout, activationDropout)]
        where !(0..<1).contains(p) {
            throw ModelError.invalidConfig(field: key.rawValue, value: "\(p)", expected: "a probability in [0, 1)")
        }
        switch inputMode {
        case .speech:
            try positive(.inputFeatPerChannel, inputFeatPerChannel); try positive(.inputChannels, inputChannels)
            try positive(.convChannels, convChannels)
            if convChannels % 2 != 0 {
                throw ModelError.invalidConfig(field: "conv_channels", value: "\(convChannels)", expected: "an even number (GLU halves it)")
            }
            _ = try kernelSizes()
            if encoderType == .conformer && (depthwiseConvKernelSize <= 0 || depthwiseConvKernelSize % 2 == 0) {
                throw ModelError.invalidConfig(field: "depthwise_conv_kernel_size", value: "\(depthwiseConvKernelSize)",
                                               expected: "a positive odd size (same padding)")
            }
        case .text:
            if let v = sourceVocabSize { try positive(.sourceVocabSize, v) }
            if encoderType == .conformer {
                throw ModelError.invalidConfig(field: "encoder_type", value: "conformer", expected: "transformer for text input")
            }
        }
        if shareAllEmbeddings {
            guard inputMode == .text else {
                throw ModelError.invalidConfig(field: "share_all_embeddings", value: "true", expected: "false for speech input (it shares the text encoder's table)")
            }
            guard encoderEmbedDim == decoderEmbedDim else {
                throw ModelError.invalidConfig(field: "share_all_embeddings", value: "true",
                                               expected: "encoder_embed_dim \(encoderEmbedDim) equal to decoder_embed_dim \(decoderEmbedDim)")
            }
            if let v = sourceVocabSize, v != vocabSize {
                throw ModelError.invalidConfig(field: "share_all_embeddings", value: "true",
                                               expected: "a joined dictionary (source_vocab_size \(v) differs from vocab_size \(vocabSize))")
            }
        }
        _ = try attentionConfig()
        var checked = self
        if shareAllEmbeddings { checked.shareDecoderInputOutputEmbed = true }   // fairseq implies it
        return checked
    }
}
