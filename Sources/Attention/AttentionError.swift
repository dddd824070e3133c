/// Errors of the attention family: invalid configurations and misuse of caches. Each case names the
/// offending field and value so a config file can be fixed from the message alone.
public enum AttentionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A size that must be positive is not (`field` is the reference name, e.g. `kv_lora_rank`).
    case nonPositive(field: String, value: Int)
    /// `embed_dim` is not a multiple of `num_heads` (MHA/GQA/MQA need head_dim = embed_dim / num_heads).
    case embedDimNotDivisible(embedDim: Int, numHeads: Int)
    /// `num_heads` is not a multiple of `num_kv_heads`.
    case headsNotDivisible(numHeads: Int, numKvHeads: Int)
    /// A RoPE / sinusoid width must be even (interleaved pairs): `field` and its value.
    case oddDimension(field: String, value: Int)
    /// MQA was asked for with `num_kv_heads` other than 1.
    case mqaNeedsOneKvHead(numKvHeads: Int)
    /// The hyper-network width kv_lora_rank / 4 is zero.
    case hyperNetworkTooNarrow(kvLoraRank: Int)
    /// A cache of another variant (or another batch size) was passed to `step`.
    case cacheMismatch(expected: String, got: String)
    /// A reference case names a variant that is not one of mha, gqa, mqa, mla, mtla.
    case unknownVariant(String)
    /// A reference case lacks an input tensor (`x`, `position`).
    case missingTensor(String)
    /// Input shapes do not fit the configuration.
    case shapeMismatch(what: String, expected: [Int], got: [Int])

    public var description: String {
        switch self {
        case let .nonPositive(field, value): "attention config: \(field) must be positive, got \(value)"
        case let .embedDimNotDivisible(d, h): "attention config: embed_dim \(d) is not a multiple of num_heads \(h)"
        case let .headsNotDivisible(h, g): "attention config: num_heads \(h) is not a multiple of num_kv_heads \(g)"
        case let .oddDimension(field, value): "attention config: \(field) must be even (interleaved pairs), got \(value)"
        case let .mqaNeedsOneKvHead(g): "attention config: MQA has exactly one KV head, num_kv_heads is \(g)"
        case let .hyperNetworkTooNarrow(r): "attention config: kv_lora_rank \(r) gives a hyper-network of width r/4 = 0"
        case let .cacheMismatch(expected, got): "attention step: expected a \(expected) cache, got \(got)"
        case let .unknownVariant(v): "attention case: unknown variant '\(v)' (mha, gqa, mqa, mla, mtla)"
        case let .missingTensor(n): "attention case: no tensor '\(n)'"
        case let .shapeMismatch(what, expected, got): "attention: \(what) has shape \(got), expected \(expected)"
        }
    }
}
