import Autograd
import TensorCore

/// What an encoder hands the decoder: `states` (B, T, d), batch-major (fairseq keeps them time-major),
/// and the valid frames of each row (`lengths`, B); frames t ≥ lengths[b] are padding.
public struct EncoderOutput {
    public var states: Variable
    public var lengths: [Int32]

    public init(states: Variable, lengths: [Int32]) {
        self.states = states
        self.lengths = lengths
    }

    public var lengthTensor: Int32Tensor { Int32Tensor(shape: [lengths.count], scalars: lengths) }
}
