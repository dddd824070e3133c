import Autograd
import SeededRandom
import TensorCore

/// A `nn.Conv1d` layer: `weight` (out, in, kernel), `bias` (out); (B, in, T) → (B, out, T').
public final class Conv1d: Module {
    public let weight: Variable
    public let bias: Variable?
    public let stride: Int
    public let padding: Int

    /// PyTorch's default init (kaiming-uniform a=√5, fan_in = in·kernel) from `generator`.
    public init<G: RandomNumberGenerator>(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1,
                                          padding: Int = 0, bias: Bool = true, generator: inout G) {
        let fanIn = inChannels * kernel
        weight = Variable(Initializers.kaimingUniformA5([outChannels, inChannels, kernel], fanIn: fanIn, using: &generator),
                          requiresGrad: true)
        self.bias = bias ? Variable(Initializers.fanInUniform([outChannels], fanIn: fanIn, using: &generator),
                                    requiresGrad: true) : nil
        self.stride = stride
        self.padding = padding
    }

    public var localParameters: [(String, Variable)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }

    public func callAsFunction(_ x: Variable, on tape: Tape) -> Variable {
        tape.conv1d(x, weight: weight, bias: bias, stride: stride, padding: padding)
    }
}

/// fairseq's speech-to-text `Conv1dSubsampler`: convolutions with stride 2 and padding k/2, each
/// followed by a GLU over channels (halving them). Layer i maps in (i = 0) or mid/2 channels to mid
/// channels (2·out for the last layer); parameters `conv_layers.N.weight` / `conv_layers.N.bias`.
///
/// Input (B, T, in) with lengths (B) → output (T', B, out) (fairseq's time-major layout) and the
/// output lengths, each `floor((L − 1)/2 + 1)` per layer as fairseq's `get_out_seq_lens_tensor`.
/// Like fairseq, padded frames are not masked unless `maskingPadding` is set (see `callAsFunction`).
public final class Conv1dSubsampler: Module {
    public let convLayers: ModuleList<Conv1d>

    /// fairseq's default for s2t_transformer is `kernelSizes: [5, 5]`.
    public init<G: RandomNumberGenerator>(inChannels: Int, midChannels: Int, outChannels: Int,
                                          kernelSizes: [Int] = [5, 5], generator: inout G) {
        precondition(!kernelSizes.isEmpty && midChannels % 2 == 0, "Conv1dSubsampler: kernels and even mid channels needed")
        let n = kernelSizes.count
        var layers: [Conv1d] = []
        for (i, k) in kernelSizes.enumerated() {
            layers.append(Conv1d(i == 0 ? inChannels : midChannels / 2, i < n - 1 ? midChannels : outChannels * 2,
                                 kernel: k, stride: 2, padding: k / 2, generator: &generator))
        }
        convLayers = ModuleList(layers)
    }

    public var children: [(String, any Module)] { [("conv_layers", convLayers)] }

    /// Output lengths as fairseq computes them: per layer `floor((L − 1)/2 + 1)` in floating point.
    public func outputLengths(_ lengths: [Int32]) -> [Int32] {
        lengths.map { l in
            var x = Double(l)
            for _ in 0..<convLayers.count { x = ((x - 1) / 2 + 1).rounded(.down) }
            return Int32(x)
        }
    }

    /// `x` (B, T, in), `lengths` (B) → ((T', B, out), lengths (B)).
    ///
    /// `maskingPadding` (the model's choice): padded input frames and, after each layer, outputs past
    /// the layer's valid length are set to zero, so the next convolution reads zeros there exactly as
    /// it reads its zero padding when the row is alone; a row's output then does not depend on the
    /// batch it is in. Without it (fairseq), padded frames enter the convolutions as they are.
    public func callAsFunction(_ x: Variable, lengths: [Int32], maskingPadding: Bool = false, on tape: Tape) -> (Variable, [Int32]) {
        precondition(x.value.rank == 3 && lengths.count == x.shape[0], "Conv1dSubsampler: x (B, T, C) and B lengths expected")
        var h = tape.transpose(x, 1, 2)                     // (B, C, T)
        var valid = lengths
        if maskingPadding { h = Self.zeroingPadding(h, lengths: valid, on: tape) }
        for conv in convLayers.items {
            h = tape.glu(conv(h, on: tape), axis: 1)       // (B, C', T')
            valid = valid.map { l in Int32(((Double(l) - 1) / 2 + 1).rounded(.down)) }
            if maskingPadding { h = Self.zeroingPadding(h, lengths: valid, on: tape) }
        }
        return (tape.permute(h, [2, 0, 1]), outputLengths(lengths))  // (T', B, C')
    }

    /// h (B, C, T) with columns t ≥ lengths[b] set to zero (nothing to do when no row is padded).
    static func zeroingPadding(_ h: Variable, lengths: [Int32], on tape: Tape) -> Variable {
        let (b, t) = (h.shape[0], h.shape[2])
        guard lengths.contains(where: { Int($0) < t }) else { return h }
        let keep = Tensor(shape: [b, 1, t], scalars: lengths.flatMap { l in (0..<t).map { $0 < Int(l) ? Float(1) : 0 } })
        return tape.mul(h, Variable(keep))
    }
}
