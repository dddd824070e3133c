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
                mapSIMD(x, y, cols) { ($0 - vm) * vr }
                if let w = weight { zipSIMD(y, w, y, cols) { $0 * $1 } }
                if let b = bias { zipSIMD(y, b, y, cols) { $0 + $1 } }
            }
        }
    }

    /// Layer norm backward (llm.c form), from the saved `mean`/`rstd`:
    /// dinp = rstd · (g − mean(g) − n̂ · mean(g ⊙ n̂)) with g = dout ⊙ weight, n̂ the normalised input;
    /// dweight += Σ_n dout ⊙ n̂, dbias += Σ_n dout (accumulated, serially, into the caller's buffers).
    public static func layerNormBackward(_ inp: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                                         mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                                         _ dout: UnsafePointer<Float>, dinp: UnsafeMutablePointer<Float>?,
                                         dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
                                         rows: Int, cols: Int) {
        var g = [Float](repeating: 0, count: cols), nh = [Float](repeating: 0, count: cols)
        for r in 0..<rows {
            let x = inp + r * cols, dy = dout + r * cols
            let mu = mean[r], rs = rstd[r]
            var sg: Float = 0, sgn: Float = 0
            for c in 0..<cols {
                nh[c] = (x[c] - mu) * rs
                g[c] = dy[c] * (weight?[c] ?? 1)
                sg += g[c]; sgn += g[c] * nh[c]
                dweight?[c] += dy[c] * nh[c]
                dbias?[c] += dy[c]
            }
            if let dx = dinp.map({ $0 + r * cols }) {
                let mg = sg / Float(cols), mgn = sgn / Float(cols)
                for c in 0..<cols { dx[c] = rs * (g[c] - mg - nh[c] * mgn) }
            }
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

    /// RMS norm backward: dinp = rstd · g − rstd³ · x · mean(g ⊙ x) with g = dout ⊙ weight;
    /// dweight += Σ_n dout ⊙ x · rstd.
    public static func rmsNormBackward(_ inp: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                                       rstd: UnsafePointer<Float>, _ dout: UnsafePointer<Float>,
                                       dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?,
                                       rows: Int, cols: Int) {
        for r in 0..<rows {
            let x = inp + r * cols, dy = dout + r * cols, rs = rstd[r]
            var sgx: Float = 0
            for c in 0..<cols {
                sgx += dy[c] * (weight?[c] ?? 1) * x[c]
                dweight?[c] += dy[c] * x[c] * rs
            }
            if let dx = dinp.map({ $0 + r * cols }) {
                let k = rs * rs * rs * sgx / Float(cols)
                for c in 0..<cols { dx[c] = rs * dy[c] * (weight?[c] ?? 1) - k * x[c] }
            }
        }
    }
}

extension Tensor {
    /// Layer norm over the last axis; `weight`/`bias` have shape (C).
    public func layerNorm(weight: Tensor?, bias: Tensor?, eps: Float = 1e-5, in ctx: ComputeContext = .serial) -> Tensor {
        let cols = shape.last ?? 1
        precondition(weight.map { $0.shape == [cols] } ?? true && bias.map { $0.shape == [cols] } ?? true,
                     "layerNorm: weight/bias must be [\(cols)], got \(String(describing: weight?.shape)), \(String(describing: bias?.shape))")
        var out = Tensor(uninitializedShape: shape)
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
        var out = Tensor(uninitializedShape: shape)
        let w = weight ?? Tensor(shape: [cols], repeating: 1)
        withUnsafeBufferPointer { x in w.withUnsafeBufferPointer { w in out.withUnsafeMutableBufferPointer { y in
            NormalizationKernels.rmsNorm(x.baseAddress!, weight: w.baseAddress!, y.baseAddress!,
                                         rows: count / Swift.max(cols, 1), cols: cols, eps: eps, rstd: nil, ctx: ctx)
        } } }
        return out
    }
}
