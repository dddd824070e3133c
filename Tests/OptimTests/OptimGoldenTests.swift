import Autograd
import Foundation
import NN
import Optim
import TensorCore
import Testing
import _TestSupport

private func golden(_ name: String) throws -> [String: Tensor] {
    try SafeTensors.read(TestData.url("golden/nn/" + name)).tensors
}

private func allClose(_ a: Tensor, _ b: Tensor, atol: Float, rtol: Float, _ label: String) -> Bool {
    guard a.shape == b.shape else { return false }
    let ok = zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) <= atol + rtol * abs($1) }
    if !ok { print("\(label): \(DifferenceStats(a.scalars, b.scalars))") }
    return ok
}

/// PyTorch 2.11 `torch.optim` numbers from Tools/golden/make_nn_goldens.py (Data/golden/nn/README.md).
/// Tolerance 1e-6 absolute + 1e-5 relative: the same float32 formula, evaluated in the same order as
/// ATen's single-tensor path; the remaining differences are a few ulps (e.g. √v/√bc2 rounding).
@Suite struct OptimGoldenTests {
    private func run(_ name: String, _ make: ([Variable]) -> any Optimizer) throws {
        let g = try golden("optim.safetensors")
        let params = (0..<2).map { Variable(g["param.\($0)"]!, requiresGrad: true) }
        let opt = make(params)
        for step in 1...3 {
            for (i, p) in params.enumerated() { p.grad = g["grad.\(step).\(i)"]! }
            opt.step()
            for (i, p) in params.enumerated() {
                #expect(allClose(p.value, g["\(name).\(step).\(i)"]!, atol: 1e-6, rtol: 1e-5, "\(name) step \(step) param \(i)"))
            }
        }
    }

    @Test func adamFirstThreeSteps() throws {
        try run("adam") { Adam(parameters: $0, learningRate: 1e-2, betas: (0.9, 0.999), eps: 1e-8, weightDecay: 0.1) }
    }

    @Test func adamWFirstThreeSteps() throws {
        try run("adamw") { AdamW(parameters: $0, learningRate: 1e-2, betas: (0.9, 0.999), eps: 1e-8, weightDecay: 0.1) }
    }

    @Test func sgdMomentumFirstThreeSteps() throws {
        try run("sgd") { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01) }
    }

    /// `clip_grad_norm_`: the returned norm to 1e-6 relative (Double accumulation here, float32 in
    /// ATen), clipped gradients as the optimiser tolerance.
    @Test func clipGradNormMatchesPyTorch() throws {
        let g = try golden("clip.safetensors")
        for tag in ["small", "large"] {
            let params = (0..<2).map { i -> Variable in
                let v = Variable(Tensor(zeros: g["\(tag).grad.\(i)"]!.shape), requiresGrad: true)
                v.grad = g["\(tag).grad.\(i)"]!
                return v
            }
            let norm = clipGradNorm(params, maxNorm: Double(g["\(tag).max_norm"]!.item))
            #expect(abs(norm - Double(g["\(tag).norm"]!.item)) <= 1e-6 * norm)
            for (i, p) in params.enumerated() {
                #expect(allClose(p.grad!, g["\(tag).clipped.\(i)"]!, atol: 1e-6, rtol: 1e-5, "\(tag) clipped \(i)"))
            }
        }
    }
}

@Suite struct OptimUnitTests {
    @Test func parametersWithoutGradientAreSkipped() {
        let a = Variable(Tensor(shape: [2], scalars: [1, 2]), requiresGrad: true)
        let b = Variable(Tensor(shape: [1], scalars: [5]), requiresGrad: true)
        let opt = Adam(parameters: [a, b], learningRate: 0.1)
        a.grad = Tensor(shape: [2], scalars: [1, -1])
        opt.step()
        #expect(b.value.scalars == [5] && opt.steps == [1, 0])
        // The first Adam step moves each element by lr·sign(g) (m̂ = g, √v̂ = |g|), up to ε.
        #expect(abs(a.value[0] - 0.9) < 1e-6 && abs(a.value[1] - 2.1) < 1e-6)
        opt.zeroGrad()
        #expect(a.grad == nil)
    }

    @Test func clipWithoutGradientsIsZero() {
        #expect(clipGradNorm([Variable(Tensor(zeros: [3]), requiresGrad: true)], maxNorm: 1) == 0)
    }

    /// fairseq's average_checkpoints: element-wise mean; differing names or shapes are errors.
    @Test func checkpointAveraging() throws {
        let a = ["w": Tensor(shape: [2], scalars: [1, 2]), "b": Tensor(shape: [1], scalars: [0])]
        let b = ["w": Tensor(shape: [2], scalars: [3, 6]), "b": Tensor(shape: [1], scalars: [1])]
        let avg = try CheckpointAveraging.average([a, b])
        #expect(avg["w"]!.scalars == [2, 4] && avg["b"]!.scalars == [0.5])
        #expect(throws: NNError.checkpointKeysDiffer(path: "b", file: "#1")) {
            try CheckpointAveraging.average([a, ["w": a["w"]!, "c": a["b"]!]])
        }
        #expect(throws: NNError.shapeMismatch(path: "w", expected: [2], found: [3], file: "#1")) {
            try CheckpointAveraging.average([a, ["w": Tensor(zeros: [3]), "b": a["b"]!]])
        }
        let dir = try TestData.temporaryDirectory("optim-avg")
        defer { try? FileManager.default.removeItem(at: dir) }
        let urls = [dir.appendingPathComponent("a.safetensors"), dir.appendingPathComponent("b.safetensors")]
        try SafeTensors.write(a, to: urls[0])
        try SafeTensors.write(b, to: urls[1])
        #expect(try CheckpointAveraging.average(files: urls).tensors == avg)
    }
}

@Suite struct OptimStateTests {
    /// Saving the Adam state after 2 steps and resuming in a fresh optimiser gives step 3 bit for bit.
    @Test func adamResumesExactly() throws {
        let g = try golden("optim.safetensors")
        func fresh() -> [Variable] { (0..<2).map { Variable(g["param.\($0)"]!, requiresGrad: true) } }
        func step(_ opt: Adam, _ params: [Variable], _ s: Int) {
            for (i, p) in params.enumerated() { p.grad = g["grad.\(s).\(i)"]! }
            opt.step()
        }
        let a = fresh(), optA = AdamW(parameters: a, learningRate: 1e-2, weightDecay: 0.1)
        for s in 1...3 { step(optA, a, s) }
        let b = fresh(), optB = AdamW(parameters: b, learningRate: 1e-2, weightDecay: 0.1)
        for s in 1...2 { step(optB, b, s) }
        let dir = try TestData.temporaryDirectory("optim-state")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("opt.safetensors")
        try SafeTensors.write(optB.stateTensors(), to: url)
        let optC = AdamW(parameters: b, learningRate: 1e-2, weightDecay: 0.1)
        try optC.loadState(SafeTensors.read(url).tensors, file: url.path)
        step(optC, b, 3)
        #expect(a.map(\.value) == b.map(\.value))
        var bad = optB.stateTensors()
        bad["state.1.exp_avg"] = Tensor(zeros: [4])
        #expect(throws: NNError.shapeMismatch(path: "state.1.exp_avg", expected: [5], found: [4], file: "f")) {
            try optC.loadState(bad, file: "f")
        }
        bad["state.1.exp_avg"] = nil
        #expect(throws: NNError.missingParameter(path: "state.1.exp_avg", file: "f")) { try optC.loadState(bad, file: "f") }
    }

    @Test func nonFiniteNormLeavesGradientsUnchanged() {
        let p = Variable(Tensor(zeros: [2]), requiresGrad: true)
        p.grad = Tensor(shape: [2], scalars: [.infinity, 1])
        #expect(clipGradNorm([p], maxNorm: 1) == .infinity)
        #expect(p.grad!.scalars == [.infinity, 1])
    }
}
