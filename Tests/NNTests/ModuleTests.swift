import Autograd
import NN
import SeededRandom
import TensorCore
import Testing

/// A two-level model with fairseq-like names, to check the dotted paths.
final class TinyModel: Module {
    let embed: Embedding
    let layers: ModuleList<FFN>
    let norm: LayerNorm
    init() {
        var g = Xoshiro256(seed: 7)
        embed = Embedding(10, 4, paddingIndex: 1, generator: &g)
        layers = ModuleList((0..<2).map { _ in FFN(dim: 4, hidden: 8, generator: &g) })
        norm = LayerNorm(4)
    }
    var children: [(String, any Module)] { [("embed_tokens", embed), ("layers", layers), ("layer_norm", norm)] }
}

@Suite struct ModuleTests {
    @Test func pathsEqualStateDictNames() {
        let names = TinyModel().namedParameters().map(\.0)
        #expect(names == ["embed_tokens.weight",
                          "layers.0.fc1.weight", "layers.0.fc1.bias", "layers.0.fc2.weight", "layers.0.fc2.bias",
                          "layers.1.fc1.weight", "layers.1.fc1.bias", "layers.1.fc2.weight", "layers.1.fc2.bias",
                          "layer_norm.weight", "layer_norm.bias"])
        #expect(TinyModel().parameterCount == 40 + 2 * (32 + 8 + 32 + 4) + 8)
    }

    @Test func subsamplerNamesAndShapes() {
        var g = Xoshiro256(seed: 1)
        let m = Conv1dSubsampler(inChannels: 80, midChannels: 1024, outChannels: 256, generator: &g)
        let shapes = m.namedParameters().map { "\($0.0) \($0.1.shape)" }
        #expect(shapes == ["conv_layers.0.weight [1024, 80, 5]", "conv_layers.0.bias [1024]",
                           "conv_layers.1.weight [512, 512, 5]", "conv_layers.1.bias [512]"])
    }

    /// PyTorch's default Linear init is U(−1/√in, 1/√in) for weight and bias; the draws come from
    /// the given generator, so equal seeds give equal layers.
    @Test func linearInitBoundsAndDeterminism() {
        var g1 = Xoshiro256(seed: 3), g2 = Xoshiro256(seed: 3)
        let a = Linear(64, 32, generator: &g1), b = Linear(64, 32, generator: &g2)
        #expect(a.weight.value == b.weight.value && a.bias!.value == b.bias!.value)
        #expect(a.weight.shape == [32, 64])
        let bound: Float = 1 / 8
        #expect(a.weight.value.scalars.allSatisfy { abs($0) <= bound })
        #expect(a.weight.value.scalars.map { abs($0) }.max()! > 0.9 * bound)  // fills the range
        #expect(a.bias!.value.scalars.allSatisfy { abs($0) <= bound })
        var g3 = Xoshiro256(seed: 3)
        #expect(Linear(64, 32, bias: false, generator: &g3).namedParameters().map(\.0) == ["weight"])
    }

    @Test func embeddingPaddingRowIsZeroAndGetsNoGradient() {
        var g = Xoshiro256(seed: 5)
        let e = Embedding(6, 3, paddingIndex: 2, generator: &g)
        #expect(e.weight.value.scalars[6..<9].allSatisfy { $0 == 0 })
        let tape = Tape()
        let y = e(Int32Tensor(shape: [2, 2], scalars: [2, 0, 2, 5]), on: tape)
        #expect(y.shape == [2, 2, 3])
        tape.backward(tape.sum(y))
        let grad = e.weight.grad!.scalars
        #expect(grad[6..<9].allSatisfy { $0 == 0 })
        #expect(grad[0..<3].allSatisfy { $0 == 1 } && grad[15..<18].allSatisfy { $0 == 1 })
    }

    @Test func dropoutOnlyInTrainingAndRecording() {
        let d = Dropout(p: 0.5, generator: Xoshiro256(seed: 9))
        let x = Variable(Tensor(shape: [1000], repeating: 1), requiresGrad: true)
        let tape = Tape()
        let y = d(x, on: tape).value.scalars
        #expect(y.allSatisfy { $0 == 0 || $0 == 2 } && y.contains(0) && y.contains(2))
        #expect(tape.noGrad { d(x, on: tape) } === x)
        let m = TinyModel()
        m.setTraining(false)
        #expect(m.modules().compactMap { $0 as? Dropout }.allSatisfy { !$0.isTraining })
        d.isTraining = false
        #expect(d(x, on: tape) === x)
    }

    @Test func subsamplerOutputLengthsAsFairseq() {
        var g = Xoshiro256(seed: 1)
        let m = Conv1dSubsampler(inChannels: 2, midChannels: 4, outChannels: 2, generator: &g)
        // floor((L − 1)/2 + 1) twice: 1→1→1, 2→1→1, 3→2→1, 11→6→3, 100→50→25, 0→0→0
        #expect(m.outputLengths([1, 2, 3, 11, 100, 0]) == [1, 1, 1, 3, 25, 0])
        let (y, lengths) = m(Variable(Tensor(zeros: [2, 11, 2])), lengths: [11, 7], on: Tape())
        #expect(y.shape == [3, 2, 2] && lengths == [3, 2])
    }
}

/// A model whose output projection shares the embedding matrix (fairseq's
/// `share_decoder_input_output_embed`).
final class TiedModel: Module {
    let embed: Embedding
    init() {
        var g = Xoshiro256(seed: 2)
        embed = Embedding(5, 3, generator: &g)
    }
    var children: [(String, any Module)] { [("embed_tokens", embed), ("output_projection", TiedLinear(embed.weight))] }
}

final class TiedLinear: Module {
    let weight: Variable
    init(_ w: Variable) { weight = w }
    var localParameters: [(String, Variable)] { [("weight", weight)] }
}

@Suite struct TiedParameterTests {
    /// As PyTorch: `named_parameters()` lists a shared tensor once, `state_dict()` under every name.
    @Test func sharedParameterOnceForOptimisersEveryNameInStateDict() throws {
        let m = TiedModel()
        #expect(m.namedParameters().map(\.0) == ["embed_tokens.weight"])
        #expect(m.stateDict().keys.sorted() == ["embed_tokens.weight", "output_projection.weight"])
        try m.load(m.stateDict())
    }

    @Test func ffnIsFc2OfActivationOfFc1() {
        var g = Xoshiro256(seed: 4)
        let ffn = FFN(dim: 3, hidden: 5, activation: .gelu, generator: &g)
        let x = Variable(Tensor.randomNormal([2, 3], using: &g))
        let tape = Tape()
        let expected = ffn.fc2(tape.activation(ffn.fc1(x, on: tape), .gelu), on: tape)
        #expect(ffn(x, on: tape).value == expected.value)
        #expect(ffn.namedParameters().map(\.0) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
    }
}
