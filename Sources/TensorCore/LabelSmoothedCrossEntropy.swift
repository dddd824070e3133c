import Dispatch
import Foundation

// Shapes: N rows (tokens), V classes. logProbs / logits (N, V) row-major, targets (N) Int32.

/// fairseq's `label_smoothed_nll_loss` (fairseq/criterions/label_smoothed_cross_entropy.py, ≥ 0.10):
///
///     nll_i    = −lprobs[i, target_i]
///     smooth_i = −Σ_v lprobs[i, v]
///     (both 0 where target_i == ignore_index)
///     eps_i = ε / (V − 1)
///     loss  = (1 − ε − eps_i)·Σ_i nll_i + eps_i·Σ_i smooth_i      (reduce=True: summed over rows)
///     nll_loss = Σ_i nll_i
///
/// Sums are accumulated in Double per fixed block of 64 rows and then across blocks in order, so the
/// result does not depend on the thread count.
public enum LabelSmoothedCrossEntropy {
    public struct Result: Sendable, Equatable {
        /// The smoothed loss, summed over non-ignored rows.
        public var loss: Float
        /// Σ −lprobs[i, target_i] over non-ignored rows (fairseq's `nll_loss`).
        public var nllLoss: Float
        /// Rows not ignored (fairseq's `ntokens` when targets are the padded outputs).
        public var tokens: Int
    }

    static let block = 64

    /// The loss from log-probabilities.
    ///
    /// - Parameters:
    ///   - logProbs: (N, V).
    ///   - targets: (N) class indices in 0..<V, or `ignoreIndex`.
    ///   - epsilon: ε (label smoothing), 0 gives the plain NLL.
    ///   - rowLoss: optional (N) output, per-row smoothed loss (reduce=False; 0 on ignored rows).
    /// - Precondition: V ≥ 2, every non-ignored target in 0..<V.
    public static func forward(
        logProbs: UnsafePointer<Float>, targets: UnsafePointer<Int32>, rows n: Int, vocab v: Int,
        epsilon: Float, ignoreIndex: Int32? = nil, rowLoss: UnsafeMutablePointer<Float>? = nil, threads: Int = 1
    ) -> Result {
        compute(input: logProbs, targets: targets, rows: n, vocab: v, epsilon: epsilon, ignoreIndex: ignoreIndex,
                fromLogits: false, gradScale: 0, gradient: nil, rowLoss: rowLoss, threads: threads)
    }

    /// d loss / d logProbs, times `gradLoss` (the upstream gradient of `loss`), written into `gradLogProbs`
    /// (N, V): −gradLoss·(eps_i + (1 − ε − eps_i)·[v = target]) on kept rows, 0 on ignored rows.
    public static func backward(
        targets: UnsafePointer<Int32>, rows n: Int, vocab v: Int, epsilon: Float, ignoreIndex: Int32? = nil,
        gradLoss: Float, gradLogProbs: UnsafeMutablePointer<Float>
    ) {
        precondition(v >= 2, "label smoothing needs at least 2 classes, got \(v)")
        let epsI = epsilon / Float(v - 1)
        let onTarget = 1 - epsilon - epsI
        for i in 0..<n {
            let row = gradLogProbs + i * v
            let t = targets[i]
            if let ignoreIndex, t == ignoreIndex {
                row.update(repeating: 0, count: v)
                continue
            }
            precondition(t >= 0 && Int(t) < v, "target \(t) at row \(i) outside 0..<\(v)")
            row.update(repeating: -gradLoss * epsI, count: v)
            row[Int(t)] -= gradLoss * onTarget
        }
    }

    /// The loss from logits with log-softmax inside (no (N, V) log-probabilities are stored), and
    /// optionally its gradient w.r.t. the logits times `gradLoss`:
    /// gradLoss·(softmax(x)_v − eps_i − (1 − ε − eps_i)·[v = target]) on kept rows, 0 on ignored rows.
    public static func fromLogits(
        logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>, rows n: Int, vocab v: Int,
        epsilon: Float, ignoreIndex: Int32? = nil, gradLoss: Float = 1,
        gradLogits: UnsafeMutablePointer<Float>?, rowLoss: UnsafeMutablePointer<Float>? = nil, threads: Int = 1
    ) -> Result {
        compute(input: logits, targets: targets, rows: n, vocab: v, epsilon: epsilon, ignoreIndex: ignoreIndex,
                fromLogits: true, gradScale: gradLoss, gradient: gradLogits, rowLoss: rowLoss, threads: threads)
    }

    private struct Args {
        let input: UnsafePointer<Float>, targets: UnsafePointer<Int32>
        let n: Int, v: Int, epsilon: Float, ignoreIndex: Int32?, fromLogits: Bool, gradScale: Float
        let gradient: UnsafeMutablePointer<Float>?, rowLoss: UnsafeMutablePointer<Float>?
        let partials: UnsafeMutablePointer<(loss: Double, nll: Double, tokens: Int)>
    }

    private static func compute(
        input: UnsafePointer<Float>, targets: UnsafePointer<Int32>, rows n: Int, vocab v: Int, epsilon: Float,
        ignoreIndex: Int32?, fromLogits: Bool, gradScale: Float, gradient: UnsafeMutablePointer<Float>?,
        rowLoss: UnsafeMutablePointer<Float>?, threads: Int
    ) -> Result {
        precondition(v >= 2, "label smoothing needs at least 2 classes, got \(v)")
        precondition(threads >= 1, "thread count must be at least 1")
        let blocks = (n + block - 1) / block
        return withUnsafeTemporaryAllocation(of: (loss: Double, nll: Double, tokens: Int).self,
                                             capacity: Swift.max(blocks, 1)) { partials in
            let args = KernelPointers(Args(input: input, targets: targets, n: n, v: v, epsilon: epsilon,
                                           ignoreIndex: ignoreIndex, fromLogits: fromLogits, gradScale: gradScale,
                                           gradient: gradient, rowLoss: rowLoss, partials: partials.baseAddress!))
            let workers = Swift.min(threads, blocks)
            if workers <= 1 {
                for b in 0..<blocks { runBlock(args.value, b) }
            } else {
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    var b = w
                    while b < blocks { runBlock(args.value, b); b += workers }
                }
            }
            var loss = 0.0, nll = 0.0, tokens = 0
            for b in 0..<blocks {
                loss += partials[b].loss
                nll += partials[b].nll
                tokens += partials[b].tokens
            }
            return Result(loss: Float(loss), nllLoss: Float(nll), tokens: tokens)
        }
    }

    private static func runBlock(_ a: Args, _ blockIndex: Int) {
        let v = a.v
        let epsI = Double(a.epsilon) / Double(v - 1)
        let onTarget = 1 - Double(a.epsilon) - epsI
        var loss = 0.0, nll = 0.0, tokens = 0
        for i in (blockIndex * block)..<Swift.min(a.n, (blockIndex + 1) * block) {
            let x = a.input + i * v
            let t = a.targets[i]
            if let ignore = a.ignoreIndex, t == ignore {
                a.rowLoss?[i] = 0
                a.gradient.map { ($0 + i * v).update(repeating: 0, count: v) }
                continue
            }
            precondition(t >= 0 && Int(t) < v, "target \(t) at row \(i) outside 0..<\(v)")
            // Row sums in Double lanes of Float SIMD partials.
            var lse = 0.0
            if a.fromLogits {
                var mx = SIMD16<Float>(repeating: -.infinity)
                var c = 0
                while c + 16 <= v { mx = SIMDMath.max(mx, KernelMath.load(x + c)); c += 16 }
                var m = SIMDMath.horizontalMax(mx)
                while c < v { m = Swift.max(m, x[c]); c += 1 }
                let mv = SIMD16<Float>(repeating: m)
                var se = SIMD16<Float>()
                c = 0
                while c + 16 <= v { se += SIMDMath.exp(KernelMath.load(x + c) - mv); c += 16 }
                var sumExp = Double(se.sum())
                while c < v { sumExp += Foundation.exp(Double(x[c] - m)); c += 1 }
                lse = Double(m) + Foundation.log(sumExp)
            }
            var sx = SIMD16<Float>()
            var c = 0
            var sumX = 0.0
            while c + 16 <= v {
                sx += KernelMath.load(x + c)
                c += 16
                if c & 1023 == 0 { sumX += Double(sx.sum()); sx = SIMD16<Float>() }
            }
            sumX += Double(sx.sum())
            while c < v { sumX += Double(x[c]); c += 1 }
            let rowNll = lse - Double(x[Int(t)])
            let rowSmooth = Double(v) * lse - sumX
            let rowLoss = onTarget * rowNll + epsI * rowSmooth
            a.rowLoss?[i] = Float(rowLoss)
            loss += rowLoss
            nll += rowNll
            tokens += 1
            if let g = a.gradient.map({ $0 + i * v }) {
                let scale = a.gradScale
                let l = SIMD16<Float>(repeating: Float(lse))
                let sv = SIMD16<Float>(repeating: scale), ev = SIMD16<Float>(repeating: Float(epsI))
                var c = 0
                while c + 16 <= v {
                    KernelMath.store((SIMDMath.exp(KernelMath.load(x + c) - l) - ev) * sv, g + c)
                    c += 16
                }
                while c < v { g[c] = (Float(Foundation.exp(Double(x[c]) - lse)) - Float(epsI)) * scale; c += 1 }
                g[Int(t)] -= Float(onTarget) * scale
            }
        }
        a.partials[blockIndex] = (loss, nll, tokens)
    }
}
