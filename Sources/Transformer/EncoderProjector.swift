import Autograd
import NN
import SeededRandom
import TensorCore

/// The reference's `EncoderProjectorConcat` (spec §4.1): drop T mod k frames, stack k consecutive
/// frames, `linear1` (k·d_enc → d/2), ReLU, `linear2` (d/2 → d). No dropout, no LayerNorm.
/// Encoder states (B, T, d_enc) → prefix (B, ⌊T/k⌋, d). k = 1 in every reference arch.
public final class EncoderProjector: Module {
    public let linear1: Linear, linear2: Linear
    public let rate: Int

    public init<G: RandomNumberGenerator>(rate: Int, encoderDim: Int, decoderDim: Int, generator: inout G) {
        self.rate = rate
        linear1 = Linear(encoderDim * rate, decoderDim / 2, generator: &generator)
        linear2 = Linear(decoderDim / 2, decoderDim, generator: &generator)
    }

    public var children: [(String, any Module)] { [("linear1", linear1), ("linear2", linear2)] }

    public func callAsFunction(_ x: Variable, on tape: Tape) -> Variable {
        let (b, t, d) = (x.shape[0], x.shape[1], x.shape[2]), n = t / rate
        var stacked = x
        if rate > 1 {
            stacked = tape.reshape(tape.slice(x, axis: 1, start: 0, length: n * rate), [b, n, d * rate])
        }
        return linear2(tape.relu(linear1(stacked, on: tape)), on: tape)
    }

    /// Valid prefix rows of each input row with `lengths` valid frames: output row j is real when its
    /// last stacked frame j·k + k − 1 is (the reference subsamples the padding mask at those frames).
    public func outputLengths(_ lengths: [Int32], time t: Int) -> [Int] {
        lengths.map { min(Int($0) / rate, t / rate) }
    }
}
