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
        let t = Self.median { _ = a.matmul(b, in: ctx) }
        let gflops = 2.0 * 512 * 2048 * 512 / t / 1e9
        print("sgemm 512x2048·2048x512, \(threads) thread(s), \(ComputeContext.blasCoreName): median \(String(format: "%.2f", t * 1e3)) ms, \(String(format: "%.0f", gflops)) GFLOP/s")
        #expect(gflops > 0)
    }

    /// Kernels writing into one preallocated buffer (the kernel API), then the allocating wrapper of
    /// `add`: a fresh 16 MB output can cost more in page faults than the kernel itself.
    @Test(arguments: [1, 2])
    func simdKernels(threads: Int) {
        let ctx = ComputeContext(threads: threads)
        var g = Xoshiro256(seed: 2)
        let (rows, cols) = (4096, 1024)
        let x = Tensor.randomNormal([rows, cols], using: &g)
        let w = Tensor(shape: [cols], repeating: 1), b = Tensor(zeros: [cols])
        var out = Tensor(zeros: [rows, cols])
        let ms = { (t: Double) in String(format: "%.2f ms", t * 1e3) }
        var line = "4096x1024, \(threads) thread(s), into a preallocated buffer:"
        x.withUnsafeBufferPointer { xb in w.withUnsafeBufferPointer { wb in b.withUnsafeBufferPointer { bb in
            out.withUnsafeMutableBufferPointer { ob in
                let (xp, wp, bp, op) = (xb.baseAddress!, wb.baseAddress!, bb.baseAddress!, ob.baseAddress!)
                line += " softmax " + ms(Self.median { SoftmaxKernels.softmax(xp, op, rows: rows, cols: cols, ctx: ctx) })
                line += ", layerNorm " + ms(Self.median {
                    NormalizationKernels.layerNorm(xp, weight: wp, bias: bp, op, rows: rows, cols: cols, eps: 1e-5,
                                                   mean: nil, rstd: nil, ctx: ctx)
                })
                line += ", gelu_tanh " + ms(Self.median { ActivationKernels.forward(.geluTanh, xp, op, rows * cols, ctx: ctx) })
                line += ", gelu(erf) " + ms(Self.median(5) { ActivationKernels.forward(.gelu, xp, op, rows * cols, ctx: ctx) })
                line += ", add row " + ms(Self.median { ElementwiseKernels.binary(.add, xp, [rows, cols], wp, [cols], op, ctx: ctx) })
            } } } }
        line += "; add row allocating its output " + ms(Self.median { _ = x.elementwise(.add, w, in: ctx) })
        print(line)
        #expect(out.count == rows * cols)
    }
}
