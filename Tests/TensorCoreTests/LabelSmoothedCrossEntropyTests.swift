import Foundation
import TensorCore
import Testing
import _TestSupport

struct LSCEGoldenCase: Decodable, Sendable, CustomStringConvertible {
    let name: String
    let rows: Int
    let vocab: Int
    let epsilon: Float
    let ignore_index: Int32?
    let logits: [Float]
    let log_probs: [Float]
    let targets: [Int32]
    let loss: Float
    let nll_loss: Float
    let row_loss: [Float]
    let grad_logits: [Float]
    let grad_log_probs: [Float]
    var description: String { name }

    static func load() throws -> [LSCEGoldenCase] {
        struct File: Decodable { let cases: [LSCEGoldenCase] }
        let data = try Foundation.Data(contentsOf: TestData.url("golden/losses/label_smoothed_ce.json"))
        return try JSONDecoder().decode(File.self, from: data).cases
    }
}

@Suite struct LabelSmoothedCrossEntropyTests {
    static let cases: [LSCEGoldenCase] = (try? LSCEGoldenCase.load()) ?? []

    @Test func goldensPresent() { #expect(Self.cases.count == 3) }

    // PyTorch sums the rows in float32, we in Double: sums of ≤ 20 rows of size ≤ 10 differ by a few
    // float32 ulps of the total (~2e-6 relative). Bound 1e-5 relative.
    static func close(_ a: Float, _ b: Float, rel: Float = 1e-5) -> Bool { abs(a - b) <= rel * max(1, abs(b)) }

    @Test(arguments: cases)
    func logProbsMatchFairseq(_ c: LSCEGoldenCase) {
        var rowLoss = [Float](repeating: .nan, count: c.rows)
        var grad = [Float](repeating: .nan, count: c.rows * c.vocab)
        let r = rowLoss.withUnsafeMutableBufferPointer { rl in
            LabelSmoothedCrossEntropy.forward(logProbs: c.log_probs, targets: c.targets, rows: c.rows, vocab: c.vocab,
                                              epsilon: c.epsilon, ignoreIndex: c.ignore_index, rowLoss: rl.baseAddress)
        }
        #expect(Self.close(r.loss, c.loss), "\(r.loss) vs \(c.loss)")
        #expect(Self.close(r.nllLoss, c.nll_loss), "\(r.nllLoss) vs \(c.nll_loss)")
        #expect(r.tokens == c.targets.filter { $0 != c.ignore_index }.count)
        // Per-row values: single row sums of V float32 terms, 1e-5 relative.
        #expect(DifferenceStats(rowLoss, c.row_loss).maxAbs <= 1e-5 * 30)
        LabelSmoothedCrossEntropy.backward(targets: c.targets, rows: c.rows, vocab: c.vocab, epsilon: c.epsilon,
                                           ignoreIndex: c.ignore_index, gradLoss: 1, gradLogProbs: &grad)
        // Constants −eps_i and −(1 − ε): exact up to the float32 rounding of ε/(V−1).
        #expect(DifferenceStats(grad, c.grad_log_probs).maxAbs <= 1e-7)
    }

    @Test(arguments: cases)
    func logitsMatchFairseq(_ c: LSCEGoldenCase) {
        var grad = [Float](repeating: .nan, count: c.rows * c.vocab)
        let r = LabelSmoothedCrossEntropy.fromLogits(logits: c.logits, targets: c.targets, rows: c.rows, vocab: c.vocab,
                                                     epsilon: c.epsilon, ignoreIndex: c.ignore_index,
                                                     gradLogits: &grad, threads: 2)
        #expect(Self.close(r.loss, c.loss), "\(r.loss) vs \(c.loss)")
        #expect(Self.close(r.nllLoss, c.nll_loss), "\(r.nllLoss) vs \(c.nll_loss)")
        // softmax − smoothed target: probabilities from the polynomial exp (~2 ulp) and a float32
        // log-sum-exp: 1e-6 absolute on values in [−1, 1].
        let d = DifferenceStats(grad, c.grad_logits)
        #expect(d.maxAbs <= 1e-6, "\(d)")
    }

    /// Fixed 64-row blocks summed in order: identical for any thread count.
    @Test func identicalForAnyThreadCount() {
        let n = 1000, v = 203
        let logits = kernelGaussian(n * v, seed: 77, scale: 3)
        let targets = (0..<n).map { Int32(($0 * 37) % v) }
        var g1 = [Float](repeating: 0, count: n * v), g2 = g1
        let r1 = LabelSmoothedCrossEntropy.fromLogits(logits: logits, targets: targets, rows: n, vocab: v, epsilon: 0.1,
                                                      ignoreIndex: 5, gradLogits: &g1, threads: 1)
        let r2 = LabelSmoothedCrossEntropy.fromLogits(logits: logits, targets: targets, rows: n, vocab: v, epsilon: 0.1,
                                                      ignoreIndex: 5, gradLogits: &g2, threads: 2)
        #expect(r1 == r2)
        #expect(g1 == g2)
    }
}
