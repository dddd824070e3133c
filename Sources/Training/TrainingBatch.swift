import TensorCore
import Transformer

/// One model-ready batch: the encoder input and the decoder's teacher-forcing pair (fairseq's
/// `net_input` and `target`). `prevOutputTokens` (B, S) is EOS + target tokens, `target` (B, S) the
/// target tokens + EOS, both right-padded with the pad id; `ids` name the utterances in errors.
public struct TrainingBatch {
    public var ids: [String]
    public var input: ModelInput
    public var prevOutputTokens: Int32Tensor
    public var target: Int32Tensor
    /// What the encoder's CTC head learns, when not the target: tokens (B, A) padded, lengths (B).
    public var ctcTarget: (tokens: Int32Tensor, lengths: [Int32])?

    public init(ids: [String], input: ModelInput, prevOutputTokens: Int32Tensor, target: Int32Tensor,
                ctcTarget: (tokens: Int32Tensor, lengths: [Int32])? = nil) {
        self.ids = ids
        self.input = input
        self.prevOutputTokens = prevOutputTokens
        self.target = target
        self.ctcTarget = ctcTarget
    }

    /// Non-pad target tokens (fairseq's `ntokens`, the sample size of the token-level losses).
    public func targetTokens(pad: Int32) -> Int { target.scalars.reduce(0) { $0 + ($1 == pad ? 0 : 1) } }
}
