import Foundation
import Decoding
import NN
import SeededRandom
import TensorCore
import Testing
import Transformer
import _TestSupport

/// Beam search against fairseq's own `SequenceGenerator` on the model goldens (Data/golden/beam/README.md):
/// every returned hypothesis's tokens exactly, its score and positional scores within 1e-4, for beams
/// 1, 2 and 5 and with temperature 0.9 and lenpen 0.5, batch 1 (the README's settings). 1e-4: scores
/// are sums of up to 13 float32 log-probabilities whose logits agree to ~1e-6; the README's smallest gap
/// between competing candidates is 5.1e-4, so a wrong token never hides inside the tolerance.
@Suite struct BeamSearchGoldenTests {
    static let cases = ["speech_mtla_s2", "speech_mha", "speech_mla", "text_mtla_s2", "speech_mtla_s3_tied"]
    static let settings: [(String, Int, Double, Double)] = [("beam1", 1, 1, 1), ("beam2", 2, 1, 1), ("beam5", 5, 1, 1),
                                                            ("beam5_t0.9_lp0.5", 5, 0.9, 0.5)]

    @Test(arguments: cases) func hypothesesEqualFairseqs(_ name: String) throws {
        let dir = TestData.url("golden/beam")
        let config = try ModelCheckpoint.readConfig(dir.appendingPathComponent("\(name).json"))
        let file = try SafeTensors.read(dir.appendingPathComponent("\(name).safetensors")).tensors
        var g = Xoshiro256(seed: 0)
        let model = try PrefixDecoderModel(config: config, generator: &g)
        let names = Set(model.stateDict().keys)
        try model.load(file.filter { names.contains($0.key) }, file: name, strict: true)
        var checked = 0
        for k in 0..<3 {
            let lengths = [Int32(file["input.\(k).src_lengths"]!.scalars[0])]
            let input: ModelInput
            if let x = file["input.\(k).features"] {
                input = .features(x, lengths: lengths)
            } else {
                let t = file["input.\(k).src_tokens"]!
                input = .tokens(Int32Tensor(shape: t.shape, scalars: t.scalars.map { Int32($0) }), lengths: lengths)
            }
            for (setting, beam, temperature, lenpen) in Self.settings {
                let search = try BeamSearch(options: BeamSearchOptions(beam: beam, maxLenB: 12, minLen: 1, lenpen: lenpen, temperature: temperature))
                let hyps = try search.generate(model, input: input, context: .serial)[0]
                let expected = (0..<beam).compactMap { r in file["\(setting).\(k).tokens.\(r)"].map { (r, $0) } }
                #expect(hyps.count == expected.count, "\(name) \(setting) k=\(k)")
                for ((r, tokens), h) in zip(expected, hyps) {
                    let where_ = "\(name) \(setting) input \(k) rank \(r)"
                    #expect(h.tokens == tokens.scalars.map { Int32($0) }, "\(where_): tokens")
                    #expect(abs(h.score - file["\(setting).\(k).score.\(r)"]!.scalars[0]) < 1e-4, "\(where_): score")
                    let p = file["\(setting).\(k).positional_scores.\(r)"]!.scalars
                    #expect(p.count == h.positionalScores.count && zip(p, h.positionalScores).allSatisfy { abs($0 - $1) < 1e-4 },
                            "\(where_): positional scores")
                    checked += 1
                }
            }
        }
        #expect(checked == 3 * (1 + 2 + 5 + 5))
    }
}
