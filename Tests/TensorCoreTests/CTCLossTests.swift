import Foundation
import TensorCore
import Testing
import _TestSupport

struct CTCGoldenCase: Decodable, Sendable, CustomStringConvertible {
    let name: String
    let T: Int, N: Int, C: Int, blank: Int
    let zero_infinity: Bool
    let input_lengths: [Int32]
    let target_lengths: [Int32]
    let targets_padded: [Float]
    let max_target_length: Int
    let targets_concatenated: [Int32]
    let logits: [Float]
    let log_probs: [Float]
    let losses: [Float]
    let grad_logits_sum: [Float]
    let loss_mean: Float
    let grad_logits_mean: [Float]
    let grad_log_probs_torch_native: [Float]
    var description: String { name }

    static func load() throws -> [CTCGoldenCase] {
        struct File: Decodable { let cases: [CTCGoldenCase] }
        let data = try Foundation.Data(contentsOf: TestData.url("golden/losses/ctc.json"))
        return try JSONDecoder().decode(File.self, from: data).cases
    }

    /// (T, N, C) → (N, T, C).
    func batchMajor(_ x: [Float]) -> [Float] {
        var y = x
        for t in 0..<T { for n in 0..<N { for c in 0..<C { y[(n * T + t) * C + c] = x[(t * N + n) * C + c] } } }
        return y
    }

    struct Run { var losses: [Float]; var grad: [Float] }

    /// Runs the kernel on this case (log-probs or logits input, either target form, either layout).
    func run(fromLogits: Bool, concatenated: Bool, layout: CTCLoss.Layout, zeroInfinity: Bool? = nil,
             gradOutputs: [Float]? = nil, threads: Int = 1) -> Run {
        let input = layout == .timeMajor ? (fromLogits ? logits : log_probs)
                                         : batchMajor(fromLogits ? logits : log_probs)
        let targets = concatenated ? targets_concatenated : targets_padded.map { Int32($0) }
        let form: CTCLoss.Targets = concatenated ? .concatenated : .padded(maxLength: max_target_length)
        var losses = [Float](repeating: .nan, count: N)
        var grad = [Float](repeating: .nan, count: T * N * C)
        var ws = [Float](repeating: .nan, count: CTCLoss.workspaceCount(maxInputLength: T,
                         maxTargetLength: max_target_length, classes: C, threads: threads))
        let g = gradOutputs ?? [Float](repeating: 1, count: N)
        if fromLogits {
            CTCLoss.fromLogits(logits: input, layout: layout, maxInputLength: T, batch: N, classes: C,
                               inputLengths: input_lengths, targets: targets, targetLayout: form,
                               targetLengths: target_lengths, blank: blank, zeroInfinity: zeroInfinity ?? zero_infinity,
                               losses: &losses, gradOutputs: g, gradLogits: &grad,
                               maxTargetLength: max_target_length, workspace: &ws, threads: threads)
        } else {
            CTCLoss.forward(logProbs: input, layout: layout, maxInputLength: T, batch: N, classes: C,
                            inputLengths: input_lengths, targets: targets, targetLayout: form,
                            targetLengths: target_lengths, blank: blank, zeroInfinity: zeroInfinity ?? zero_infinity,
                            losses: &losses, gradOutputs: g, gradLogProbs: &grad,
                            maxTargetLength: max_target_length, workspace: &ws, threads: threads)
        }
        return Run(losses: losses, grad: layout == .timeMajor ? grad : timeMajor(grad))
    }

    func timeMajor(_ y: [Float]) -> [Float] {
        var x = y
        for t in 0..<T { for n in 0..<N { for c in 0..<C { x[(t * N + n) * C + c] = y[(n * T + t) * C + c] } } }
        return x
    }
}

struct CTCVariant: Sendable, CustomStringConvertible {
    let golden: CTCGoldenCase
    let concatenated: Bool
    let layout: CTCLoss.Layout
    var description: String { "\(golden.name) \(concatenated ? "concatenated" : "padded") \(layout)" }
}

@Suite struct CTCLossTests {
    static let cases: [CTCGoldenCase] = (try? CTCGoldenCase.load()) ?? []
    static let variants: [CTCVariant] = cases.flatMap { c in
        [(false, CTCLoss.Layout.timeMajor), (true, .timeMajor), (false, .batchMajor), (true, .batchMajor)]
            .map { CTCVariant(golden: c, concatenated: $0.0, layout: $0.1) }
    }

    // Float32 log-space recursions over ≤ 15 frames: losses of size ~20 agree to ~1e-6 relative.
    static let lossTolerance: Double = 2e-5
    // Occupancies exp(α + β − lp + nll) in Float32: ~1e-6 absolute on values in [−1, 1].
    static let gradTolerance: Double = 5e-6

    @Test func goldensPresent() { #expect(Self.cases.count == 4) }

    @Test(arguments: variants)
    func logitsMatchTorch(_ v: CTCVariant) {
        let c = v.golden
        let r = c.run(fromLogits: true, concatenated: v.concatenated, layout: v.layout)
        #expect(DifferenceStats(r.losses, c.losses).maxAbs <= Self.lossTolerance, "\(v) losses \(r.losses) vs \(c.losses)")
        let d = DifferenceStats(r.grad, c.grad_logits_sum)
        #expect(d.maxAbs <= Self.gradTolerance, "\(v) grad: \(d)")
        // PyTorch's native log-prob gradient is this same quantity.
        #expect(DifferenceStats(r.grad, c.grad_log_probs_torch_native).maxAbs <= Self.gradTolerance)
    }

    /// The true log-prob gradient, pushed through the log-softmax backward (g − softmax·Σg), gives
    /// PyTorch's logits gradient.
    @Test(arguments: variants)
    func logProbGradientThroughLogSoftmaxMatchesTorch(_ v: CTCVariant) {
        let c = v.golden
        let r = c.run(fromLogits: false, concatenated: v.concatenated, layout: v.layout)
        #expect(DifferenceStats(r.losses, c.losses).maxAbs <= Self.lossTolerance, "\(v)")
        var chained = r.grad
        for row in 0..<(c.T * c.N) {
            var s: Float = 0
            for k in 0..<c.C { s += r.grad[row * c.C + k] }
            for k in 0..<c.C { chained[row * c.C + k] -= exp(c.log_probs[row * c.C + k]) * s }
        }
        let d = DifferenceStats(chained, c.grad_logits_sum)
        #expect(d.maxAbs <= Self.gradTolerance, "\(v): \(d)")
    }

    @Test(arguments: cases)
    func meanReductionMatchesTorch(_ c: CTCGoldenCase) {
        var weights = [Float](repeating: 0, count: c.N)
        CTCLoss.reductionWeights(targetLengths: c.target_lengths, batch: c.N, reduction: .mean, into: &weights)
        let r = c.run(fromLogits: true, concatenated: false, layout: .timeMajor, gradOutputs: weights)
        let mean = CTCLoss.reduce(losses: r.losses, targetLengths: c.target_lengths, batch: c.N, reduction: .mean)
        #expect(abs(mean - c.loss_mean) <= 1e-5 * max(1, abs(c.loss_mean)), "\(mean) vs \(c.loss_mean)")
        #expect(DifferenceStats(r.grad, c.grad_logits_mean).maxAbs <= Self.gradTolerance)
    }

    /// Without zero_infinity the infeasible sequence has loss +∞ (PyTorch gives inf too).
    @Test func infeasibleIsInfinite() throws {
        let c = try #require(Self.cases.first { $0.name == "infeasible_zero_infinity" })
        let r = c.run(fromLogits: true, concatenated: false, layout: .timeMajor, zeroInfinity: false)
        #expect(r.losses[1] == .infinity)
        #expect(abs(r.losses[0] - c.losses[0]) <= 1e-4)
    }

    @Test func identicalForAnyThreadCount() throws {
        let c = try #require(Self.cases.first { $0.name == "blank_last_repeats" })
        let a = c.run(fromLogits: true, concatenated: true, layout: .batchMajor, threads: 1)
        let b = c.run(fromLogits: true, concatenated: true, layout: .batchMajor, threads: 3)
        #expect(a.losses == b.losses && a.grad == b.grad)
    }

    /// The true log-prob gradient against central differences of the loss (Float32 loss ≈ 10, so
    /// h = 1e-2: rounding ≈ 1e-6/h = 1e-4, truncation O(h²) ≈ 1e-4; bound 2e-3).
    @Test func logProbGradientMatchesFiniteDifferences() throws {
        let c = try #require(Self.cases.first { $0.name == "blank0_padded" })
        let r = c.run(fromLogits: false, concatenated: false, layout: .timeMajor)
        var lp = c.log_probs
        func total() -> Float {
            var losses = [Float](repeating: 0, count: c.N)
            var ws = [Float](repeating: 0, count: CTCLoss.workspaceCount(maxInputLength: c.T,
                             maxTargetLength: c.max_target_length, classes: c.C, threads: 1))
            CTCLoss.forward(logProbs: lp, maxInputLength: c.T, batch: c.N, classes: c.C, inputLengths: c.input_lengths,
                            targets: c.targets_padded.map { Int32($0) },
                            targetLayout: .padded(maxLength: c.max_target_length), targetLengths: c.target_lengths,
                            blank: c.blank, losses: &losses, maxTargetLength: c.max_target_length, workspace: &ws)
            return losses.reduce(0, +)
        }
        let h: Float = 1e-2
        for idx in stride(from: 0, to: lp.count, by: 5) {
            let saved = lp[idx]
            lp[idx] = saved + h
            let plus = total()
            lp[idx] = saved - h
            let minus = total()
            lp[idx] = saved
            let numeric = (plus - minus) / (2 * h)
            #expect(abs(numeric - r.grad[idx]) <= 2e-3, "d lp[\(idx)]: \(numeric) vs \(r.grad[idx])")
        }
    }
}
