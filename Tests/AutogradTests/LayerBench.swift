// Engine benchmark driver, not a test: runs only with MTLA_BENCH_LAYER=1, in a release build, through
// Tools/bench/bench-layer.sh (which also runs the PyTorch peer and writes the table). It lives here and
// not in mtla-bench because that executable's target does not depend on Autograd.
//
//   MTLA_BENCH_LAYER=1 MTLA_BENCH_THREADS=N swift test -c release --disable-xctest --filter LayerBench.layerStep
//     forward+backward of a pre-LN Transformer layer (d 512, 8 heads, FFN 2048, ReLU, batch 8 × 512
//     positions, causal): median ms of MTLA_BENCH_STEPS (7) steps after 2 warm-up steps, the sgemm rate
//     measured in the same process on the layer's largest GEMM shape, and peak RSS.
//   MTLA_BENCH_LAYER=1 MTLA_BENCH_THREADS=N swift test -c release --disable-xctest --filter LayerBench.rssGrowth
//     peak and current RSS at step 10 and step MTLA_BENCH_RSS_STEPS (1000) of a repeated training step
//     (the same layer at batch 2 × 128, plus an SGD update of its parameters).
// Each prints one line "LAYERBENCH {json}".
import Foundation
import Autograd
import SeededRandom
import TensorCore
import Testing

/// A pre-LN Transformer layer (fairseq's TransformerEncoderLayer with normalize_before, causal mask):
/// x + Wo·attn(LN1 x) then + W2·relu(W1·LN2 ·) — shapes: x (B, T, d), heads H, Dh = d/H, FFN F.
struct BenchLayer {
    let d: Int, heads: Int, ffn: Int
    let ln1w, ln1b, wqkv, bqkv, wo, bo, ln2w, ln2b, w1, b1, w2, b2: Variable
    var parameters: [Variable] { [ln1w, ln1b, wqkv, bqkv, wo, bo, ln2w, ln2b, w1, b1, w2, b2] }

    init(d: Int, heads: Int, ffn: Int, seed: UInt64) {
        var g = Xoshiro256(seed: seed)
        func p(_ s: [Int], _ std: Float) -> Variable { Variable(Tensor.randomNormal(s, std: std, using: &g), requiresGrad: true) }
        func c(_ s: [Int], _ v: Float) -> Variable { Variable(Tensor(shape: s, repeating: v), requiresGrad: true) }
        self.d = d; self.heads = heads; self.ffn = ffn
        (ln1w, ln1b, ln2w, ln2b) = (c([d], 1), c([d], 0), c([d], 1), c([d], 0))
        (wqkv, bqkv, wo, bo) = (p([3 * d, d], 0.02), c([3 * d], 0), p([d, d], 0.02), c([d], 0))
        (w1, b1, w2, b2) = (p([ffn, d], 0.02), c([ffn], 0), p([d, ffn], 0.02), c([d], 0))
    }

    func callAsFunction(_ x: Variable, tape t: Tape) -> Variable {
        let (b, len) = (x.shape[0], x.shape[1])
        let qkv = t.split(t.linear(t.layerNorm(x, weight: ln1w, bias: ln1b), weight: wqkv, bias: bqkv), axis: -1,
                          sizes: [d, d, d]).map { t.reshape($0, [b, len, heads, d / heads]) }
        let a = t.scaledDotProductAttention(qkv[0], qkv[1], qkv[2], layout: .sequenceMajor, causal: true)
        let x1 = t.add(x, t.linear(t.reshape(a, [b, len, d]), weight: wo, bias: bo))
        let h = t.relu(t.linear(t.layerNorm(x1, weight: ln2w, bias: ln2b), weight: w1, bias: b1))
        return t.add(x1, t.linear(h, weight: w2, bias: b2))
    }

    /// GEMM flops of forward + backward (backward = 2 × forward), attention counted on the causal half.
    static func flops(batch: Int, length: Int, d: Int, ffn: Int) -> Double {
        let n = Double(batch * length), dd = Double(d), f = Double(ffn), t = Double(length)
        let linear = 2 * n * (dd * 3 * dd + dd * dd + 2 * dd * f)
        let attention = 2 * 2 * Double(batch) * t * t * dd / 2
        return 3 * (linear + attention)
    }
}

enum ProcessMemory {
    /// (peak, current) resident set size in bytes, from /proc/self/status (VmHWM, VmRSS).
    static func rss() -> (peak: Int, current: Int) {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Int {
            guard let line = s.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
            return (Int(line.split(separator: " ").dropFirst().first { Int($0) != nil } ?? "0") ?? 0) * 1024
        }
        return (field("VmHWM:"), field("VmRSS:"))
    }
}

@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["MTLA_BENCH_LAYER"] == "1"))
struct LayerBench {
    let env = ProcessInfo.processInfo.environment
    var threads: Int { env["MTLA_BENCH_THREADS"].flatMap { Int($0) } ?? 1 }

    func seconds(_ body: () -> Void) -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }

    @Test func layerStep() {
        let ctx = ComputeContext(threads: threads)
        ctx.activate()
        let (b, len, d, heads, ffn) = (8, 512, 512, 8, 2048)
        let steps = env["MTLA_BENCH_STEPS"].flatMap { Int($0) } ?? 7
        var g = Xoshiro256(seed: 5)
        // sgemm rate on the layer's largest GEMM: (B·T, d)·(d, F)ᵀ-shaped, as the FFN's first linear.
        let a = Tensor.randomNormal([b * len, d], using: &g), w = Tensor.randomNormal([ffn, d], using: &g)
        _ = a.matmul(w, transposeB: true, in: ctx)
        let gemmTime = median((0..<7).map { _ in seconds { _ = a.matmul(w, transposeB: true, in: ctx) } })
        let sgemm = 2 * Double(b * len * d * ffn) / gemmTime

        let layer = BenchLayer(d: d, heads: heads, ffn: ffn, seed: 1)
        let x = Variable(Tensor.randomNormal([b, len, d], using: &g), requiresGrad: true)
        let seed = Tensor(shape: [b, len, d], repeating: 1, in: ctx)
        func step() {
            let tape = Tape(context: ctx)
            tape.backward(layer(x, tape: tape), gradient: seed)
            x.zeroGrad()
            layer.parameters.forEach { $0.zeroGrad() }
        }
        step(); step()
        let times = (0..<steps).map { _ in seconds(step) }
        let t = median(times)
        let flops = BenchLayer.flops(batch: b, length: len, d: d, ffn: ffn)
        let rss = ProcessMemory.rss()
        let json = "{\"threads\": \(threads), \"ms\": \(t * 1e3), \"gflops\": \(flops / t / 1e9), "
            + "\"sgemm_gflops\": \(sgemm / 1e9), \"peak_rss_mb\": \(Double(rss.peak) / 1048576), "
            + "\"times_ms\": \(times.map { ($0 * 1e4).rounded() / 10 }), \"blas\": \"\(ComputeContext.blasCoreName)\"}"
        print("LAYERBENCH " + json)
        #expect(t > 0)
    }

    @Test func rssGrowth() {
        let ctx = ComputeContext(threads: threads)
        ctx.activate()
        let (b, len, d, heads, ffn) = (2, 128, 512, 8, 2048)
        let total = env["MTLA_BENCH_RSS_STEPS"].flatMap { Int($0) } ?? 1000
        var g = Xoshiro256(seed: 6)
        let layer = BenchLayer(d: d, heads: heads, ffn: ffn, seed: 2)
        var at10 = (peak: 0, current: 0)
        let t0 = DispatchTime.now().uptimeNanoseconds
        for s in 1...total {
            let x = Variable(Tensor.randomNormal([b, len, d], using: &g))
            let tape = Tape(context: ctx)
            let y = layer(x, tape: tape)
            tape.backward(tape.mean(y))
            for p in layer.parameters {      // SGD, in place
                p.value.withUnsafeMutableBufferPointer { w in p.grad!.withUnsafeBufferPointer { gp in
                    for i in 0..<w.count { w[i] -= 0.01 * gp[i] }
                } }
                p.zeroGrad()
            }
            if s == 10 { at10 = ProcessMemory.rss() }
        }
        let end = ProcessMemory.rss()
        let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let mb = { (x: Int) in Double(x) / 1048576 }
        print("LAYERBENCH {\"threads\": \(threads), \"steps\": \(total), \"peak10_mb\": \(mb(at10.peak)), "
              + "\"peakN_mb\": \(mb(end.peak)), \"rss10_mb\": \(mb(at10.current)), \"rssN_mb\": \(mb(end.current)), "
              + "\"seconds\": \(secs)}")
        let growth = end.peak - at10.peak
        #expect(Double(growth) <= Swift.max(0.02 * Double(at10.peak), 20 * 1048576),
                "peak RSS grew \(mb(growth)) MB from step 10 to step \(total)")
    }
}
