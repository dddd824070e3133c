import COpenBLAS
import Foundation

// The per-(batch, head) tile loops of FusedAttention. Shape notation: see FusedAttention.swift.
// Workspace of one worker: scores/probabilities tile (queryTile × keyTile, row stride keyTile), then
// forward: running max and running sum (queryTile each); backward: dP/dS tile (queryTile × keyTile) and
// the row dots D = rowsum(dO ∘ O) (queryTile).

struct AttentionForwardArgs {
    let q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>
    let shape: AttentionShape
    let layout: AttentionLayout
    let scale: Float
    let mask: AttentionMask
    let out: UnsafeMutablePointer<Float>
    let lse: UnsafeMutablePointer<Float>?
}

struct AttentionBackwardArgs {
    let q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>
    let out: UnsafePointer<Float>, lse: UnsafePointer<Float>, dOut: UnsafePointer<Float>
    let shape: AttentionShape
    let layout: AttentionLayout
    let scale: Float
    let mask: AttentionMask
    let dQ: UnsafeMutablePointer<Float>, dK: UnsafeMutablePointer<Float>, dV: UnsafeMutablePointer<Float>
}

extension FusedAttention {
    /// One (b, hq) pair: all query tiles, each over its visible key tiles.
    static func forwardUnit(_ a: AttentionForwardArgs, unit: Int, workspace: UnsafeMutablePointer<Float>) {
        let s = a.shape
        let br = queryTile, bc = keyTile
        let b = unit / s.queryHeads, h = unit % s.queryHeads, hk = h / s.group
        let qs = a.layout.strides(heads: s.queryHeads, length: s.queryLength, dim: s.qkDim)
        let ks = a.layout.strides(heads: s.kvHeads, length: s.keyLength, dim: s.qkDim)
        let vs = a.layout.strides(heads: s.kvHeads, length: s.keyLength, dim: s.vDim)
        let os = a.layout.strides(heads: s.queryHeads, length: s.queryLength, dim: s.vDim)
        let qBase = a.q + b * qs.batch + h * qs.head
        let kBase = a.k + b * ks.batch + hk * ks.head
        let vBase = a.v + b * vs.batch + hk * vs.head
        let oBase = a.out + b * os.batch + h * os.head
        let lseBase = a.lse.map { $0 + (b * s.queryHeads + h) * s.queryLength }
        let scores = workspace
        let rowMax = workspace + br * bc
        let rowSum = rowMax + br
        let dv = s.vDim

        var qt = 0
        while qt < s.queryLength {
            let rows = min(br, s.queryLength - qt)
            for r in 0..<rows {
                (oBase + (qt + r) * os.row).update(repeating: 0, count: dv)
                rowMax[r] = -.infinity
                rowSum[r] = 0
            }
            // keyEnd grows with the row, so the last row bounds the tile.
            let tileEnd = a.mask.keyEnd(batch: b, query: qt + rows - 1, keyLength: s.keyLength)
            var kt = 0
            while kt < tileEnd {
                let cols = min(bc, tileEnd - kt)
                let padded = (cols + 15) & ~15
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(cols), Int32(s.qkDim),
                            a.scale, qBase + qt * qs.row, Int32(qs.row), kBase + kt * ks.row, Int32(ks.row),
                            0, scores, Int32(bc))
                maskTile(a.mask, scores: scores, rows: rows, cols: cols, batch: b, head: h, firstQuery: qt,
                         firstKey: kt, keyLength: s.keyLength)
                for r in 0..<rows {
                    let row = scores + r * bc
                    var mx = SIMD16<Float>(repeating: -.infinity)
                    var c = 0
                    while c < padded { mx = SIMDMath.max(mx, KernelMath.load(row + c)); c += 16 }
                    let old = rowMax[r]
                    let newMax = Swift.max(old, SIMDMath.horizontalMax(mx))
                    if newMax == -.infinity {
                        row.update(repeating: 0, count: padded)
                        continue
                    }
                    let m = SIMD16<Float>(repeating: newMax)
                    var sum = SIMD16<Float>()
                    c = 0
                    while c < padded {
                        let p = SIMDMath.exp(KernelMath.load(row + c) - m)
                        KernelMath.store(p, row + c)
                        sum += p
                        c += 16
                    }
                    let alpha: Float = old == -.infinity ? 0 : Foundation.exp(old - newMax)
                    rowSum[r] = rowSum[r] * alpha + sum.sum()
                    rowMax[r] = newMax
                    if alpha != 1 { scaleRow(oBase + (qt + r) * os.row, count: dv, by: alpha) }
                    // Dropout: the normaliser keeps every probability, the values see the kept ones.
                    if let drop = a.mask.dropout {
                        drop.apply(row, count: cols, rowKey: drop.rowKey((b * s.queryHeads + h) * s.queryLength + qt + r), firstKey: kt)
                    }
                }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(dv), Int32(cols),
                            1, scores, Int32(bc), vBase + kt * vs.row, Int32(vs.row),
                            1, oBase + qt * os.row, Int32(os.row))
                kt += bc
            }
            for r in 0..<rows {
                let l = rowSum[r]
                if l > 0 {
                    scaleRow(oBase + (qt + r) * os.row, count: dv, by: 1 / l)
                    lseBase?[qt + r] = rowMax[r] + Foundation.log(l)
                } else {
                    lseBase?[qt + r] = -.infinity
                }
            }
            qt += br
        }
    }

    /// One (b, hkv) pair: dK, dV of that kv head, and dQ of the query heads of its group, in the fixed
    /// order (group member, query tile, key tile).
    static func backwardUnit(_ a: AttentionBackwardArgs, unit: Int, workspace: UnsafeMutablePointer<Float>) {
        let s = a.shape
        let br = queryTile, bc = keyTile
        let b = unit / s.kvHeads, hk = unit % s.kvHeads
        let qs = a.layout.strides(heads: s.queryHeads, length: s.queryLength, dim: s.qkDim)
        let ks = a.layout.strides(heads: s.kvHeads, length: s.keyLength, dim: s.qkDim)
        let vs = a.layout.strides(heads: s.kvHeads, length: s.keyLength, dim: s.vDim)
        let os = a.layout.strides(heads: s.queryHeads, length: s.queryLength, dim: s.vDim)
        let kBase = a.k + b * ks.batch + hk * ks.head
        let vBase = a.v + b * vs.batch + hk * vs.head
        let dkBase = a.dK + b * ks.batch + hk * ks.head
        let dvBase = a.dV + b * vs.batch + hk * vs.head
        let probs = workspace
        let dS = workspace + br * bc
        let rowDot = dS + br * bc
        let dk = s.qkDim, dv = s.vDim
        for j in 0..<s.keyLength {
            (dkBase + j * ks.row).update(repeating: 0, count: dk)
            (dvBase + j * vs.row).update(repeating: 0, count: dv)
        }
        for g in 0..<s.group {
            let h = hk * s.group + g
            let qBase = a.q + b * qs.batch + h * qs.head
            let dqBase = a.dQ + b * qs.batch + h * qs.head
            let oBase = a.out + b * os.batch + h * os.head
            let doBase = a.dOut + b * os.batch + h * os.head
            let lseBase = a.lse + (b * s.queryHeads + h) * s.queryLength
            var qt = 0
            while qt < s.queryLength {
                let rows = min(br, s.queryLength - qt)
                for r in 0..<rows {
                    rowDot[r] = dot(oBase + (qt + r) * os.row, doBase + (qt + r) * os.row, count: dv)
                    (dqBase + (qt + r) * qs.row).update(repeating: 0, count: dk)
                }
                let tileEnd = a.mask.keyEnd(batch: b, query: qt + rows - 1, keyLength: s.keyLength)
                var kt = 0
                while kt < tileEnd {
                    let cols = min(bc, tileEnd - kt)
                    let padded = (cols + 15) & ~15
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(cols), Int32(dk),
                                a.scale, qBase + qt * qs.row, Int32(qs.row), kBase + kt * ks.row, Int32(ks.row),
                                0, probs, Int32(bc))
                    maskTile(a.mask, scores: probs, rows: rows, cols: cols, batch: b, head: h, firstQuery: qt,
                             firstKey: kt, keyLength: s.keyLength)
                    for r in 0..<rows {
                        let row = probs + r * bc
                        let l = lseBase[qt + r]
                        if l == -.infinity { row.update(repeating: 0, count: padded); continue }
                        let lv = SIMD16<Float>(repeating: l)
                        var c = 0
                        while c < padded {
                            KernelMath.store(SIMDMath.exp(KernelMath.load(row + c) - lv), row + c)
                            c += 16
                        }
                    }
                    // dP = dO·Vᵀ
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(cols), Int32(dv),
                                1, doBase + qt * os.row, Int32(os.row), vBase + kt * vs.row, Int32(vs.row),
                                0, dS, Int32(bc))
                    // dS = scale · P ∘ (Z ∘ dP − D), Z the dropout factors (1 without dropout); then P ← P ∘ Z
                    let sc = SIMD16<Float>(repeating: a.scale)
                    for r in 0..<rows {
                        let pRow = probs + r * bc, dRow = dS + r * bc
                        var rowKey: UInt32 = 0
                        if let drop = a.mask.dropout {
                            rowKey = drop.rowKey((b * s.queryHeads + h) * s.queryLength + qt + r)
                            drop.apply(dRow, count: cols, rowKey: rowKey, firstKey: kt)
                        }
                        let d = SIMD16<Float>(repeating: rowDot[r])
                        var c = 0
                        while c + 16 <= cols {
                            let p = KernelMath.load(pRow + c)
                            KernelMath.store(p * (KernelMath.load(dRow + c) - d) * sc, dRow + c)
                            c += 16
                        }
                        while c < cols { dRow[c] = pRow[c] * (dRow[c] - rowDot[r]) * a.scale; c += 1 }
                        if let drop = a.mask.dropout { drop.apply(pRow, count: cols, rowKey: rowKey, firstKey: kt) }
                    }
                    // dV[kt..] += (P ∘ Z)ᵀ·dO
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(cols), Int32(dv), Int32(rows),
                                1, probs, Int32(bc), doBase + qt * os.row, Int32(os.row),
                                1, dvBase + kt * vs.row, Int32(vs.row))
                    // dQ += dS·K ; dK[kt..] += dSᵀ·Q
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(dk), Int32(cols),
                                1, dS, Int32(bc), kBase + kt * ks.row, Int32(ks.row),
                                1, dqBase + qt * qs.row, Int32(qs.row))
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(cols), Int32(dk), Int32(rows),
                                1, dS, Int32(bc), qBase + qt * qs.row, Int32(qs.row),
                                1, dkBase + kt * ks.row, Int32(ks.row))
                    kt += bc
                }
                qt += br
            }
        }
    }

    /// Applies the mask to a tile of scaled scores (row stride keyTile): hidden → −∞, additive added, and
    /// columns cols..<roundUp16(cols) set to −∞ so SIMD passes can run over whole vectors.
    @inline(__always)
    static func maskTile(_ mask: AttentionMask, scores: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                         batch b: Int, head h: Int, firstQuery qt: Int, firstKey kt: Int, keyLength: Int) {
        let padded = (cols + 15) & ~15
        let elementwise = mask.hasElementwiseRules
        for r in 0..<rows {
            let i = qt + r
            let row = scores + r * keyTile
            let visibleEnd = Swift.min(cols, Swift.max(0, mask.keyEnd(batch: b, query: i, keyLength: keyLength) - kt))
            if elementwise {
                if let add = mask.additive {
                    let ar = add.row(batch: b, head: h, query: i) + kt
                    for c in 0..<visibleEnd { row[c] += ar[c] }
                }
                if let keep = mask.keep {
                    let kr = keep.row(batch: b, head: h, query: i) + kt
                    for c in 0..<visibleEnd where kr[c] == 0 { row[c] = -.infinity }
                }
                if let predicate = mask.predicate {
                    let position = mask.queryPosition(batch: b, query: i)
                    for c in 0..<visibleEnd where !predicate(position, kt + c) { row[c] = -.infinity }
                }
            }
            var c = visibleEnd
            while c < padded { row[c] = -.infinity; c += 1 }
        }
    }

    @inline(__always)
    static func scaleRow(_ p: UnsafeMutablePointer<Float>, count: Int, by factor: Float) {
        let f = SIMD16<Float>(repeating: factor)
        var c = 0
        while c + 16 <= count { KernelMath.store(KernelMath.load(p + c) * f, p + c); c += 16 }
        while c < count { p[c] *= factor; c += 1 }
    }

    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD16<Float>()
        var c = 0
        while c + 16 <= count { acc += KernelMath.load(a + c) * KernelMath.load(b + c); c += 16 }
        var s = acc.sum()
        while c < count { s += a[c] * b[c]; c += 1 }
        return s
    }
}
