import Foundation

/// Float and Double, for the plain reference kernels (Double lets tests take finite differences).
public protocol KernelReferenceScalar: BinaryFloatingPoint, Sendable {
    static func referenceExp(_ x: Self) -> Self
    static func referenceLog(_ x: Self) -> Self
}

extension Float: KernelReferenceScalar {
    public static func referenceExp(_ x: Float) -> Float { Foundation.exp(x) }
    public static func referenceLog(_ x: Float) -> Float { Foundation.log(x) }
}

extension Double: KernelReferenceScalar {
    public static func referenceExp(_ x: Double) -> Double { Foundation.exp(x) }
    public static func referenceLog(_ x: Double) -> Double { Foundation.log(x) }
}

extension AttentionMask {
    /// Whether query row i (0..<Tq) of batch b, query head h sees key j.
    func isVisible(batch b: Int, head h: Int, query i: Int, key j: Int, keyLength: Int) -> Bool {
        if j >= keyEnd(batch: b, query: i, keyLength: keyLength) { return false }
        if let keep, keep.row(batch: b, head: h, query: i)[j] == 0 { return false }
        if let predicate, !predicate(queryPosition(batch: b, query: i), j) { return false }
        return true
    }
}

/// The plain attention that FusedAttention is checked against: it materialises the (Tq, Tk) scores of
/// one head at a time, takes a two-pass softmax and plain loops for every product. Same shapes, layout,
/// mask semantics (hidden → weight 0; a row with no visible key → output 0, zero gradients) as
/// `FusedAttention`. Allocates; for tests and reference only.
public enum NaiveAttention {
    /// out = softmax(scale·q·kᵀ + masks)·v. Optionally writes the probabilities (B, Hq, Tq, Tk).
    public static func forward<T: KernelReferenceScalar>(
        q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>,
        shape s: AttentionShape, layout: AttentionLayout = .headsMajor, scale: T, mask: AttentionMask = .none,
        out: UnsafeMutablePointer<T>, probabilities: UnsafeMutablePointer<T>? = nil
    ) {
        let st = Strides(s, layout)
        var p = [T](repeating: 0, count: s.queryLength * s.keyLength)
        for b in 0..<s.batch {
            for h in 0..<s.queryHeads {
                self.probabilities(q: q, k: k, shape: s, strides: st, scale: scale, mask: mask, b: b, h: h, into: &p)
                if let probabilities {
                    let base = probabilities + (b * s.queryHeads + h) * s.queryLength * s.keyLength
                    for idx in 0..<p.count { base[idx] = p[idx] }
                }
                let hk = h / s.group
                for i in 0..<s.queryLength {
                    let o = out + st.o(b, h, i)
                    let z = dropoutFactors(mask, row: (b * s.queryHeads + h) * s.queryLength + i, keys: s.keyLength, as: T.self)
                    for d in 0..<s.vDim {
                        var acc: T = 0
                        for j in 0..<s.keyLength { acc += p[i * s.keyLength + j] * z[j] * v[st.v(b, hk, j) + d] }
                        o[d] = acc
                    }
                }
            }
        }
    }

    /// dQ, dK, dV (overwritten) for upstream gradient dOut, recomputing the probabilities.
    public static func backward<T: KernelReferenceScalar>(
        q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>, dOut: UnsafePointer<T>,
        shape s: AttentionShape, layout: AttentionLayout = .headsMajor, scale: T, mask: AttentionMask = .none,
        dQ: UnsafeMutablePointer<T>, dK: UnsafeMutablePointer<T>, dV: UnsafeMutablePointer<T>
    ) {
        let st = Strides(s, layout)
        for b in 0..<s.batch {
            for hk in 0..<s.kvHeads {
                for j in 0..<s.keyLength {
                    for d in 0..<s.qkDim { dK[st.k(b, hk, j) + d] = 0 }
                    for d in 0..<s.vDim { dV[st.v(b, hk, j) + d] = 0 }
                }
            }
        }
        let tq = s.queryLength, tk = s.keyLength
        var p = [T](repeating: 0, count: tq * tk)
        var dS = [T](repeating: 0, count: tq * tk)
        for b in 0..<s.batch {
            for h in 0..<s.queryHeads {
                let hk = h / s.group
                probabilities(q: q, k: k, shape: s, strides: st, scale: scale, mask: mask, b: b, h: h, into: &p)
                var z = [T](repeating: 1, count: tq * tk)   // dropout factors
                for i in 0..<tq {
                    let zi = dropoutFactors(mask, row: (b * s.queryHeads + h) * tq + i, keys: tk, as: T.self)
                    for j in 0..<tk { z[i * tk + j] = zi[j] }
                }
                for i in 0..<tq {
                    let dO = dOut + st.o(b, h, i)
                    var rowDot: T = 0
                    for j in 0..<tk {
                        var dP: T = 0
                        for d in 0..<s.vDim { dP += dO[d] * v[st.v(b, hk, j) + d] }
                        dS[i * tk + j] = z[i * tk + j] * dP
                        rowDot += p[i * tk + j] * dS[i * tk + j]
                    }
                    for j in 0..<tk { dS[i * tk + j] = p[i * tk + j] * (dS[i * tk + j] - rowDot) }
                }
                for i in 0..<tq {
                    for d in 0..<s.qkDim {
                        var acc: T = 0
                        for j in 0..<tk { acc += dS[i * tk + j] * k[st.k(b, hk, j) + d] }
                        dQ[st.q(b, h, i) + d] = scale * acc
                    }
                }
                for j in 0..<tk {
                    for d in 0..<s.qkDim {
                        var acc: T = 0
                        for i in 0..<tq { acc += dS[i * tk + j] * q[st.q(b, h, i) + d] }
                        dK[st.k(b, hk, j) + d] += scale * acc
                    }
                    for d in 0..<s.vDim {
                        var acc: T = 0
                        for i in 0..<tq { acc += p[i * tk + j] * z[i * tk + j] * dOut[st.o(b, h, i) + d] }
                        dV[st.v(b, hk, j) + d] += acc
                    }
                }
            }
        }
    }

    struct Strides {
        let qs, ks, vs, os: (batch: Int, head: Int, row: Int)
        init(_ s: AttentionShape, _ layout: AttentionLayout) {
            qs = layout.strides(heads: s.queryHeads, length: s.queryLength, dim: s.qkDim)
            ks = layout.strides(heads: s.kvHeads, length: s.keyLength, dim: s.qkDim)
            vs = layout.strides(heads: s.kvHeads, length: s.keyLength, dim: s.vDim)
            os = layout.strides(heads: s.queryHeads, length: s.queryLength, dim: s.vDim)
        }
        func q(_ b: Int, _ h: Int, _ i: Int) -> Int { b * qs.batch + h * qs.head + i * qs.row }
        func k(_ b: Int, _ h: Int, _ j: Int) -> Int { b * ks.batch + h * ks.head + j * ks.row }
        func v(_ b: Int, _ h: Int, _ j: Int) -> Int { b * vs.batch + h * vs.head + j * vs.row }
        func o(_ b: Int, _ h: Int, _ i: Int) -> Int { b * os.batch + h * os.head + i * os.row }
    }

    /// The dropout factors (0 or 1/(1 − p); all 1 without dropout) of one row's keys.
    static func dropoutFactors<T: KernelReferenceScalar>(_ mask: AttentionMask, row: Int, keys: Int, as: T.Type) -> [T] {
        guard let drop = mask.dropout else { return [T](repeating: 1, count: keys) }
        let key = drop.rowKey(row)
        return (0..<keys).map { T(drop.factor(rowKey: key, key: $0)) }
    }

    /// Softmax probabilities (Tq, Tk) of head (b, h), two passes, hidden keys → 0.
    static func probabilities<T: KernelReferenceScalar>(
        q: UnsafePointer<T>, k: UnsafePointer<T>, shape s: AttentionShape, strides st: Strides, scale: T,
        mask: AttentionMask, b: Int, h: Int, into p: inout [T]
    ) {
        let hk = h / s.group, tk = s.keyLength
        for i in 0..<s.queryLength {
            var rowMax = -T.infinity
            for j in 0..<tk {
                var score = -T.infinity
                if mask.isVisible(batch: b, head: h, query: i, key: j, keyLength: tk) {
                    var acc: T = 0
                    for d in 0..<s.qkDim { acc += q[st.q(b, h, i) + d] * k[st.k(b, hk, j) + d] }
                    score = scale * acc
                    if let add = mask.additive { score += T(add.row(batch: b, head: h, query: i)[j]) }
                }
                p[i * tk + j] = score
                rowMax = max(rowMax, score)
            }
            if rowMax == -T.infinity {
                for j in 0..<tk { p[i * tk + j] = 0 }
                continue
            }
            var sum: T = 0
            for j in 0..<tk {
                let e = T.referenceExp(p[i * tk + j] - rowMax)
                p[i * tk + j] = e
                sum += e
            }
            for j in 0..<tk { p[i * tk + j] /= sum }
        }
    }
}
