import Dispatch
import Foundation

// Shapes: T (max input length), N (batch), C (classes incl. blank), S (max target length).
//   logProbs / logits / gradients: (T, N, C) for .timeMajor (PyTorch's ctc_loss layout) or (N, T, C) for
//   .batchMajor; inputLengths (N), targetLengths (N) Int32; targets (N, S) padded or concatenated (Σ lengths).

/// Connectionist temporal classification loss, forward–backward in log space, as
/// `torch.nn.functional.ctc_loss` computes it (same α/β recursions, same 'none'/'mean'/'sum' reductions,
/// same `zero_infinity`).
///
/// Gradients: `gradLogProbs` is the true derivative of the loss w.r.t. the log-probabilities,
/// −g_n·γ_t(c) with γ the posterior occupancy; PyTorch's native CTC backward returns exp(lp) − γ instead
/// (it assumes the input came from a log-softmax), which differs but gives the same result after the
/// log-softmax backward. `fromLogits` fuses the log-softmax and returns g_n·(softmax − γ), which equals
/// PyTorch's gradient w.r.t. the logits.
///
/// A sequence with no valid alignment (input too short) has loss +∞ (0 and zero gradient with
/// `zeroInfinity`); its gradient is then NaN, as in PyTorch.
public enum CTCLoss {
    public enum Layout: Sendable, Equatable { case timeMajor, batchMajor }

    public enum Targets: Sendable, Equatable {
        /// (N, S) row-major, S = `maxLength`; row n holds targetLengths[n] labels, the rest is ignored.
        case padded(maxLength: Int)
        /// All targets one after another (Σ targetLengths entries).
        case concatenated
    }

    public enum Reduction: Sendable, Equatable { case none, mean, sum }

    /// Floats of workspace for `forward`/`fromLogits`: α (T × (2S+1)) plus two β rows and one C-vector
    /// per worker.
    public static func workspaceCount(maxInputLength t: Int, maxTargetLength s: Int, classes c: Int,
                                      threads: Int) -> Int {
        Swift.max(1, threads) * perWorker(t, s, c)
    }

    static func perWorker(_ t: Int, _ s: Int, _ c: Int) -> Int { t * (2 * s + 1) + 2 * (2 * s + 1) + c }

    /// Per-sequence losses −log p(target | input) into `losses` (N), and, if `gradLogProbs` is given,
    /// d(Σ_n gradOutputs[n]·loss_n)/d logProbs into it (same layout; 0 at t ≥ inputLengths[n]).
    ///
    /// - Parameters:
    ///   - gradOutputs: (N) upstream gradient per sequence (see `reductionWeights`); nil = all 1.
    ///   - workspace: `workspaceCount(...)` floats, with S = the largest target length (any larger bound
    ///     is fine).
    /// - Precondition: labels in 0..<C and ≠ blank; inputLengths[n] ≤ T.
    public static func forward(
        logProbs: UnsafePointer<Float>, layout: Layout = .timeMajor, maxInputLength t: Int, batch n: Int,
        classes c: Int, inputLengths: UnsafePointer<Int32>, targets: UnsafePointer<Int32>, targetLayout: Targets,
        targetLengths: UnsafePointer<Int32>, blank: Int = 0, zeroInfinity: Bool = false,
        losses: UnsafeMutablePointer<Float>, gradOutputs: UnsafePointer<Float>? = nil,
        gradLogProbs: UnsafeMutablePointer<Float>? = nil, maxTargetLength: Int,
        workspace: UnsafeMutablePointer<Float>, threads: Int = 1
    ) {
        run(Args(logProbs: logProbs, layout: layout, t: t, n: n, c: c, inputLengths: inputLengths, targets: targets,
                 targetLayout: targetLayout, targetLengths: targetLengths, blank: blank, zeroInfinity: zeroInfinity,
                 losses: losses, gradOutputs: gradOutputs, gradient: gradLogProbs, throughSoftmax: false,
                 maxS: maxTargetLength, workspace: workspace), threads: threads)
    }

    /// As `forward`, from logits with log-softmax over C inside; `gradLogits` (same layout, required)
    /// first holds the log-probabilities, then receives d(Σ_n gradOutputs[n]·loss_n)/d logits.
    public static func fromLogits(
        logits: UnsafePointer<Float>, layout: Layout = .timeMajor, maxInputLength t: Int, batch n: Int,
        classes c: Int, inputLengths: UnsafePointer<Int32>, targets: UnsafePointer<Int32>, targetLayout: Targets,
        targetLengths: UnsafePointer<Int32>, blank: Int = 0, zeroInfinity: Bool = false,
        losses: UnsafeMutablePointer<Float>, gradOutputs: UnsafePointer<Float>? = nil,
        gradLogits: UnsafeMutablePointer<Float>, maxTargetLength: Int,
        workspace: UnsafeMutablePointer<Float>, threads: Int = 1
    ) {
        for row in 0..<(t * n) { logSoftmaxRow(logits + row * c, gradLogits + row * c, count: c) }
        run(Args(logProbs: UnsafePointer(gradLogits), layout: layout, t: t, n: n, c: c, inputLengths: inputLengths,
                 targets: targets, targetLayout: targetLayout, targetLengths: targetLengths, blank: blank,
                 zeroInfinity: zeroInfinity, losses: losses, gradOutputs: gradOutputs, gradient: gradLogits,
                 throughSoftmax: true, maxS: maxTargetLength, workspace: workspace), threads: threads)
    }

    /// PyTorch's reduction of per-sequence losses: 'mean' = mean_n(loss_n / max(targetLength_n, 1)).
    public static func reduce(losses: UnsafePointer<Float>, targetLengths: UnsafePointer<Int32>, batch n: Int,
                              reduction: Reduction) -> Float {
        var total = 0.0
        for i in 0..<n {
            switch reduction {
            case .none, .sum: total += Double(losses[i])
            case .mean: total += Double(losses[i]) / Double(Swift.max(1, targetLengths[i]))
            }
        }
        return Float(reduction == .mean ? total / Double(Swift.max(n, 1)) : total)
    }

    /// Per-sequence upstream gradients (N) of a reduced loss whose gradient is `gradLoss`
    /// ('none' is treated as 'sum', i.e. weight 1 each).
    public static func reductionWeights(targetLengths: UnsafePointer<Int32>, batch n: Int, reduction: Reduction,
                                        gradLoss: Float = 1, into weights: UnsafeMutablePointer<Float>) {
        for i in 0..<n {
            weights[i] = reduction == .mean
                ? gradLoss / Float(Swift.max(1, Int(targetLengths[i]))) / Float(n) : gradLoss
        }
    }

    struct Args {
        let logProbs: UnsafePointer<Float>
        let layout: Layout
        let t: Int, n: Int, c: Int
        let inputLengths: UnsafePointer<Int32>, targets: UnsafePointer<Int32>, targetLayout: Targets
        let targetLengths: UnsafePointer<Int32>
        let blank: Int, zeroInfinity: Bool
        let losses: UnsafeMutablePointer<Float>, gradOutputs: UnsafePointer<Float>?
        let gradient: UnsafeMutablePointer<Float>?
        let throughSoftmax: Bool
        let maxS: Int
        let workspace: UnsafeMutablePointer<Float>
    }

    static func run(_ a: Args, threads: Int) {
        precondition(threads >= 1, "thread count must be at least 1")
        precondition(a.blank >= 0 && a.blank < a.c, "blank \(a.blank) outside 0..<\(a.c)")
        let workers = Swift.min(threads, a.n)
        let box = KernelPointers(a)
        let stride = perWorker(a.t, a.maxS, a.c)
        if workers <= 1 {
            for i in 0..<a.n { sequence(box.value, i, workspace: a.workspace) }
        } else {
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var i = w
                while i < box.value.n {
                    sequence(box.value, i, workspace: box.value.workspace + w * stride)
                    i += workers
                }
            }
        }
    }

    @inline(__always)
    static func logAdd(_ a: Float, _ b: Float) -> Float {
        if a == -.infinity { return b }
        if b == -.infinity { return a }
        let m = Swift.max(a, b)
        return m + Foundation.log1p(Foundation.exp(-Swift.abs(a - b)))
    }

    /// One sequence: α over all t, then β backward in time with two rolling rows, accumulating the
    /// occupancy of each class at each t.
    static func sequence(_ a: Args, _ b: Int, workspace: UnsafeMutablePointer<Float>) {
        let tn = Int(a.inputLengths[b]), len = Int(a.targetLengths[b])
        precondition(tn >= 0 && tn <= a.t, "input length \(tn) of sequence \(b) outside 0...\(a.t)")
        precondition(len >= 0 && len <= a.maxS, "target length \(len) of sequence \(b) outside 0...\(a.maxS)")
        let target: UnsafePointer<Int32>
        switch a.targetLayout {
        case .padded(let maxLength):
            precondition(len <= maxLength, "target length \(len) exceeds padded width \(maxLength)")
            target = a.targets + b * maxLength
        case .concatenated:
            var offset = 0
            for i in 0..<b { offset += Int(a.targetLengths[i]) }
            target = a.targets + offset
        }
        for i in 0..<len {
            precondition(target[i] >= 0 && Int(target[i]) < a.c && Int(target[i]) != a.blank,
                         "label \(target[i]) of sequence \(b) is blank or outside 0..<\(a.c)")
        }
        let (frameStride, base): (Int, Int) = a.layout == .timeMajor ? (a.n * a.c, b * a.c) : (a.c, b * a.t * a.c)
        let lp = a.logProbs + base
        let sp = 2 * len + 1
        @inline(__always) func label(_ s: Int) -> Int { s & 1 == 0 ? a.blank : Int(target[s >> 1]) }
        let gOut = a.gradOutputs?[b] ?? 1

        let grad = a.gradient.map { $0 + base }
        if tn == 0 {
            let loss: Float = len == 0 ? 0 : .infinity
            a.losses[b] = (a.zeroInfinity && loss == .infinity) ? 0 : loss
            if let grad { for t in 0..<a.t { (grad + t * frameStride).update(repeating: 0, count: a.c) } }
            return
        }
        let alpha = workspace
        let betaRows = alpha + a.t * (2 * a.maxS + 1)
        let occupancy = betaRows + 2 * (2 * a.maxS + 1)

        // α
        for s in 0..<sp { alpha[s] = -.infinity }
        alpha[0] = lp[a.blank]
        if sp > 1 { alpha[1] = lp[label(1)] }
        for t in 1..<Swift.max(tn, 1) {
            let prev = alpha + (t - 1) * sp, cur = alpha + t * sp, frame = lp + t * frameStride
            for s in 0..<sp {
                let l = label(s)
                var v = prev[s]
                if s >= 1 { v = logAdd(v, prev[s - 1]) }
                if s >= 2 && l != a.blank && l != label(s - 2) { v = logAdd(v, prev[s - 2]) }
                cur[s] = v == -.infinity ? -.infinity : v + frame[l]
            }
        }
        let last = alpha + (tn - 1) * sp
        let logLikelihood = sp > 1 ? logAdd(last[sp - 1], last[sp - 2]) : last[sp - 1]
        let nll = -logLikelihood
        let zeroed = a.zeroInfinity && nll == .infinity
        a.losses[b] = zeroed ? 0 : nll
        guard let grad else { return }
        if zeroed {
            for t in 0..<a.t { (grad + t * frameStride).update(repeating: 0, count: a.c) }
            return
        }

        // β, newest row in betaRows[(t & 1)·sp ..], with the gradient at each t.
        for t in stride(from: tn - 1, through: 0, by: -1) {
            let cur = betaRows + (t & 1) * sp, next = betaRows + ((t + 1) & 1) * sp
            let frame = lp + t * frameStride
            if t == tn - 1 {
                for s in 0..<sp { cur[s] = -.infinity }
                cur[sp - 1] = frame[a.blank]
                if sp > 1 { cur[sp - 2] = frame[label(sp - 2)] }
            } else {
                for s in 0..<sp {
                    let l = label(s)
                    var v = next[s]
                    if s + 1 < sp { v = logAdd(v, next[s + 1]) }
                    if s + 2 < sp && l != a.blank && label(s + 2) != l { v = logAdd(v, next[s + 2]) }
                    cur[s] = v == -.infinity ? -.infinity : v + frame[l]
                }
            }
            for k in 0..<a.c { occupancy[k] = -.infinity }
            let al = alpha + t * sp
            for s in 0..<sp {
                let l = label(s)
                occupancy[l] = logAdd(occupancy[l], al[s] + cur[s])
            }
            let g = grad + t * frameStride
            // γ_t(c) = exp(occ − lp + nll); d loss/d lp = −γ.
            for k in 0..<a.c {
                let gamma = occupancy[k] == -.infinity ? 0 : Foundation.exp(occupancy[k] + nll - frame[k])
                if a.throughSoftmax {
                    g[k] = gOut * (Foundation.exp(frame[k]) - gamma)
                } else {
                    g[k] = -gOut * gamma
                }
            }
        }
        for t in tn..<a.t { (grad + t * frameStride).update(repeating: 0, count: a.c) }
    }

    /// out = x − logsumexp(x) for one row (out may alias nothing in x; Double sum).
    static func logSoftmaxRow(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        var m = -Float.infinity
        for k in 0..<count { m = Swift.max(m, x[k]) }
        var sum = 0.0
        for k in 0..<count { sum += Foundation.exp(Double(x[k] - m)) }
        let lse = m + Float(Foundation.log(sum))
        for k in 0..<count { out[k] = x[k] - lse }
    }
}
