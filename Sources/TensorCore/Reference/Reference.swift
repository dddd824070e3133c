// Naive Double-precision reference kernels, one per fast kernel, compared with them in the op-test
// harness (and differentiated by finite differences there). Plain index loops, no SIMD, no BLAS.
// Shapes as in the fast kernels; every function takes and returns row-major [Double].
import Foundation

/// The plain reference implementations of the engine's kernels (llm.c lesson: a naive kernel beside
/// every fast one). Slow on purpose; for tests and for checking new kernels.
public enum Reference {
    /// Multi-index of flat index `i` in `shape`.
    public static func unravel(_ i: Int, _ shape: [Int]) -> [Int] {
        var rest = i
        var idx = [Int](repeating: 0, count: shape.count)
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            idx[d] = rest % shape[d]
            rest /= shape[d]
        }
        return idx
    }

    /// Flat index of a multi-index in `shape`.
    public static func ravel(_ idx: [Int], _ shape: [Int]) -> Int {
        zip(idx, shape).reduce(0) { $0 * $1.1 + $1.0 }
    }

    /// op(a)·op(b): a (M,K) [(K,M) if transA], b (K,N) [(N,K) if transB] → (M,N).
    public static func matmul(_ a: [Double], _ b: [Double], m: Int, n: Int, k: Int,
                              transA: Bool = false, transB: Bool = false) -> [Double] {
        var out = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n {
            var s = 0.0
            for p in 0..<k { s += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]) }
            out[i * n + j] = s
        } }
        return out
    }

    /// `batch` independent `matmul`s over consecutive blocks.
    public static func batchedMatmul(_ a: [Double], _ b: [Double], batch: Int, m: Int, n: Int, k: Int,
                                     transA: Bool = false, transB: Bool = false) -> [Double] {
        (0..<batch).flatMap { i in
            matmul(Array(a[(i * m * k)..<((i + 1) * m * k)]), Array(b[(i * k * n)..<((i + 1) * k * n)]),
                   m: m, n: n, k: k, transA: transA, transB: transB)
        }
    }

    /// Numpy-broadcast binary operation.
    public static func broadcast(_ a: [Double], _ aShape: [Int], _ b: [Double], _ bShape: [Int],
                                 _ f: (Double, Double) -> Double) -> (values: [Double], shape: [Int]) {
        let outShape = Shape.broadcast(aShape, bShape)!
        let values = (0..<Shape.count(outShape)).map { i -> Double in
            let idx = unravel(i, outShape)
            return f(a[pick(idx, aShape)], b[pick(idx, bShape)])
        }
        return (values, outShape)
    }

    /// Flat index into `shape` of the broadcast multi-index `idx` (size-1 and missing axes pinned to 0).
    static func pick(_ idx: [Int], _ shape: [Int]) -> Int {
        let pad = idx.count - shape.count
        return ravel((0..<shape.count).map { shape[$0] == 1 ? 0 : idx[$0 + pad] }, shape)
    }

    /// Σ over `axis` (`mean` divides by its length).
    public static func sum(_ x: [Double], shape: [Int], axis: Int, mean: Bool = false) -> [Double] {
        var outShape = shape
        outShape[axis] = 1
        var out = [Double](repeating: 0, count: Shape.count(outShape))
        for i in 0..<x.count {
            var idx = unravel(i, shape)
            idx[axis] = 0
            out[ravel(idx, outShape)] += x[i] / (mean ? Double(shape[axis]) : 1)
        }
        return out
    }

    /// Maximum over `axis`.
    public static func max(_ x: [Double], shape: [Int], axis: Int) -> [Double] {
        var outShape = shape
        outShape[axis] = 1
        var out = [Double](repeating: -.infinity, count: Shape.count(outShape))
        for i in 0..<x.count {
            var idx = unravel(i, shape)
            idx[axis] = 0
            let o = ravel(idx, outShape)
            out[o] = Swift.max(out[o], x[i])
        }
        return out
    }

    /// Softmax (or log-softmax) of each row of length `cols`.
    public static func softmax(_ x: [Double], cols: Int, log: Bool = false) -> [Double] {
        var out = x
        for r in 0..<(x.count / cols) {
            let row = x[(r * cols)..<((r + 1) * cols)]
            let m = row.max()!
            let s = row.reduce(0) { $0 + Foundation.exp($1 - m) }
            for c in 0..<cols {
                out[r * cols + c] = log ? x[r * cols + c] - m - Foundation.log(s) : Foundation.exp(x[r * cols + c] - m) / s
            }
        }
        return out
    }

    /// Layer norm of each row (biased variance), then weight and bias when given.
    public static func layerNorm(_ x: [Double], weight: [Double]?, bias: [Double]?, cols: Int, eps: Double) -> [Double] {
        var out = x
        for r in 0..<(x.count / cols) {
            let row = Array(x[(r * cols)..<((r + 1) * cols)])
            let mu = row.reduce(0, +) / Double(cols)
            let v = row.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(cols)
            for c in 0..<cols {
                out[r * cols + c] = (row[c] - mu) / (v + eps).squareRoot() * (weight?[c] ?? 1) + (bias?[c] ?? 0)
            }
        }
        return out
    }

    /// RMS norm of each row, then weight when given.
    public static func rmsNorm(_ x: [Double], weight: [Double]?, cols: Int, eps: Double) -> [Double] {
        var out = x
        for r in 0..<(x.count / cols) {
            let row = Array(x[(r * cols)..<((r + 1) * cols)])
            let ms = row.reduce(0) { $0 + $1 * $1 } / Double(cols)
            for c in 0..<cols { out[r * cols + c] = row[c] / (ms + eps).squareRoot() * (weight?[c] ?? 1) }
        }
        return out
    }

    /// A pointwise activation by its textbook formula.
    public static func activation(_ f: Activation, _ x: [Double]) -> [Double] {
        x.map { v in
            switch f {
            case .relu: return Swift.max(v, 0)
            case .geluTanh: return 0.5 * v * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v)))
            case .gelu: return 0.5 * v * (1 + Foundation.erf(v / 2.0.squareRoot()))
            case .silu: return v / (1 + Foundation.exp(-v))
            }
        }
    }

    /// GLU along `axis`: first half ⊙ σ(second half).
    public static func glu(_ x: [Double], shape: [Int], axis: Int) -> [Double] {
        var outShape = shape
        outShape[axis] /= 2
        return (0..<Shape.count(outShape)).map { i in
            var idx = unravel(i, outShape)
            let a = x[ravel(idx, shape)]
            idx[axis] += outShape[axis]
            let b = x[ravel(idx, shape)]
            return a / (1 + Foundation.exp(-b))
        }
    }

    /// The dropout mask the fast kernel draws, element by element: one seed from `g`, then element i
    /// dropped when the 32-bit hash of (seed, i) falls below ⌊p·2³²⌋ (written out here, not shared with
    /// the kernel's SIMD code).
    public static func dropoutMask<G: RandomNumberGenerator>(count: Int, p: Double, using g: inout G) -> [Double] {
        let seed = g.next()
        func mix(_ x: UInt32) -> UInt32 {
            var x = x
            x ^= x >> 16; x &*= 0x7FEB_352D; x ^= x >> 15; x &*= 0x846C_A68B; x ^= x >> 16
            return x
        }
        let threshold = UInt32(min(Double(UInt32.max), (Double(Float(p)) * 4_294_967_296).rounded(.down)))
        return (0..<count).map { i in
            let block = UInt64(i >> 16), j = UInt32(i & 0xFFFF)
            let rowKey = mix(UInt32(truncatingIfNeeded: seed) ^ mix(UInt32(truncatingIfNeeded: seed >> 32)
                             ^ mix(UInt32(truncatingIfNeeded: block) &+ UInt32(truncatingIfNeeded: block >> 32) &* 0x9E37_79B9)))
            return mix(rowKey ^ (j &* 0x9E37_79B9)) < threshold ? 0 : 1 / (1 - Double(Float(p)))
        }
    }

    /// Entries of `axis` picked by `ids`: shape[..<axis] + [ids.count] + shape[(axis+1)...].
    public static func indexSelect(_ x: [Double], shape: [Int], axis: Int, ids: [Int32]) -> [Double] {
        var outShape = shape
        outShape[axis] = ids.count
        return (0..<Shape.count(outShape)).map { i in
            var idx = unravel(i, outShape)
            idx[axis] = Int(ids[idx[axis]])
            return x[ravel(idx, shape)]
        }
    }

    /// out[n, k] = x[n, index[n, k]] over rows of length `v`.
    public static func gather(_ x: [Double], v: Int, index: [Int32], k: Int) -> [Double] {
        (0..<index.count).map { i in x[(i / k) * v + Int(index[i])] }
    }

    /// Concatenation of `(values, shape)` parts along `axis`.
    public static func concat(_ parts: [([Double], [Int])], axis: Int) -> [Double] {
        var outShape = parts[0].1
        outShape[axis] = parts.reduce(0) { $0 + $1.1[axis] }
        return (0..<Shape.count(outShape)).map { i in
            var idx = unravel(i, outShape)
            var p = 0
            while idx[axis] >= parts[p].1[axis] { idx[axis] -= parts[p].1[axis]; p += 1 }
            return parts[p].0[ravel(idx, parts[p].1)]
        }
    }

    /// `length` entries of `axis` from `start`.
    public static func slice(_ x: [Double], shape: [Int], axis: Int, start: Int, length: Int) -> [Double] {
        var outShape = shape
        outShape[axis] = length
        return (0..<Shape.count(outShape)).map { i in
            var idx = unravel(i, outShape)
            idx[axis] += start
            return x[ravel(idx, shape)]
        }
    }

    /// Axes permuted: result axis j is axis perm[j].
    public static func permute(_ x: [Double], shape: [Int], perm: [Int]) -> [Double] {
        let outShape = perm.map { shape[$0] }
        return (0..<x.count).map { i in
            let o = unravel(i, outShape)
            var idx = [Int](repeating: 0, count: shape.count)
            for (j, p) in perm.enumerated() { idx[p] = o[j] }
            return x[ravel(idx, shape)]
        }
    }

    /// `value` where the broadcast mask is nonzero.
    public static func maskedFill(_ x: [Double], shape: [Int], mask: [Int32], maskShape: [Int], value: Double) -> [Double] {
        (0..<x.count).map { i in mask[pick(unravel(i, shape), maskShape)] != 0 ? value : x[i] }
    }

    /// Direct-sum conv1d: x (B,Cin,T), w (Cout,Cin,K), bias (Cout) → (B,Cout,Tout).
    public static func conv1d(_ x: [Double], _ w: [Double], _ bias: [Double]?, batch: Int, cin: Int, cout: Int,
                              t: Int, kernel: Int, stride: Int, padding: Int) -> [Double] {
        let tout = (t + 2 * padding - kernel) / stride + 1
        var out = [Double](repeating: 0, count: batch * cout * tout)
        for b in 0..<batch { for o in 0..<cout { for j in 0..<tout {
            var s = bias?[o] ?? 0
            for c in 0..<cin { for k in 0..<kernel {
                let p = j * stride + k - padding
                if p >= 0 && p < t { s += w[(o * cin + c) * kernel + k] * x[(b * cin + c) * t + p] }
            } }
            out[(b * cout + o) * tout + j] = s
        } } }
        return out
    }

    /// Interleaved-pair rotation of x (B,T,H,D) by pos·base^(−2i/D), all in Double.
    public static func rope(_ x: [Double], batch: Int, seq: Int, heads: Int, dim: Int,
                            positions: [Int32], base: Double) -> [Double] {
        var out = x
        for b in 0..<batch { for t in 0..<seq { for h in 0..<heads { for i in 0..<(dim / 2) {
            let o = ((b * seq + t) * heads + h) * dim + 2 * i
            let a = Double(positions[t]) * Foundation.pow(base, -Double(2 * i) / Double(dim))
            out[o] = x[o] * Foundation.cos(a) - x[o + 1] * Foundation.sin(a)
            out[o + 1] = x[o] * Foundation.sin(a) + x[o + 1] * Foundation.cos(a)
        } } } }
        return out
    }

    /// fairseq's sinusoidal table in Double: [sin(p·f_i) | cos(p·f_i)], f_i = 10000^(−i/(h−1)).
    public static func sinusoidalTable(count: Int, dim: Int, paddingIndex: Int?) -> [Double] {
        let half = dim / 2
        var out = [Double](repeating: 0, count: count * dim)
        for p in 0..<count where p != paddingIndex {
            for i in 0..<half {
                let a = Double(p) * Foundation.exp(-Double(i) * Foundation.log(10_000) / Double(half - 1))
                out[p * dim + i] = Foundation.sin(a)
                out[p * dim + half + i] = Foundation.cos(a)
            }
        }
        return out
    }
}

extension Reference {
    /// x[..., ids[m], ...] += source[..., m, ...] along `axis`.
    public static func indexAdd(_ x: [Double], shape: [Int], axis: Int, ids: [Int32], source: [Double]) -> [Double] {
        var out = x
        var srcShape = shape
        srcShape[axis] = ids.count
        for i in 0..<source.count {
            var idx = unravel(i, srcShape)
            idx[axis] = Int(ids[idx[axis]])
            out[ravel(idx, shape)] += source[i]
        }
        return out
    }
}
