// inp (N, C) [leading axes fold into N], weight (C), bias (C), out (N, C); saved mean (N), rstd (N)

/// Layer norm and RMS norm over the last axis, rows in parallel; two-pass statistics in Float.
public enum NormalizationKernels {
    /// out = (x − mean) · rstd · weight + bias with rstd = 1/√(var + eps) (biased variance, as PyTorch).
    /// `mean`/`rstd` receive the row statistics when given (training); pass nil in inference.
    public static func layerNorm(_ inp: UnsafePointer<Float>, weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                                 _ out: UnsafeMutablePointer<Float>, rows: Int, cols: Int, eps: Float,
                                 mean: UnsafeMutablePointer<Float>?, rstd: UnsafeMutablePointer<Float>?,
                                 ctx: ComputeContext = .serial) {
        ctx.parallelFor(rows, grain: max(1, 8192 / max(cols, 1))) { range in
            for r in range {
                let x = inp + r * cols, y = out + r * cols
                let mu = sumSIMD(x, cols) / Float(cols)
                let vm = SIMD16<Float>(repeating: mu)
                var acc = SIMD16<Float>(repeating: 0)
                var i = 0
                while i + 16 <= cols {
                    let d = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) - vm
                    acc += d * d
                    i += 16
                }
                var v: Float = 0
                for j in 0..<16 { v += acc[j] }
                while i < cols { let d = x[i] - mu; v += d * d; i += 1 }
                let rs = 1 / (v / Float(cols) + eps).squareRoot()
                mean?[r] = mu; rstd?[r] = rs
                let vr = SIMD16<Float>(repeating: rs)
                if let w = weight, let b = bias {
                    // One pass for normalise, scale and shift (the common case).
                    var i = 0
                    while i + 16 <= cols {
                        let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
                        let wv = UnsafeRawPointer(w + i).loadUnaligned(as: SIMD16<Float>.self)
                        let bv = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
                        UnsafeMutableRawPointer(y + i).storeBytes(of: (xv - vm) * vr * wv + bv, as: SIMD16<Float>.self)
                        i += 16
                    }
                    while i < cols { y[i] = (x[i] - mu) * rs * w[i] + b[i]; i += 1 }
                } else {
                    mapSIMD(x, y, cols) { ($0 - vm) * vr }
                    if let w = weight { zipSIMD(y, w, y, cols) { $0 * $1 } }
                    if let b = bias { zipSIMD(y, b, y, cols) { $0 + $1 } }
                }
            }
        }
    }

    /// Rows per chunk of the backward passes. Parameter gradients are summed per chunk, then over
    /// chunks in order, so the result does not depend on the thread count.
    static let backwardChunk = 64

    /// Layer norm backward (llm.c form), from the saved `mean`/`rstd`:
    /// dinp = rstd · (g − mean(g) − n̂ · mean(g ⊙ n̂)) with g = dout ⊙ weight, n̂ the normalised input
    /// (dinp overwritten); dweight += Σ_n dout ⊙ n̂, dbias += Σ_n dout (accumulated into the caller's buffers).
    public static func layerNormBackward(_ inp: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                                         mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                                         _ dout: UnsafePointer<Float>, dinp: UnsafeMutablePointer<Float>?,
                                         dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
                                         rows: Int, cols: Int, ctx: ComputeContext = .serial) {
        let chunks = (rows + backwardChunk - 1) / backwardChunk
        // partial[chunk] = (Σ dout ⊙ n̂, Σ dout) over the chunk's rows.
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: max(1, chunks * 2 * cols))
        defer { partial.deallocate() }
        partial.initialize(repeating: 0, count: chunks * 2 * cols)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(1, chunks * 2 * cols))
        defer { scratch.deallocate() }
        ctx.parallelFor(chunks) { range in
            for chunk in range {
                let pw = partial + chunk * 2 * cols, pb = pw + cols
                let g = scratch + chunk * 2 * cols, nh = g + cols
                for r in (chunk * backwardChunk)..<min(rows, (chunk + 1) * backwardChunk) {
                    let x = inp + r * cols, dy = dout + r * cols
                    let vm = SIMD16<Float>(repeating: mean[r]), vr = SIMD16<Float>(repeating: rstd[r])
                    mapSIMD(x, nh, cols) { ($0 - vm) * vr }
                    if let weight { zipSIMD(dy, weight, g, cols) { $0 * $1 } } else { g.update(from: dy, count: cols) }
                    zipSIMD(dy, nh, nh, cols) { $0 * $1 }   // nh ← dy ⊙ n̂ (for dweight) …
                    zipSIMD(pw, nh, pw, cols) { $0 + $1 }
                    zipSIMD(pb, dy, pb, cols) { $0 + $1 }
                    if let dinp {
                        mapSIMD(x, nh, cols) { ($0 - vm) * vr }   // … and back to n̂
                        let mg = SIMD16<Float>(repeating: sumSIMD(g, cols) / Float(cols))
                        let mgn = SIMD16<Float>(repeating: dotSIMD(g, nh, cols) / Float(cols))
                        zipSIMD(g, nh, dinp + r * cols, cols) { vr * ($0 - mg - $1 * mgn) }
                    }
                }
            }
        }
        for chunk in 0..<chunks {
            if let dweight { zipSIMD(dweight, partial + chunk * 2 * cols, dweight, cols) { $0 + $1 } }
            if let dbias { zipSIMD(dbias, partial + chunk * 2 * cols + cols, dbias, cols) { $0 + $1 } }
        }
    }

    /// out = x · rstd · weight with rstd = 1/√(mean(x²) + eps); `rstd` saved when given.
    public static func rmsNorm(_ inp: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                               _ out: UnsafeMutablePointer<Float>, rows: Int, cols: Int, eps: Float,
                               rstd: UnsafeMutablePointer<Float>?, ctx: ComputeContext = .serial) {
        ctx.parallelFor(rows, grain: max(1, 8192 / max(cols, 1))) { range in
            for r in range {
                let x = inp + r * cols, y = out + r * cols
                let rs = 1 / (dotSIMD(x, x, cols) / Float(cols) + eps).squareRoot()
                rstd?[r] = rs
                let vr = SIMD16<Float>(repeating: rs)
                if let w = weight { zipSIMD(x, w, y, cols) { $0 * vr * $1 } } else { mapSIMD(x, y, cols) { $0 * vr } }
            }
        }
    }

    /// RMS norm backward: dinp = rstd · g − rstd³ · x · mean(g ⊙ x) with g = dout ⊙ weight (dinp
    /// overwritten); dweight += Σ_n dout ⊙ x · rstd (chunked as in `layerNormBackward`).
    public static func rmsNormBackward(_ inp: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                                       rstd: UnsafePointer<Float>, _ dout: UnsafePointer<Float>,
                                       dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?,
                                       rows: Int, cols: Int, ctx: ComputeContext = .serial) {
        let chunks = (rows + backwardChunk - 1) / backwardChunk
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: max(1, chunks * 2 * cols))
        defer { partial.deallocate() }
        partial.initialize(repeating: 0, count: chunks * 2 * cols)
        ctx.parallelFor(chunks) { range in
            for chunk in range {
                let pw = partial + chunk * 2 * cols, g = pw + cols
                for r in (chunk * backwardChunk)..<min(rows, (chunk + 1) * backwardChunk) {
                    let x = inp + r * cols, dy = dout + r * cols
                    let rs = rstd[r], vr = SIMD16<Float>(repeating: rs)
                    var i = 0
                    while i < cols {   // pw += dy ⊙ x · rstd
                        let n = min(16, cols - i)
                        if n == 16 {
                            let p = UnsafeRawPointer(pw + i).loadUnaligned(as: SIMD16<Float>.self)
                            let d = UnsafeRawPointer(dy + i).loadUnaligned(as: SIMD16<Float>.self)
                            let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
                            UnsafeMutableRawPointer(pw + i).storeBytes(of: p + d * xv * vr, as: SIMD16<Float>.self)
                        } else {
                            for j in i..<(i + n) { pw[j] += dy[j] * x[j] * rs }
                        }
                        i += n
                    }
                    if let dinp {
                        if let weight { zipSIMD(dy, weight, g, cols) { $0 * $1 } } else { g.update(from: dy, count: cols) }
                        let k = SIMD16<Float>(repeating: rs * rs * rs * dotSIMD(g, x, cols) / Float(cols))
                        zipSIMD(g, x, dinp + r * cols, cols) { vr * $0 - k * $1 }
                    }
                }
            }
        }
        if let dweight {
            for chunk in 0..<chunks { zipSIMD(dweight, partial + chunk * 2 * cols, dweight, cols) { $0 + $1 } }
        }
    }
}

extension Tensor {
    /// Layer norm over the last axis; `weight`/`bias` have shape (C).
    public func layerNorm(weight: Tensor?, bias: Tensor?, eps: Float = 1e-5, in ctx: ComputeContext = .serial) -> Tensor {
        let cols = shape.last ?? 1
        precondition(weight.map { $0.shape == [cols] } ?? true && bias.map { $0.shape == [cols] } ?? true,
                     "layerNorm: weight/bias must be [\(cols)], got \(String(describing: weight?.shape)), \(String(describing: bias?.shape))")
        var out = output(shape, ctx)
        let w = weight ?? Tensor(shape: [cols], repeating: 1), b = bias ?? Tensor(zeros: [cols])
        withUnsafeBufferPointer { x in w.withUnsafeBufferPointer { w in b.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { y in
                NormalizationKernels.layerNorm(x.baseAddress!, weight: w.baseAddress!, bias: b.baseAddress!, y.baseAddress!,
                                               rows: count / Swift.max(cols, 1), cols: cols, eps: eps,
                                               mean: nil, rstd: nil, ctx: ctx)
            } } } }
        return out
    }

    /// RMS norm over the last axis; `weight` has shape (C).
    public func rmsNorm(weight: Tensor?, eps: Float = 1e-6, in ctx: ComputeContext = .serial) -> Tensor {
        let cols = shape.last ?? 1
        precondition(weight.map { $0.shape == [cols] } ?? true, "rmsNorm: weight must be [\(cols)]")
        var out = output(shape, ctx)
        let w = weight ?? Tensor(shape: [cols], repeating: 1)
        withUnsafeBufferPointer { x in w.withUnsafeBufferPointer { w in out.withUnsafeMutableBufferPointer { y in
            NormalizationKernels.rmsNorm(x.baseAddress!, weight: w.baseAddress!, y.baseAddress!,
                                         rows: count / Swift.max(cols, 1), cols: cols, eps: eps, rstd: nil, ctx: ctx)
        } } }
        return out
    }
}
