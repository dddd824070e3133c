import Autograd
import NN
import SeededRandom
import TensorCore
import Testing

/// DepthwiseConv1d and BatchNorm1d against plain loops, and their gradients against central
/// differences (h = 1e-2 in Float32; tolerance 2e-3·max(1, |g|) as the attention gradient tests).
@Suite struct ConvolutionNormTests {
    @Test func depthwiseConvolutionEqualsPlainLoops() {
        var g = Xoshiro256(seed: 1)
        let conv = DepthwiseConv1d(channels: 3, kernel: 5, bias: true, generator: &g)
        let x = Tensor.randomNormal([2, 3, 7], using: &g)
        let y = conv(Variable(x), on: Tape(mode: .inference)).value
        let w = conv.weight.value.scalars, b = conv.bias!.value.scalars, xs = x.scalars
        var worst: Float = 0
        for n in 0..<2 { for c in 0..<3 { for t in 0..<7 {
            var s = b[c]
            for k in 0..<5 where (0..<7).contains(t + k - 2) { s += w[c * 5 + k] * xs[(n * 3 + c) * 7 + t + k - 2] }
            worst = max(worst, abs(s - y.scalars[(n * 3 + c) * 7 + t]))
        } } }
        #expect(worst < 1e-6)
    }

    @Test func batchNormTrainingUsesRealFramesAndUpdatesRunningStatistics() {
        var g = Xoshiro256(seed: 2)
        let bn = BatchNorm1d(2)
        bn.weight.value = Tensor(shape: [2], scalars: [1.5, 0.5])
        bn.bias.value = Tensor(shape: [2], scalars: [0.1, -0.2])
        let x = Tensor.randomNormal([2, 2, 4], using: &g)
        let lengths: [Int32] = [4, 2]
        let y = bn(Variable(x), lengths: lengths, on: Tape()).value
        for c in 0..<2 {
            let real = [0, 1, 2, 3].map { x.scalars[(0 * 2 + c) * 4 + $0] } + [0, 1].map { x.scalars[(1 * 2 + c) * 4 + $0] }
            let mean = real.reduce(0, +) / 6
            let variance = real.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 6
            let expected = (x.scalars[c * 4 + 1] - mean) / (variance + 1e-5).squareRoot() * bn.weight.value.scalars[c] + bn.bias.value.scalars[c]
            #expect(abs(y.scalars[c * 4 + 1] - expected) < 1e-5)
            #expect(abs(bn.runningMean.value.scalars[c] - 0.1 * mean) < 1e-6)
            #expect(abs(bn.runningVar.value.scalars[c] - (0.9 + 0.1 * variance * 6 / 5)) < 1e-5)
        }
        #expect(bn.batchesTracked.value.item == 1)
        bn.isTraining = false   // evaluation: the running statistics
        let e = bn(Variable(x), lengths: lengths, on: Tape()).value
        let rm = bn.runningMean.value.scalars[1], rv = bn.runningVar.value.scalars[1]
        #expect(abs(e.scalars[4 + 3] - ((x.scalars[4 + 3] - rm) / (rv + 1e-5).squareRoot() * 0.5 - 0.2)) < 1e-5)
        #expect(Set(bn.stateDict().keys) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
    }

    @Test func gradientsMatchFiniteDifferences() {
        var g = Xoshiro256(seed: 3)
        let conv = DepthwiseConv1d(channels: 3, kernel: 3, bias: true, generator: &g)
        let bn = BatchNorm1d(3)
        bn.weight.value = Tensor.randomUniform([3], low: 0.5, high: 1.5, using: &g)
        let x = Variable(Tensor.randomNormal([2, 3, 6], using: &g), requiresGrad: true)
        let r = Tensor.randomNormal([2, 3, 6], using: &g)
        let lengths: [Int32] = [6, 4]
        let mask = Tensor(shape: [2, 1, 6], scalars: lengths.flatMap { l in (0..<6).map { $0 < Int(l) ? Float(1) : 0 } })
        func loss(recording: Bool) -> (Float, Tape, Variable) {
            let tape = Tape()
            let saved = (bn.runningMean.value, bn.runningVar.value, bn.batchesTracked.value)
            let y = bn(conv(x, on: tape), lengths: lengths, on: tape)
            (bn.runningMean.value, bn.runningVar.value, bn.batchesTracked.value) = saved
            let l = tape.sum(tape.mul(y, Variable(r * mask)))   // padded outputs are unspecified: not in the loss
            return (l.value.item, tape, l)
        }
        let (_, tape, l) = loss(recording: true)
        tape.backward(l)
        for (name, v) in [("x", x), ("conv.weight", conv.weight), ("conv.bias", conv.bias!), ("bn.weight", bn.weight), ("bn.bias", bn.bias)] {
            for i in 0..<min(v.value.count, 12) {
                let h: Float = 1e-2, saved = v.value.scalars[i]
                v.value.withUnsafeMutableBufferPointer { $0[i] = saved + h }
                let up = loss(recording: false).0
                v.value.withUnsafeMutableBufferPointer { $0[i] = saved - h }
                let down = loss(recording: false).0
                v.value.withUnsafeMutableBufferPointer { $0[i] = saved }
                let fd = (up - down) / (2 * h), an = v.grad!.scalars[i]
                #expect(abs(fd - an) / max(1, abs(an)) <= 2e-3, "\(name)[\(i)]: finite difference \(fd), tape \(an)")
            }
        }
    }
}
