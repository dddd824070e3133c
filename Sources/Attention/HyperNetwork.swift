import Autograd
import Foundation
import NN
import SeededRandom
import TensorCore

/// MTLA's hyper-network `hypernet_down` (spec §2.1): `fc_c`, `fc_p` = Linear(r, r/4) with biases. The
/// merge weight of key token j (0-based index in the key sequence) with post-LayerNorm latent c_j is
/// w_j = σ((W_c·pe(⌊j/s⌋) + b_c) · (W_p·c_j + b_p)), a scalar, not normalised over the chunk.
final class HyperNetwork: Module {
    let fcC: Linear, fcP: Linear
    let downRate: Int, rank: Int

    init<G: RandomNumberGenerator>(rank: Int, downRate: Int, generator: inout G) {
        self.rank = rank
        self.downRate = downRate
        fcC = Linear(rank, rank / 4, bias: true, generator: &generator)
        fcP = Linear(rank, rank / 4, bias: true, generator: &generator)
    }

    var children: [(String, any Module)] { [("fc_c", fcC), ("fc_p", fcP)] }

    /// The interleaved sinusoid pe(k) ∈ R^r of chunk indices ⌊j/s⌋ for key indices `start..<start+count`,
    /// (count, r), in Float32 as the reference: div_m = exp(2m·(−ln 10000 / r)), pe_{2m} = sin(k·div_m),
    /// pe_{2m+1} = cos(k·div_m).
    func chunkEmbedding(start: Int, count: Int) -> Tensor {
        let factor = Float(-log(10_000.0) / Double(rank))
        let div = (0..<(rank / 2)).map { Foundation.exp(Float(2 * $0) * factor) }
        var values = [Float](repeating: 0, count: count * rank)
        for j in 0..<count {
            let k = Float((start + j) / downRate)
            for m in 0..<(rank / 2) {
                let a = k * div[m]
                values[j * rank + 2 * m] = Foundation.sin(a)
                values[j * rank + 2 * m + 1] = Foundation.cos(a)
            }
        }
        return Tensor(shape: [count, rank], scalars: values)
    }

    /// Merge weights w (B, T) of latents c (B, T, r) at key indices `starts[b]..<starts[b]+T` in row b.
    func gates(_ c: Variable, starts: [Int], on tape: Tape) -> Variable {
        let t = c.shape[1]
        let table = starts.allSatisfy({ $0 == starts[0] }) ? chunkEmbedding(start: starts[0], count: t)  // (T, r)
            : Tensor.concat(starts.map { chunkEmbedding(start: $0, count: t).reshaped([1, t, rank]) }, axis: 0)  // (B, T, r)
        let pe = fcC(Variable(table), on: tape)                                              // (T | B·T, r/4)
        let p = fcP(c, on: tape)                                                             // (B, T, r/4)
        return tape.gateSigmoid(tape.sum(tape.mul(p, pe), axis: -1))
    }
}
