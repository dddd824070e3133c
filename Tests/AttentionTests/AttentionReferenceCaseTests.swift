import Foundation
import NN
import TensorCore
import Testing
import _TestSupport
import Attention

@Suite struct AttentionReferenceCaseTests {
    /// `AttentionReferenceCase.run` writes exactly the reference's outputs and caches (names, shapes),
    /// each within the README's tolerance.
    @Test(arguments: goldenCases) func runReproducesEveryReferenceOutput(_ name: String) throws {
        let spec = try JSONDecoder().decode(AttentionReferenceCase.self,
                                            from: Data(contentsOf: TestData.reference("attention/\(name).json")))
        let golden = try SafeTensors.read(TestData.reference("attention/\(name).safetensors")).tensors
        let out = try spec.run(golden, file: name)
        let expected = Set(golden.keys.filter { $0.hasPrefix("y_") || $0.hasPrefix("cache_") || $0.hasPrefix("debug.") })
        #expect(Set(out.keys) == expected)
        for (key, value) in out {
            let want = try #require(golden[key], "\(key) not in the reference")
            let err = worstScaledError(value, want)
            #expect(err <= goldenTolerance, "\(name) \(key): \(err)")
        }
    }

    @Test func missingWeightOrUnknownVariantIsAnError() throws {
        let golden = try SafeTensors.read(TestData.reference("attention/mla.safetensors")).tensors
        let spec = try JSONDecoder().decode(AttentionReferenceCase.self,
                                            from: Data(contentsOf: TestData.reference("attention/mla.json")))
        var partial = golden
        partial["wkv_b.weight"] = nil
        #expect(throws: NNError.missingParameter(path: "wkv_b.weight", file: "t")) { try spec.run(partial, file: "t") }
        var wrong = spec
        wrong.variant = "sparse"
        #expect(throws: AttentionError.unknownVariant("sparse")) { try wrong.run(golden) }
    }
}
