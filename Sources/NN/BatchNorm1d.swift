import Autograd
import TensorCore

/// PyTorch's `nn.BatchNorm1d` over (B, C, T): `weight`, `bias` (C) and the buffers `running_mean`,
/// `running_var` (C), `num_batches_tracked` ([]).
///
/// Training (`isTraining`, recording tape): each channel is normalised by the mean and biased variance
/// of its *real* frames (t < lengths[b]; padding does not enter the statistics, unlike PyTorch, so a
/// row's padding cannot change other rows), and the running statistics move by `momentum` towards the
/// batch mean and unbiased variance. Evaluation: the running statistics. Padded outputs are unspecified.
public final class BatchNorm1d: Module {
    public let weight: Variable, bias: Variable
    public let runningMean: Variable, runningVar: Variable, batchesTracked: Variable
    public let eps: Float, momentum: Float
    public var isTraining = true

    public init(_ channels: Int, eps: Float = 1e-5, momentum: Float = 0.1) {
        weight = Variable(Tensor(shape: [channels], repeating: 1), requiresGrad: true)
        bias = Variable(Tensor(zeros: [channels]), requiresGrad: true)
        runningMean = Variable(Tensor(zeros: [channels]))
        runningVar = Variable(Tensor(shape: [channels], repeating: 1))
        batchesTracked = Variable(Tensor(0))
        self.eps = eps
        self.momentum = momentum
    }

    public var localParameters: [(String, Variable)] { [("weight", weight), ("bias", bias)] }
    public var localBuffers: [(String, Variable)] {
        [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", batchesTracked)]
    }

    /// x (B, C, T) with `lengths` (B) real frames → (B, C, T).
    public func callAsFunction(_ x: Variable, lengths: [Int32], on tape: Tape) -> Variable {
        let (b, c, t) = (x.shape[0], x.shape[1], x.shape[2])
        precondition(c == weight.shape[0] && lengths.count == b, "BatchNorm1d: x \(x.shape) for \(weight.shape[0]) channels, \(lengths.count) lengths")
        let w = tape.reshape(weight, [1, c, 1]), shift = tape.reshape(bias, [1, c, 1])
        guard isTraining && tape.mode == .recording else {
            let scale = Tensor(shape: [1, c, 1], scalars: runningVar.value.scalars.map { 1 / ($0 + eps).squareRoot() })
            let centred = tape.sub(x, Variable(runningMean.value.reshaped([1, c, 1])))
            return tape.add(tape.mul(tape.mul(centred, Variable(scale)), w), shift)
        }
        // Real frames as rows (N, C); statistics per channel over the rows.
        let rows = tape.reshape(tape.permute(x, [0, 2, 1]), [b * t, c])
        let real = (0..<b).flatMap { r in (0..<Int(lengths[r])).map { Int32(r * t + $0) } }
        let n = real.count
        precondition(n > 0, "BatchNorm1d: no real frame in the batch")
        let picked = tape.indexSelect(rows, axis: 0, Int32Tensor(shape: [n], scalars: real))
        let mean = tape.mean(picked, axis: 0, keepingDimension: true)                         // (1, C)
        let centred = tape.sub(rows, mean)                                                    // (B·T, C)
        let pickedCentred = tape.sub(picked, mean)
        let variance = tape.mean(tape.mul(pickedCentred, pickedCentred), axis: 0, keepingDimension: true)
        let inverseStd = inverseSquareRoot(tape.affine(variance, 1, eps), on: tape)
        let normalised = tape.permute(tape.reshape(tape.mul(centred, inverseStd), [b, t, c]), [0, 2, 1])
        update(mean: mean.value.scalars, biasedVariance: variance.value.scalars, count: n)
        return tape.add(tape.mul(normalised, w), shift)
    }

    /// 1/√v with its exact first derivative −½ v^(−3/2): the value r = 1/√v₀ as a constant plus
    /// (v − v₀)·(−½ r³), whose value is r (v − v₀ is exactly 0) and whose gradient is the derivative.
    private func inverseSquareRoot(_ v: Variable, on tape: Tape) -> Variable {
        let r = Tensor(shape: v.shape, scalars: v.value.scalars.map { 1 / $0.squareRoot() })
        let slope = Tensor(shape: v.shape, scalars: r.scalars.map { -0.5 * $0 * $0 * $0 })
        return tape.add(Variable(r), tape.mul(tape.sub(v, Variable(v.value)), Variable(slope)))
    }

    private func update(mean: [Float], biasedVariance: [Float], count n: Int) {
        let m = momentum, unbias = n > 1 ? Float(n) / Float(n - 1) : 1
        runningMean.value = Tensor(shape: runningMean.shape, scalars: zip(runningMean.value.scalars, mean).map { (1 - m) * $0 + m * $1 })
        runningVar.value = Tensor(shape: runningVar.shape, scalars: zip(runningVar.value.scalars, biasedVariance).map {
            (1 - m) * $0 + m * $1 * unbias
        })
        batchesTracked.value = Tensor(batchesTracked.value.item + 1)
    }
}
