import SeededRandom

/// Builds the attention layer of `kind` for `config`, parameters initialised as PyTorch's defaults
/// from `generator`. This is the only `switch` over `AttentionKind`.
/// - Throws: `AttentionError` when `config` is invalid for `kind`.
public func makeAttention<G: RandomNumberGenerator>(
    _ kind: AttentionKind, config: AttentionConfig, generator: inout G
) throws -> any SelfAttention {
    let resolved = try config.resolved(for: kind)
    switch kind {
    case .mha, .gqa, .mqa: return RotaryMultiheadAttention(kind: kind, config: resolved, generator: &generator)
    case .mla: return MultiheadLatentAttention(config: resolved, generator: &generator)
    case .mtla: return MultiheadTemporalLatentAttention(config: resolved, generator: &generator)
    }
}
