import Autograd
import SeededRandom
import TensorCore
import Testing

@Suite struct TapeTests {
    @Test func noGradRecordsNothing() {
        let tape = Tape()
        let w = Variable(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), requiresGrad: true)
        let x = Variable(Tensor(shape: [1, 2], scalars: [1, 1]))
        let y = tape.noGrad { tape.layerNorm(tape.matmul(x, w), weight: nil, bias: nil) }
        #expect(tape.recordedCount == 0 && !y.requiresGrad)
        #expect(tape.mode == .recording, "mode restored after noGrad")
        _ = tape.matmul(x, w)
        #expect(tape.recordedCount == 1)
        _ = tape.matmul(x, x, transposeA: true)   // no input requires a gradient
        #expect(tape.recordedCount == 1)
    }

    @Test func gradientsAccumulateOverBackwardPassesUntilZeroed() {
        let w = Variable(Tensor(shape: [3], scalars: [1, 2, 3]), requiresGrad: true)
        for _ in 0..<2 {
            let tape = Tape()
            tape.backward(tape.sum(tape.mul(w, w)))
        }
        #expect(w.grad?.scalars == [4, 8, 12])
        w.zeroGrad()
        #expect(w.grad == nil)
    }

    @Test func aVariableUsedTwiceGetsBothContributions() {
        let tape = Tape()
        let x = Variable(Tensor(shape: [2], scalars: [3, -1]), requiresGrad: true)
        let y = tape.add(tape.affine(x, 2), tape.mul(x, x))   // 2x + x² → 2 + 2x
        tape.backward(tape.sum(y))
        #expect(x.grad?.scalars == [8, 0])
    }

    @Test func embeddingPaddingRowGetsNoGradient() {
        let tape = Tape()
        let table = Variable(Tensor(shape: [4, 2], repeating: 1), requiresGrad: true)
        let e = tape.embedding(table, Int32Tensor(shape: [3], scalars: [1, 0, 1]), paddingIndex: 1)
        tape.backward(tape.sum(e))
        #expect(table.grad?.scalars == [1, 1, 0, 0, 0, 0, 0, 0])
    }

    @Test func sameSeedSameThreadsGivesBitIdenticalTraining() {
        func run() -> [Float] {
            var g = Xoshiro256(seed: 1)
            let w = Variable(Tensor.randomNormal([8, 16], std: 0.3, using: &g), requiresGrad: true)
            let x = Tensor.randomNormal([5, 16], using: &g)
            var losses: [Float] = []
            for _ in 0..<5 {
                let tape = Tape(context: ComputeContext(threads: 2))
                let h = tape.dropout(tape.activation(tape.linear(Variable(x), weight: w, bias: nil), .geluTanh), p: 0.1, using: &g)
                let loss = tape.mean(tape.logSoftmax(h))
                losses.append(loss.value.item)
                w.zeroGrad()
                tape.backward(loss)
                w.value = w.value - w.grad! * 0.1
            }
            return losses
        }
        #expect(run() == run())
    }

    @Test func normalisationGradientsDoNotDependOnThreadCount() {
        func grads(_ threads: Int) -> [[Float]] {
            var g = Xoshiro256(seed: 2)
            let x = Variable(Tensor.randomNormal([300, 40], using: &g), requiresGrad: true)
            let w = Variable(Tensor.randomNormal([40], using: &g), requiresGrad: true)
            let b = Variable(Tensor.randomNormal([40], using: &g), requiresGrad: true)
            let tape = Tape(context: ComputeContext(threads: threads))
            let y = tape.rmsNorm(tape.layerNorm(x, weight: w, bias: b), weight: w)
            tape.backward(tape.sum(tape.mul(y, y)))
            return [x.grad!.scalars, w.grad!.scalars, b.grad!.scalars]
        }
        #expect(grads(1) == grads(2))
    }
}
