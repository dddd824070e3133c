// A two-layer pre-LN decoder-only Transformer, built from tape ops only, trained on a toy copy task:
// input "a b c d SEP a b c d" (random symbols), next-token prediction, loss on the copy half only.
// Parameters come from an explicit seeded generator; the optimiser is a small Adam written here (the
// real one lives in Optim). Checks: the loss gets near zero, and two runs with the same seed and thread
// count give bit-identical loss sequences.
//
// Shapes: B batch, T positions (8), d model width (32), H heads (2), Dh = d/H, F FFN width (64), V vocab (12).
// MTLA_TOY_STEPS=N runs N steps instead of the default.
import Autograd
import Foundation
import SeededRandom
import TensorCore
import Testing

/// The model's parameters, in a fixed order (the optimiser walks them in this order).
struct ToyTransformer {
    static let (vocab, width, heads, ffn, layers, positions) = (12, 32, 2, 64, 2, 8)
    let embed: Variable, pos: Variable
    let blocks: [[String: Variable]]
    let lnF: (Variable, Variable), out: (Variable, Variable)
    var all: [Variable] {
        [embed, pos] + blocks.flatMap { b in b.keys.sorted().map { b[$0]! } } + [lnF.0, lnF.1, out.0, out.1]
    }

    init(seed: UInt64) {
        var g = Xoshiro256(seed: seed)
        let (v, d, f) = (Self.vocab, Self.width, Self.ffn)
        func param(_ shape: [Int], std: Float) -> Variable {
            Variable(Tensor.randomNormal(shape, std: std, using: &g), requiresGrad: true)
        }
        func const(_ shape: [Int], _ x: Float) -> Variable { Variable(Tensor(shape: shape, repeating: x), requiresGrad: true) }
        embed = param([v, d], std: 0.1)
        pos = param([Self.positions, d], std: 0.1)
        var blocks: [[String: Variable]] = []
        for _ in 0..<Self.layers {
            let s = 1 / Float(d).squareRoot()
            blocks.append(["ln1.w": const([d], 1), "ln1.b": const([d], 0),
                           "qkv.w": param([3 * d, d], std: s), "qkv.b": const([3 * d], 0),
                           "proj.w": param([d, d], std: s / 2), "proj.b": const([d], 0),
                           "ln2.w": const([d], 1), "ln2.b": const([d], 0),
                           "fc1.w": param([f, d], std: s), "fc1.b": const([f], 0),
                           "fc2.w": param([d, f], std: 1 / Float(f).squareRoot() / 2), "fc2.b": const([d], 0)])
        }
        self.blocks = blocks
        lnF = (const([d], 1), const([d], 0))
        out = (param([v, d], std: 1 / Float(d).squareRoot()), const([v], 0))
    }

    /// Logits (B, T, V) for tokens (B, T).
    func callAsFunction(_ tokens: Int32Tensor, tape t: Tape) -> Variable {
        let (b, len, d, h) = (tokens.shape[0], tokens.shape[1], Self.width, Self.heads)
        var x = t.add(t.embedding(embed, tokens), t.slice(pos, axis: 0, start: 0, length: len))
        for p in blocks {
            let n1 = t.layerNorm(x, weight: p["ln1.w"]!, bias: p["ln1.b"]!)
            let qkv = t.split(t.linear(n1, weight: p["qkv.w"]!, bias: p["qkv.b"]!), axis: -1, sizes: [d, d, d])
                .map { t.reshape($0, [b, len, h, d / h]) }
            let a = t.scaledDotProductAttention(qkv[0], qkv[1], qkv[2], layout: .sequenceMajor, causal: true)
            x = t.add(x, t.linear(t.reshape(a, [b, len, d]), weight: p["proj.w"]!, bias: p["proj.b"]!))
            let n2 = t.layerNorm(x, weight: p["ln2.w"]!, bias: p["ln2.b"]!)
            let ff = t.linear(t.relu(t.linear(n2, weight: p["fc1.w"]!, bias: p["fc1.b"]!)), weight: p["fc2.w"]!, bias: p["fc2.b"]!)
            x = t.add(x, ff)
        }
        return t.linear(t.layerNorm(x, weight: lnF.0, bias: lnF.1), weight: out.0, bias: out.1)
    }
}

/// Adam (Kingma & Ba, PyTorch's defaults β = (0.9, 0.999), ε = 1e-8, no weight decay), in place.
struct ToyAdam {
    let lr: Float, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8
    var m: [[Float]], v: [[Float]], step = 0

    init(lr: Float, parameters: [Variable]) {
        self.lr = lr
        m = parameters.map { [Float](repeating: 0, count: $0.value.count) }
        v = m
    }

    mutating func update(_ parameters: [Variable]) {
        step += 1
        let c1 = 1 - pow(beta1, Float(step)), c2 = 1 - pow(beta2, Float(step))
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad?.scalars else { continue }
            p.value.withUnsafeMutableBufferPointer { w in
                for j in 0..<g.count {
                    m[i][j] = beta1 * m[i][j] + (1 - beta1) * g[j]
                    v[i][j] = beta2 * v[i][j] + (1 - beta2) * g[j] * g[j]
                    w[j] -= lr * (m[i][j] / c1) / ((v[i][j] / c2).squareRoot() + eps)
                }
            }
            p.zeroGrad()
        }
    }
}

enum CopyTask {
    /// Sequences "s₁…s₄ SEP s₁…s₄" (9 tokens, symbols 2..<12, SEP = 1); inputs are the first 8, targets
    /// the last 8, with −1 (ignored) where the target is not in the copy half.
    static let (half, separator, ignore): (Int, Int32, Int32) = (4, 1, -1)

    static func batch<G: RandomNumberGenerator>(_ b: Int, using g: inout G) -> (inputs: Int32Tensor, targets: Int32Tensor) {
        var inputs: [Int32] = [], targets: [Int32] = []
        for _ in 0..<b {
            let s = (0..<half).map { _ in Int32(g.nextInt(2, ToyTransformer.vocab)) }
            let full = s + [separator] + s
            inputs += full.dropLast()
            targets += full.dropFirst().enumerated().map { i, x in i >= half ? x : ignore }
        }
        let t = 2 * half
        return (Int32Tensor(shape: [b, t], scalars: inputs), Int32Tensor(shape: [b * t], scalars: targets))
    }
}

/// Trains from `seed` for `steps` steps on `threads` threads; returns the mean loss per copied token of each step.
func trainToyCopy(seed: UInt64, steps: Int, threads: Int) -> [Float] {
    let ctx = ComputeContext(threads: threads)
    ctx.activate()
    defer { ComputeContext.serial.activate() }
    let model = ToyTransformer(seed: seed)
    let params = model.all
    var adam = ToyAdam(lr: 3e-3, parameters: params)
    var data = Xoshiro256(seed: seed &+ 1)
    var losses: [Float] = []
    for _ in 0..<steps {
        let (x, y) = CopyTask.batch(16, using: &data)
        let tape = Tape(context: ctx)
        let logits = model(x, tape: tape)
        let ce = tape.labelSmoothedCrossEntropy(tape.reshape(logits, [-1, ToyTransformer.vocab]), targets: y,
                                                epsilon: 0, ignoreIndex: CopyTask.ignore)
        let loss = tape.affine(ce.loss, 1 / Float(ce.tokens))
        losses.append(loss.value.item)
        tape.backward(loss)
        adam.update(params)
    }
    return losses
}

@Suite(.serialized) struct ToyTransformerTests {
    static let steps = ProcessInfo.processInfo.environment["MTLA_TOY_STEPS"].flatMap { Int($0) } ?? 200

    /// Chance level is ln 10 ≈ 2.30 nats per copied token (10 symbols), and no model can beat it without
    /// attending 5 positions back, so 0.02 nats (p(correct) ≈ 0.98, mean of the last 10 steps) means it
    /// copies. Measured: 2.83 → 0.0039 after 200 steps (0.03 at step 50), a 5× margin.
    static let threshold: Float = 0.02

    @Test func learnsToCopy() {
        let losses = trainToyCopy(seed: 42, steps: Self.steps, threads: 1)
        let last = losses.suffix(10).reduce(0, +) / 10
        print("toy copy task: loss \(losses[0]) → \(last) (mean of last 10 of \(losses.count) steps); every 25 steps: \(stride(from: 0, to: losses.count, by: 25).map { losses[$0] })")
        #expect(losses[0] > 1.5, "initial loss \(losses[0]) should be near chance (2.3)")
        #expect(last < Self.threshold, "final loss \(last) ≥ \(Self.threshold)")
    }

    @Test(arguments: [1, 2])
    func sameSeedAndThreadsGiveBitIdenticalLosses(threads: Int) {
        let a = trainToyCopy(seed: 7, steps: 30, threads: threads)
        let b = trainToyCopy(seed: 7, steps: 30, threads: threads)
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        #expect(a != trainToyCopy(seed: 8, steps: 30, threads: threads), "another seed gives another run")
    }
}
