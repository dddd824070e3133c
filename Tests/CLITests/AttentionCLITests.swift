import Foundation
import NN
import TensorCore
import Testing
import _TestSupport

@Suite struct AttentionCLITests {
    /// `mtla attention run` on reference cases reproduces every stored output and cache; tolerance
    /// 1e-5 relative to max(1, |reference|), the README's bound for float32 implementations.
    @Test(arguments: ["mha", "mla", "mtla_s3"])
    func runReproducesTheReferenceCase(_ name: String) throws {
        let dir = try TestData.temporaryDirectory("cli-attention")
        let out = dir.appendingPathComponent("out.safetensors").path
        let r = try runMTLA(["attention", "run", TestData.reference("attention/\(name).safetensors").path,
                             "--config", TestData.reference("attention/\(name).json").path, "-o", out])
        #expect(r.status == 0, "\(r.err)")
        let ours = try SafeTensors.read(URL(fileURLWithPath: out)).tensors
        let reference = try SafeTensors.read(TestData.reference("attention/\(name).safetensors")).tensors
        #expect(ours["y_full"] != nil && ours["y_incremental"] != nil && ours["y_prefill"] != nil)
        for (key, t) in ours {
            let ref = try #require(reference[key], "\(key) is not in the reference file")
            #expect(t.shape == ref.shape, "\(key)")
            let worst = zip(t.scalars, ref.scalars).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            #expect(worst <= 1e-5, "\(key): \(worst)")
        }
        let again = try runMTLA(["attention", "run", TestData.reference("attention/\(name).safetensors").path,
                                 "--config", TestData.reference("attention/\(name).json").path, "-o", out])
        #expect(again.status != 0 && again.err.contains("--overwrite"))
    }
}
