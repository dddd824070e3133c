/// The constructor arguments of the reference attention modules, under their reference names
/// (spec/mtla.md §0, §3.1): `embed_dim`, `num_heads`, `num_kv_heads`, `q_lora_rank`, `kv_lora_rank`,
/// `qk_nope_head_dim`, `qk_rope_head_dim`, `v_head_dim`, `down_rate`, `bias`, `dropout`.
///
/// Decoding a reference `constructor_kwargs` object works directly (unknown keys such as
/// `recompute_prompt_attn` are ignored). Defaults are those of the reference (§1.7) and live here
/// only; `bias` and `num_kv_heads` default per variant (see `resolved(for:)`).
public struct AttentionConfig: Codable, Sendable, Equatable {
    public var embedDim: Int
    public var numHeads: Int
    /// KV heads of GQA/MQA (nil: MHA n_h, GQA 2, MQA 1).
    public var numKvHeads: Int?
    public var qLoraRank: Int
    public var kvLoraRank: Int
    public var qkNopeHeadDim: Int
    public var qkRopeHeadDim: Int
    public var vHeadDim: Int
    /// MTLA's temporal compression ratio s ≥ 1.
    public var downRate: Int
    /// Biased projections (nil: true for MHA/GQA/MQA, false for MLA/MTLA, as the reference layers).
    public var bias: Bool?
    /// Dropout on the attention weights in training (applied inside the fused kernel).
    public var dropout: Float

    enum CodingKeys: String, CodingKey {
        case embedDim = "embed_dim", numHeads = "num_heads", numKvHeads = "num_kv_heads", qLoraRank = "q_lora_rank"
        case kvLoraRank = "kv_lora_rank", qkNopeHeadDim = "qk_nope_head_dim", qkRopeHeadDim = "qk_rope_head_dim"
        case vHeadDim = "v_head_dim", downRate = "down_rate", bias, dropout
    }

    public init(embedDim: Int = 512, numHeads: Int = 8, numKvHeads: Int? = nil, qLoraRank: Int = 0, kvLoraRank: Int = 256,
                qkNopeHeadDim: Int = 64, qkRopeHeadDim: Int = 32, vHeadDim: Int = 64, downRate: Int = 2,
                bias: Bool? = nil, dropout: Float = 0) {
        self.embedDim = embedDim
        self.numHeads = numHeads
        self.numKvHeads = numKvHeads
        self.qLoraRank = qLoraRank
        self.kvLoraRank = kvLoraRank
        self.qkNopeHeadDim = qkNopeHeadDim
        self.qkRopeHeadDim = qkRopeHeadDim
        self.vHeadDim = vHeadDim
        self.downRate = downRate
        self.bias = bias
        self.dropout = dropout
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = AttentionConfig()
        self.init(embedDim: try c.decode(Int.self, forKey: .embedDim), numHeads: try c.decode(Int.self, forKey: .numHeads),
                  numKvHeads: try c.decodeIfPresent(Int.self, forKey: .numKvHeads),
                  qLoraRank: try c.decodeIfPresent(Int.self, forKey: .qLoraRank) ?? d.qLoraRank,
                  kvLoraRank: try c.decodeIfPresent(Int.self, forKey: .kvLoraRank) ?? d.kvLoraRank,
                  qkNopeHeadDim: try c.decodeIfPresent(Int.self, forKey: .qkNopeHeadDim) ?? d.qkNopeHeadDim,
                  qkRopeHeadDim: try c.decodeIfPresent(Int.self, forKey: .qkRopeHeadDim) ?? d.qkRopeHeadDim,
                  vHeadDim: try c.decodeIfPresent(Int.self, forKey: .vHeadDim) ?? d.vHeadDim,
                  downRate: try c.decodeIfPresent(Int.self, forKey: .downRate) ?? d.downRate,
                  bias: try c.decodeIfPresent(Bool.self, forKey: .bias),
                  dropout: try c.decodeIfPresent(Float.self, forKey: .dropout) ?? 0)
    }

    /// MHA/GQA/MQA head dim d_h = embed_dim / num_heads.
    public var headDim: Int { embedDim / numHeads }
    /// MLA/MTLA per-head query/key dim d_n + d_R.
    public var qkHeadDim: Int { qkNopeHeadDim + qkRopeHeadDim }

    /// This config with the per-variant defaults filled in (`bias`, `num_kv_heads`), validated.
    /// - Throws: `AttentionError` naming the first invalid field.
    public func resolved(for kind: AttentionKind) throws -> AttentionConfig {
        var r = self
        func positive(_ field: String, _ v: Int) throws { if v <= 0 { throw AttentionError.nonPositive(field: field, value: v) } }
        try positive("embed_dim", embedDim)
        try positive("num_heads", numHeads)
        switch kind {
        case .mha, .gqa, .mqa:
            r.bias = bias ?? true
            let g = numKvHeads ?? (kind == .mha ? numHeads : kind == .gqa ? 2 : 1)
            r.numKvHeads = g
            try positive("num_kv_heads", g)
            if kind == .mqa && g != 1 { throw AttentionError.mqaNeedsOneKvHead(numKvHeads: g) }
            guard embedDim % numHeads == 0 else { throw AttentionError.embedDimNotDivisible(embedDim: embedDim, numHeads: numHeads) }
            guard numHeads % g == 0 else { throw AttentionError.headsNotDivisible(numHeads: numHeads, numKvHeads: g) }
            if headDim % 2 != 0 { throw AttentionError.oddDimension(field: "head_dim", value: headDim) }
        case .mla, .mtla:
            r.bias = bias ?? false
            r.numKvHeads = nil
            if qLoraRank < 0 { throw AttentionError.nonPositive(field: "q_lora_rank", value: qLoraRank) }
            try positive("kv_lora_rank", kvLoraRank)
            try positive("qk_nope_head_dim", qkNopeHeadDim)
            try positive("qk_rope_head_dim", qkRopeHeadDim)
            try positive("v_head_dim", vHeadDim)
            if qkRopeHeadDim % 2 != 0 { throw AttentionError.oddDimension(field: "qk_rope_head_dim", value: qkRopeHeadDim) }
            if kind == .mtla {
                try positive("down_rate", downRate)
                if kvLoraRank % 2 != 0 { throw AttentionError.oddDimension(field: "kv_lora_rank", value: kvLoraRank) }
                if kvLoraRank / 4 == 0 { throw AttentionError.hyperNetworkTooNarrow(kvLoraRank: kvLoraRank) }
            }
        }
        return r
    }
}
