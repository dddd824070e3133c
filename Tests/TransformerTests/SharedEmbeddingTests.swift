import Autograd
import NN
import SeededRandom
import TensorCore
import Testing
import Transformer

/// `share_all_embeddings` (fairseq's `--share-all-embeddings`): the text encoder, the decoder input and
/// the output projection use one table, which gets the sum of the three uses' gradients.
@Suite struct SharedEmbeddingTests {
    /// The tiny text model over a joined dictionary (11 ids on both sides).
    static func joinedConfig(shareAll: Bool) -> ModelConfig {
        var c = tinyConfig("MTLA", text: true, tied: true)
        c.sourceVocabSize = nil
        c.shareAllEmbeddings = shareAll
        return c
    }

    @Test func oneTableUnderThreeNames() throws {
        let m = try randomModel(Self.joinedConfig(shareAll: true), seed: 1)
        let byName = Dictionary(uniqueKeysWithValues: m.stateDictParameters())
        let table = try #require(byName["encoder.embed_tokens.weight"])
        #expect(byName["decoder.embed_tokens.weight"] === table && byName["decoder.output_projection.weight"] === table)
        #expect(table.shape == [11, 16])
        #expect(m.namedParameters().count == m.stateDictParameters().count - 2)
        #expect(m.namedParameters().filter { $0.1 === table }.map(\.0) == ["encoder.embed_tokens.weight"])
    }

    /// A shared model with the untied model's (equal) tables gives the same logits, and its table's
    /// gradient is the untied encoder table's plus the untied decoder table's.
    @Test func sharedGradientIsTheSumOfTheUntiedOnes() throws {
        let untied = try randomModel(Self.joinedConfig(shareAll: false), seed: 2)
        let enc = try #require(untied.stateDictParameters().first { $0.0 == "encoder.embed_tokens.weight" }?.1)
        let dec = try #require(untied.stateDictParameters().first { $0.0 == "decoder.embed_tokens.weight" }?.1)
        #expect(enc !== dec)
        dec.value = enc.value
        var g = Xoshiro256(seed: 3)
        let shared = try PrefixDecoderModel(config: Self.joinedConfig(shareAll: true), generator: &g)
        try shared.load(untied.stateDict())
        let table = try #require(shared.stateDictParameters().first { $0.0 == "encoder.embed_tokens.weight" }?.1)

        let source = Int32Tensor(shape: [2, 7], scalars: [4, 5, 6, 7, 8, 9, 10, 5, 4, 7, 6, 9, 1, 1])
        let prev = Int32Tensor(shape: [2, 4], scalars: [2, 5, 6, 7, 2, 8, 9, 1])
        let weights = Tensor.randomNormal([2, 4, 11], using: &g)
        func gradients(_ m: PrefixDecoderModel) throws -> Tensor {
            m.zeroGrad()
            let tape = Tape()
            let logits = try m(.tokens(source, lengths: [7, 5]), prevTokens: prev, on: tape).logits
            tape.backward(tape.sum(tape.mul(logits, Variable(weights))))
            return logits.value
        }
        let a = try gradients(untied), b = try gradients(shared)
        #expect(a.scalars == b.scalars)   // same weights, same operations: identical forward
        // The shared table sums its three uses' gradients in one buffer, the untied tables in two: float32
        // sums in another order, so equal to a few ulps of the largest entry (1e-5 relative).
        let sum = try #require(enc.grad).scalars.indices.map { enc.grad!.scalars[$0] + dec.grad!.scalars[$0] }
        let got = try #require(table.grad).scalars
        let scale = sum.map(abs).max() ?? 1
        #expect(scale > 1e-3)   // a gradient that is not ~0, so the comparisons below can fail
        #expect(zip(sum, got).map { abs($0 - $1) }.max()! < 1e-5 * scale)
        // The encoder's use counts: the decoder-side gradient alone is off by far more than rounding.
        #expect(zip(dec.grad!.scalars, got).map { abs($0 - $1) }.max()! > 1e-3 * scale)
    }

    @Test func invalidCombinationsAreRefused() {
        var speech = tinyConfig("MTLA")
        speech.shareAllEmbeddings = true
        #expect(throws: ModelError.self) { try speech.validated() }
        var split = tinyConfig("MTLA", text: true, tied: true)
        split.shareAllEmbeddings = true   // source_vocab_size 13 vs vocab_size 11
        #expect(throws: ModelError.self) { try split.validated() }
        var dims = Self.joinedConfig(shareAll: true)
        dims.encoderEmbedDim = 24
        #expect(throws: ModelError.self) { try dims.validated() }
        var implied = Self.joinedConfig(shareAll: true)
        implied.shareDecoderInputOutputEmbed = false
        #expect((try? implied.validated())?.shareDecoderInputOutputEmbed == true)
    }

    /// An untied checkpoint whose two tables differ cannot load into the shared model.
    @Test func differingTablesAreRefusedByTheTiedModel() throws {
        let untied = try randomModel(Self.joinedConfig(shareAll: false), seed: 4)
        let shared = try randomModel(Self.joinedConfig(shareAll: true), seed: 5)
        let before = shared.stateDict()
        #expect(throws: NNError.tiedParameterDiffers(path: "decoder.embed_tokens.weight", tiedTo: "encoder.embed_tokens.weight",
                                                     file: "untied")) {
            try shared.load(untied.stateDict(), file: "untied")
        }
        #expect(shared.stateDict() == before)
    }
}
