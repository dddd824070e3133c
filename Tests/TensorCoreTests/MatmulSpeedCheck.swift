// Speed smoke check, not a test: runs only with MTLA_BENCH=1, in a release build:
//   MTLA_BENCH=1 swift test -c release --disable-xctest --filter MatmulSpeedCheck
// Prints the sgemm rate of Tensor.matmul for a 512×2048 · 2048×512 product (platform notes: about
// 100 GFLOP/s on 1 thread and 165–205 GFLOP/s on 2 on the project's machine kind).
import Foundation
import SeededRandom
import TensorCore
import Testing

@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["MTLA_BENCH"] == "1"))
struct MatmulSpeedCheck {
    @Test(arguments: [1, 2])
    func sgemmRate(threads: Int) {
        let ctx = ComputeContext(threads: threads)
        ctx.activate()
        var g = Xoshiro256(seed: 1)
        let a = Tensor.randomNormal([512, 2048], using: &g), b = Tensor.randomNormal([2048, 512], using: &g)
        _ = a.matmul(b)
        var times: [Double] = []
        for _ in 0..<20 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = a.matmul(b)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        let median = times.sorted()[times.count / 2]
        let gflops = 2.0 * 512 * 2048 * 512 / median / 1e9
        print("sgemm 512x2048·2048x512, \(threads) thread(s), \(ComputeContext.blasCoreName): median \(String(format: "%.2f", median * 1e3)) ms, \(String(format: "%.0f", gflops)) GFLOP/s")
        #expect(gflops > 0)
        ComputeContext.serial.activate()
    }
}
