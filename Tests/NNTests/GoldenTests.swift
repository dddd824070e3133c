import Autograd
import NN
import SeededRandom
import TensorCore
import Testing

/// PyTorch 2.11 CPU numbers from Tools/golden/make_nn_goldens.py (Data/golden/nn/README.md).
@Suite struct NNGoldenTests {
    /// Linear(8→6) → LayerNorm → exact GELU. Tolerance 2e-5 absolute + 1e-5 relative: float32
    /// sums of 8–12 terms in another order (BLAS vs ATen), and the polynomial erf (≈1e-7 relative);
    /// values are O(1), so differences above ~1e-5 would mean a wrong formula, not rounding.
    @Test func linearLayerNormGeluBlock() throws {
        let g = try golden("block.safetensors")
        var rng = Xoshiro256(seed: 0)
        let linear = Linear(8, 6, generator: &rng), norm = LayerNorm(6)
        final class Block: Module {
            let linear: Linear, norm: LayerNorm
            init(_ l: Linear, _ n: LayerNorm) { linear = l; norm = n }
            var children: [(String, any Module)] { [("linear", linear), ("norm", norm)] }
        }
        let block = Block(linear, norm)
        try block.load(g, file: "block.safetensors", strict: false)   // the file also holds inputs and outputs
        let tape = Tape()
        let x = Variable(g["input"]!, requiresGrad: true)
        let y = tape.activation(norm(linear(x, on: tape), on: tape), .gelu)
        #expect(allClose(y.value, g["output"]!, atol: 2e-5, rtol: 1e-5, "output"))
        tape.backward(y, gradient: g["upstream"]!)
        #expect(allClose(x.grad!, g["grad.input"]!, atol: 2e-5, rtol: 1e-5, "grad.input"))
        for (path, p) in block.namedParameters() {
            #expect(allClose(p.grad!, g["grad." + path]!, atol: 2e-5, rtol: 1e-5, path))
        }
    }

    /// fairseq's Conv1dSubsampler (in 6, mid 8, out 4, kernels 5, 5) on (2, 11, 6), lengths (11, 8).
    /// Same tolerance reasoning (sums of 30–40 products per output).
    @Test func conv1dSubsampler() throws {
        let g = try golden("subsampler.safetensors")
        var rng = Xoshiro256(seed: 0)
        let m = Conv1dSubsampler(inChannels: 6, midChannels: 8, outChannels: 4, generator: &rng)
        try m.load(g, file: "subsampler.safetensors", strict: false)
        let tape = Tape()
        let x = Variable(g["input"]!, requiresGrad: true)
        let (y, lengths) = m(x, lengths: g["input_lengths"]!.scalars.map { Int32($0) }, on: tape)
        #expect(lengths.map { Float($0) } == g["output_lengths"]!.scalars)
        #expect(allClose(y.value, g["output"]!, atol: 2e-5, rtol: 1e-5, "output"))
        tape.backward(y, gradient: g["upstream"]!)
        #expect(allClose(x.grad!, g["grad.input"]!, atol: 2e-5, rtol: 1e-5, "grad.input"))
        for (path, p) in m.namedParameters() {
            #expect(allClose(p.grad!, g["grad." + path]!, atol: 3e-5, rtol: 1e-5, path))
        }
    }
}
