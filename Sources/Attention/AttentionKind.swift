/// The self-attention variants the toolkit builds (spec/mtla.md §1): multi-head, grouped-query,
/// multi-query, multi-head latent (DeepSeek-V2) and multi-head temporal latent attention.
///
/// The one `switch` over these cases lives in the attention factory; everything else receives a
/// resolved variant.
public enum AttentionKind: String, CaseIterable, Sendable, Codable {
    case mha, gqa, mqa, mla, mtla

    /// Parses a reference name case-insensitively (`"MHA"`, `"mtla"`, …).
    public init?(caseInsensitive name: String) {
        self.init(rawValue: name.lowercased())
    }
}
