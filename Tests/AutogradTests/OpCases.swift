// One case per op (and per interesting variant). Inputs are small so that finite differences stay cheap;
// row lengths like 37 exercise the SIMD16 body and its tail.
import Autograd
import SeededRandom
import TensorCore

private typealias R = Reference

extension OpCase {
    static let all: [OpCase] = linearAlgebra + elementwise + reductions + normalisation + activations
        + indexing + shapes + misc + fused

    static let linearAlgebra: [OpCase] = [
        OpCase(name: "matmul", shapes: [[3, 4], [4, 5]], forward: { $0.matmul($1[0], $1[1]) },
               reference: { R.matmul($0[0], $0[1], m: 3, n: 5, k: 4) }),
        OpCase(name: "matmul folded (2,3,4)·(4,5)", shapes: [[2, 3, 4], [4, 5]], forward: { $0.matmul($1[0], $1[1]) },
               reference: { R.matmul($0[0], $0[1], m: 6, n: 5, k: 4) }),
        OpCase(name: "matmul Aᵀ", shapes: [[4, 3], [4, 5]], forward: { $0.matmul($1[0], $1[1], transposeA: true) },
               reference: { R.matmul($0[0], $0[1], m: 3, n: 5, k: 4, transA: true) }),
        OpCase(name: "matmul Bᵀ", shapes: [[3, 4], [5, 4]], forward: { $0.matmul($1[0], $1[1], transposeB: true) },
               reference: { R.matmul($0[0], $0[1], m: 3, n: 5, k: 4, transB: true) }),
        OpCase(name: "matmul AᵀBᵀ", shapes: [[4, 3], [5, 4]],
               forward: { $0.matmul($1[0], $1[1], transposeA: true, transposeB: true) },
               reference: { R.matmul($0[0], $0[1], m: 3, n: 5, k: 4, transA: true, transB: true) }),
        OpCase(name: "batchedMatmul", shapes: [[2, 3, 4], [2, 4, 5]], forward: { $0.batchedMatmul($1[0], $1[1]) },
               reference: { R.batchedMatmul($0[0], $0[1], batch: 2, m: 3, n: 5, k: 4) }),
        OpCase(name: "batchedMatmul Bᵀ (scores)", shapes: [[2, 2, 3, 4], [2, 2, 5, 4]],
               forward: { $0.batchedMatmul($1[0], $1[1], transposeB: true) },
               reference: { R.batchedMatmul($0[0], $0[1], batch: 4, m: 3, n: 5, k: 4, transB: true) }),
        OpCase(name: "batchedMatmul Aᵀ", shapes: [[2, 4, 3], [2, 4, 5]],
               forward: { $0.batchedMatmul($1[0], $1[1], transposeA: true) },
               reference: { R.batchedMatmul($0[0], $0[1], batch: 2, m: 3, n: 5, k: 4, transA: true) }),
        OpCase(name: "linear (x Wᵀ + b)", shapes: [[2, 3, 4], [5, 4], [5]],
               forward: { $0.linear($1[0], weight: $1[1], bias: $1[2]) },
               reference: { x in
                   R.broadcast(R.matmul(x[0], x[1], m: 6, n: 5, k: 4, transB: true), [6, 5], x[2], [5], +).values
               }),
    ]

    static let elementwise: [OpCase] = [
        OpCase(name: "add same shape", shapes: [[3, 37], [3, 37]], forward: { $0.add($1[0], $1[1]) },
               reference: { R.broadcast($0[0], [3, 37], $0[1], [3, 37], +).values }),
        OpCase(name: "add row broadcast", shapes: [[2, 3, 37], [37]], forward: { $0.add($1[0], $1[1]) },
               reference: { R.broadcast($0[0], [2, 3, 37], $0[1], [37], +).values }),
        OpCase(name: "add scalar broadcast", shapes: [[3, 5], []], forward: { $0.add($1[0], $1[1]) },
               reference: { R.broadcast($0[0], [3, 5], $0[1], [], +).values }),
        OpCase(name: "add general broadcast (2,1,4)+(3,1)", shapes: [[2, 1, 4], [3, 1]], forward: { $0.add($1[0], $1[1]) },
               reference: { R.broadcast($0[0], [2, 1, 4], $0[1], [3, 1], +).values }),
        OpCase(name: "sub row broadcast (reversed)", shapes: [[5], [3, 5]], forward: { $0.sub($1[0], $1[1]) },
               reference: { R.broadcast($0[0], [5], $0[1], [3, 5], -).values }),
        OpCase(name: "mul row broadcast", shapes: [[4, 19], [1, 19]], forward: { $0.mul($1[0], $1[1]) },
               reference: { R.broadcast($0[0], [4, 19], $0[1], [1, 19], *).values }),
        OpCase(name: "mul column broadcast (3,4)·(3,1)", shapes: [[3, 4], [3, 1]], forward: { $0.mul($1[0], $1[1]) },
               reference: { R.broadcast($0[0], [3, 4], $0[1], [3, 1], *).values }),
        OpCase(name: "div", shapes: [[3, 17], [3, 17]], positive: true, forward: { $0.div($1[0], $1[1]) },
               reference: { R.broadcast($0[0], [3, 17], $0[1], [3, 17], /).values }),
        OpCase(name: "div by row", shapes: [[3, 17], [17]], positive: true, forward: { $0.div($1[0], $1[1]) },
               reference: { R.broadcast($0[0], [3, 17], $0[1], [17], /).values }),
        OpCase(name: "affine", shapes: [[3, 21]], forward: { $0.affine($1[0], -1.5, 0.25) },
               reference: { $0[0].map { -1.5 * $0 + 0.25 } }),
    ]

    static let reductions: [OpCase] = [
        OpCase(name: "sum axis 0", shapes: [[4, 3, 5]], forward: { $0.sum($1[0], axis: 0) },
               reference: { R.sum($0[0], shape: [4, 3, 5], axis: 0) }),
        OpCase(name: "sum last axis keep", shapes: [[4, 37]], forward: { $0.sum($1[0], axis: -1, keepingDimension: true) },
               reference: { R.sum($0[0], shape: [4, 37], axis: 1) }),
        OpCase(name: "mean axis 1", shapes: [[2, 6, 3]], forward: { $0.mean($1[0], axis: 1) },
               reference: { R.sum($0[0], shape: [2, 6, 3], axis: 1, mean: true) }),
        OpCase(name: "sum all", shapes: [[3, 37]], forward: { $0.sum($1[0]) }, reference: { [$0[0].reduce(0, +)] }),
        OpCase(name: "mean all", shapes: [[3, 7]], forward: { $0.mean($1[0]) }, reference: { [$0[0].reduce(0, +) / 21] }),
        OpCase(name: "max axis 1", shapes: [[3, 6, 2]], forward: { $0.max($1[0], axis: 1) },
               reference: { R.max($0[0], shape: [3, 6, 2], axis: 1) }),
    ]

    static let normalisation: [OpCase] = [
        OpCase(name: "softmax", shapes: [[3, 37]], forward: { $0.softmax($1[0]) }, reference: { R.softmax($0[0], cols: 37) }),
        OpCase(name: "softmax short rows", shapes: [[2, 3, 5]], forward: { $0.softmax($1[0]) },
               reference: { R.softmax($0[0], cols: 5) }),
        OpCase(name: "logSoftmax", shapes: [[3, 37]], forward: { $0.logSoftmax($1[0]) },
               reference: { R.softmax($0[0], cols: 37, log: true) }),
        OpCase(name: "layerNorm", shapes: [[4, 37], [37], [37]],
               forward: { $0.layerNorm($1[0], weight: $1[1], bias: $1[2]) },
               reference: { R.layerNorm($0[0], weight: $0[1], bias: $0[2], cols: 37, eps: 1e-5) }),
        OpCase(name: "layerNorm without affine", shapes: [[2, 3, 8]],
               forward: { $0.layerNorm($1[0], weight: nil, bias: nil) },
               reference: { R.layerNorm($0[0], weight: nil, bias: nil, cols: 8, eps: 1e-5) }),
        OpCase(name: "layerNorm 70 rows (two backward chunks)", shapes: [[70, 5], [5], [5]],
               forward: { $0.layerNorm($1[0], weight: $1[1], bias: $1[2]) },
               reference: { R.layerNorm($0[0], weight: $0[1], bias: $0[2], cols: 5, eps: 1e-5) }),
        OpCase(name: "rmsNorm 70 rows (two backward chunks)", shapes: [[70, 5], [5]],
               forward: { $0.rmsNorm($1[0], weight: $1[1]) },
               reference: { R.rmsNorm($0[0], weight: $0[1], cols: 5, eps: 1e-6) }),
        OpCase(name: "rmsNorm", shapes: [[4, 37], [37]], forward: { $0.rmsNorm($1[0], weight: $1[1]) },
               reference: { R.rmsNorm($0[0], weight: $0[1], cols: 37, eps: 1e-6) }),
    ]

    static let activations: [OpCase] = Activation.allCases.map { f in
        OpCase(name: "activation \(f.rawValue)", shapes: [[3, 37]], forward: { $0.activation($1[0], f) },
               reference: { R.activation(f, $0[0]) })
    } + [
        OpCase(name: "glu last axis", shapes: [[3, 2 * 19]], forward: { $0.glu($1[0]) },
               reference: { R.glu($0[0], shape: [3, 38], axis: 1) }),
        OpCase(name: "glu channel axis (B,2C,T)", shapes: [[2, 6, 5]], forward: { $0.glu($1[0], axis: 1) },
               reference: { R.glu($0[0], shape: [2, 6, 5], axis: 1) }),
    ]

    static let indexing: [OpCase] = [
        OpCase(name: "embedding", shapes: [[6, 5]],
               forward: { $0.embedding($1[0], Int32Tensor(shape: [2, 3], scalars: [1, 4, 1, 0, 5, 4])) },
               reference: { R.indexSelect($0[0], shape: [6, 5], axis: 0, ids: [1, 4, 1, 0, 5, 4]) }),
        OpCase(name: "indexSelect axis 1", shapes: [[2, 5, 3]],
               forward: { $0.indexSelect($1[0], axis: 1, Int32Tensor(shape: [4], scalars: [4, 0, 4, 2])) },
               reference: { R.indexSelect($0[0], shape: [2, 5, 3], axis: 1, ids: [4, 0, 4, 2]) }),
        OpCase(name: "gather last axis", shapes: [[3, 7]],
               forward: { $0.gather($1[0], lastAxis: Int32Tensor(shape: [3, 2], scalars: [6, 0, 2, 2, 5, 1])) },
               reference: { R.gather($0[0], v: 7, index: [6, 0, 2, 2, 5, 1], k: 2) }),
    ]

    static let shapes: [OpCase] = [
        OpCase(name: "concat axis 1", shapes: [[2, 3, 4], [2, 1, 4], [2, 2, 4]],
               forward: { $0.concat($1, axis: 1) },
               reference: { R.concat([($0[0], [2, 3, 4]), ($0[1], [2, 1, 4]), ($0[2], [2, 2, 4])], axis: 1) }),
        OpCase(name: "split then concat reversed", shapes: [[3, 7]],
               forward: { t, x in let p = t.split(x[0], axis: 1, sizes: [2, 5]); return t.concat([p[1], p[0]], axis: 1) },
               reference: { x in
                   R.concat([(R.slice(x[0], shape: [3, 7], axis: 1, start: 2, length: 5), [3, 5]),
                             (R.slice(x[0], shape: [3, 7], axis: 1, start: 0, length: 2), [3, 2])], axis: 1)
               }),
        OpCase(name: "slice axis 0", shapes: [[5, 3]], forward: { $0.slice($1[0], axis: 0, start: 1, length: 3) },
               reference: { R.slice($0[0], shape: [5, 3], axis: 0, start: 1, length: 3) }),
        OpCase(name: "permute (2,0,1)", shapes: [[2, 3, 4]], forward: { $0.permute($1[0], [2, 0, 1]) },
               reference: { R.permute($0[0], shape: [2, 3, 4], perm: [2, 0, 1]) }),
        OpCase(name: "transpose heads (B,T,H,D)→(B,H,T,D)", shapes: [[2, 3, 2, 4]], forward: { $0.transpose($1[0], 1, 2) },
               reference: { R.permute($0[0], shape: [2, 3, 2, 4], perm: [0, 2, 1, 3]) }),
        OpCase(name: "reshape then permute", shapes: [[2, 6]],
               forward: { t, x in t.permute(t.reshape(x[0], [2, 3, 2]), [0, 2, 1]) },
               reference: { R.permute($0[0], shape: [2, 3, 2], perm: [0, 2, 1]) }),
    ]

    static let misc: [OpCase] = [
        OpCase(name: "maskedFill (B,1,T) key padding", shapes: [[2, 3, 4]],
               forward: { $0.maskedFill($1[0], Int32Tensor(shape: [2, 1, 4], scalars: [0, 0, 0, 1, 0, 0, 1, 1]), with: -1e4) },
               reference: { R.maskedFill($0[0], shape: [2, 3, 4], mask: [0, 0, 0, 1, 0, 0, 1, 1], maskShape: [2, 1, 4], value: -1e4) }),
        OpCase(name: "conv1d k5 s2 p2 with bias (subsampler)", shapes: [[2, 3, 9], [4, 3, 5], [4]],
               forward: { $0.conv1d($1[0], weight: $1[1], bias: $1[2], stride: 2, padding: 2) },
               reference: { R.conv1d($0[0], $0[1], $0[2], batch: 2, cin: 3, cout: 4, t: 9, kernel: 5, stride: 2, padding: 2) }),
        OpCase(name: "conv1d k3 s1 p0 no bias", shapes: [[1, 2, 6], [3, 2, 3]],
               forward: { $0.conv1d($1[0], weight: $1[1], bias: nil) },
               reference: { R.conv1d($0[0], $0[1], nil, batch: 1, cin: 2, cout: 3, t: 6, kernel: 3, stride: 1, padding: 0) }),
        OpCase(name: "rope (B,T,H,D) interleaved", shapes: [[2, 3, 2, 8]],
               // The fast kernel forms θ_i and the angle in Float32 as PyTorch does; the reference uses Double.
               forwardTolerance: Tolerance(5e-6, "angles pos·θ_i ≤ 7 rad formed in Float32 (error ~5e-7 rad)"),
               forward: { $0.rope($1[0], positions: [0, 5, 7]) },
               reference: { R.rope($0[0], batch: 2, seq: 3, heads: 2, dim: 8, positions: [0, 5, 7], base: 10_000) }),
        OpCase(name: "dropout p=0.3", shapes: [[4, 25]],
               forward: { t, x in var g = Xoshiro256(seed: 99); return t.dropout(x[0], p: 0.3, using: &g) },
               reference: { x in
                   var g = Xoshiro256(seed: 99)
                   return zip(x[0], R.dropoutMask(count: 100, p: Double(Float(0.3)), using: &g)).map { $0 * $1 }
               }),
    ]
}
