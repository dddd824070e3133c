// Speed smoke check, not a test: runs only with MTLA_BENCH=1, in a release build:
//   MTLA_BENCH=1 swift test -c release --disable-xctest --filter KernelSpeedCheck
// Prints the sgemm rate of Tensor.matmul for a 512×2048 · 2048×512 product (platform notes: about
// 100 GFLOP/s on 1 thread and 165–205 GFLOP/s on 2 on the project's machine kind) and the time of
// the SIMD kernels on 4096×1024 (platform notes, 1 thread: softmax 5–6 ms, layer norm 1.3–2 ms,
// GELU-tanh 5–6.5 ms for SIMD16 code).
import Foundation
import SeededRandom
import TensorCore
import Testing

@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["MTLA_BENCH"] == "1"))
struct KernelSpeedCheck {
    /// Median wall time of `body` over `runs` runs after one warm-up, in seconds.
    static func median(_ runs: Int = 20, _ body: () -> Void) -> Double {
        body()
        var times: [Double] = []
        for _ in 0..<runs {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return times.sorted()[runs / 2]
    }

    @Test(arguments: [1, 2])
    func sgemmRate(threads: Int) {
        let ctx = ComputeContext(threads: threads)
        ctx.activate()
        defer { ComputeContext.serial.activate() }
        var g = Xoshiro256(seed: 1)
        let a = Tensor.randomNormal([512, 2048], using: &g), b = Tensor.randomNormal([2048, 512], using: &g)
        let t = Self.median { _ = a.matmul(b) }
        let gflops = 2.0 * 512 * 2048 * 512 / t / 1e9
        print("sgemm 512x2048·2048x512, \(threads) thread(s), \(ComputeContext.blasCoreName): median \(String(format: "%.2f", t * 1e3)) ms, \(String(format: "%.0f", gflops)) GFLOP/s")
        #expect(gflops > 0)
    }

    @Test(arguments: [1, 2])
    func simdKernels(threads: Int) {
        let ctx = ComputeContext(threads: threads)
        var g = Xoshiro256(seed: 2)
        let x = Tensor.randomNormal([4096, 1024], using: &g)
        let w = Tensor(shape: [1024], repeating: 1), b = Tensor(zeros: [1024])
        let ms = { (t: Double) in String(format: "%.2f ms", t * 1e3) }
        print("4096x1024, \(threads) thread(s): softmax \(ms(Self.median { _ = x.softmax(in: ctx) })), "
              + "layerNorm \(ms(Self.median { _ = x.layerNorm(weight: w, bias: b, in: ctx) })), "
              + "gelu_tanh \(ms(Self.median { _ = x.activated(.geluTanh, in: ctx) })), "
              + "gelu(erf) \(ms(Self.median(5) { _ = x.activated(.gelu, in: ctx) })), "
              + "add row \(ms(Self.median { _ = x.elementwise(.add, w, in: ctx) }))")
        #expect(x.count == 4096 * 1024)
    }
}
