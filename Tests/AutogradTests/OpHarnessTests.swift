import Autograd
import SeededRandom
import TensorCore
import Testing

@Suite struct OpHarnessTests {
    @Test("fast kernel matches the naive reference", arguments: OpCase.all)
    func forward(_ c: OpCase) throws {
        let inputs = c.inputs()
        let tape = Tape(mode: .inference)
        let out = c.forward(tape, inputs.map { Variable($0, requiresGrad: true) })
        #expect(tape.recordedCount == 0, "inference mode recorded \(tape.recordedCount) nodes")
        let ref = c.reference(inputs.map { $0.scalars.map(Double.init) })
        try #require(out.value.count == ref.count, "\(c.name): \(out.value.count) outputs, reference has \(ref.count)")
        let err = Harness.error(out.value.scalars, ref)
        #expect(err <= c.forwardTolerance.value, "\(c.name): error \(err) > \(c.forwardTolerance.value) (\(c.forwardTolerance.reason))")
    }

    @Test("backward matches central finite differences in Double", arguments: OpCase.all)
    func gradient(_ c: OpCase) throws {
        let inputs = c.inputs()
        let tape = Tape(mode: .recording)
        let vars = inputs.enumerated().map { Variable($1, requiresGrad: !c.constant.contains($0)) }
        let out = c.forward(tape, vars)
        var g = Xoshiro256(seed: 7)
        let w = Tensor.randomUniform(out.shape, low: -1, high: 1, using: &g)
        tape.backward(out, gradient: w)
        #expect(tape.recordedCount == 0, "backward leaves the tape empty")
        let x = inputs.map { $0.scalars.map(Double.init) }
        for k in vars.indices where !c.constant.contains(k) {
            let analytic = try #require(vars[k].grad, "\(c.name): no gradient for input \(k)")
            let fd = Harness.finiteDifferences(c, x, k: k, weights: w.scalars.map(Double.init))
            let err = Harness.error(analytic.scalars, fd)
            #expect(err <= c.gradientTolerance.value,
                    "\(c.name) input \(k): error \(err) > \(c.gradientTolerance.value) (\(c.gradientTolerance.reason))")
        }
    }
}
