import Foundation
import NN
import TensorCore
import Testing
import SeededRandom
import Transformer
import _TestSupport

/// The model goldens made with the reference fairseq code (Data/golden/model/README.md): every
/// output tensor (encoder states, CTC logits, projector, teacher-forced logits, losses, and the
/// incremental decoding's per-step logits) within the README's tolerance, 1e-5·max(1, |expected|).
@Suite struct ModelGoldenTests {
    static let cases = ["speech_mtla_s2", "speech_mtla_s3_tied", "speech_mha", "speech_gqa", "speech_mla",
                        "text_mtla_s2", "speech_conformer_mtla_s2"]

    @Test(arguments: cases) func reproducesTheReferenceModel(_ name: String) throws {
        let dir = TestData.url("golden/model")
        let config = try ModelCheckpoint.readConfig(dir.appendingPathComponent("\(name).json"))
        let file = try SafeTensors.read(dir.appendingPathComponent("\(name).safetensors"))
        let weights = file.tensors.filter { !$0.key.hasPrefix("input") && !$0.key.hasPrefix("output") && !$0.key.hasSuffix(".version") }
        var g = Xoshiro256(seed: 0)
        let model = try PrefixDecoderModel(config: config, generator: &g)
        try model.load(weights, file: name, strict: true)
        model.setTraining(false)
        let ours = try ModelReferenceRun.run(model, tensors: file.tensors, context: .serial)
        let expected = file.tensors.filter { $0.key.hasPrefix("output") }
        #expect(!expected.isEmpty)
        for (key, reference) in expected.sorted(by: { $0.key < $1.key }) {
            guard let mine = ours[key] else { Issue.record("\(name): no \(key)"); continue }
            #expect(mine.shape == reference.shape, "\(name) \(key): \(mine.shape) vs \(reference.shape)")
            guard mine.shape == reference.shape else { continue }
            let worst = zip(mine.scalars, reference.scalars).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            #expect(worst <= 1e-5, "\(name) \(key): worst scaled difference \(worst)")
        }
    }
}
