// inp (B, Cin, T), weight (Cout, Cin, K), bias (Cout), out (B, Cout, Tout),
// Tout = (T + 2·padding − K) / stride + 1; workspace cols (Cin·K, Tout)

/// 1-D convolution (PyTorch `conv1d`, no dilation or groups) as im2col + one GEMM per batch entry.
public enum Conv1dKernels {
    public static func outputLength(_ t: Int, kernel: Int, stride: Int, padding: Int) -> Int {
        (t + 2 * padding - kernel) / stride + 1
    }

    /// cols[c·K + k, t] = inp[c, t·stride + k − padding] (0 outside the input), for one batch entry.
    public static func im2col(_ inp: UnsafePointer<Float>, cin: Int, t: Int, kernel: Int, stride: Int, padding: Int,
                              tout: Int, _ cols: UnsafeMutablePointer<Float>) {
        for c in 0..<cin {
            for k in 0..<kernel {
                let row = cols + (c * kernel + k) * tout, x = inp + c * t
                for j in 0..<tout {
                    let s = j * stride + k - padding
                    row[j] = s >= 0 && s < t ? x[s] : 0
                }
            }
        }
    }

    /// dinp[c, t·stride + k − padding] += dcols[c·K + k, t]: the adjoint of `im2col`.
    public static func col2im(_ dcols: UnsafePointer<Float>, cin: Int, t: Int, kernel: Int, stride: Int, padding: Int,
                              tout: Int, _ dinp: UnsafeMutablePointer<Float>) {
        for c in 0..<cin {
            for k in 0..<kernel {
                let row = dcols + (c * kernel + k) * tout, dx = dinp + c * t
                for j in 0..<tout {
                    let s = j * stride + k - padding
                    if s >= 0 && s < t { dx[s] += row[j] }
                }
            }
        }
    }

    /// Forward: out[b] = weight (Cout, Cin·K) · im2col(inp[b]) + bias. `cols` holds Cin·K·Tout floats.
    /// Each product is split over `ctx`'s workers.
    public static func forward(_ inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                               _ out: UnsafeMutablePointer<Float>, batch: Int, cin: Int, cout: Int, t: Int,
                               kernel: Int, stride: Int, padding: Int, cols: UnsafeMutablePointer<Float>,
                               ctx: ComputeContext = .serial) {
        let tout = outputLength(t, kernel: kernel, stride: stride, padding: padding)
        for b in 0..<batch {
            im2col(inp + b * cin * t, cin: cin, t: t, kernel: kernel, stride: stride, padding: padding, tout: tout, cols)
            let y = out + b * cout * tout
            if let bias { for o in 0..<cout { (y + o * tout).initialize(repeating: bias[o], count: tout) } }
            MatmulKernels.gemm(transA: false, transB: false, m: cout, n: tout, k: cin * kernel,
                               a: weight, b: cols, beta: bias == nil ? 0 : 1, out: y, ctx: ctx)
        }
    }

    /// Backward: dweight += Σ_b dout[b] · cols[b]ᵀ, dbias += Σ_{b,t} dout, dinp = col2im(weightᵀ · dout[b])
    /// (dinp overwritten). `cols` and `dcols` each hold Cin·K·Tout floats. Each product is split over
    /// `ctx`'s workers.
    public static func backward(_ inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, _ dout: UnsafePointer<Float>,
                                dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?,
                                dbias: UnsafeMutablePointer<Float>?, batch: Int, cin: Int, cout: Int, t: Int,
                                kernel: Int, stride: Int, padding: Int,
                                cols: UnsafeMutablePointer<Float>, dcols: UnsafeMutablePointer<Float>,
                                ctx: ComputeContext = .serial) {
        let tout = outputLength(t, kernel: kernel, stride: stride, padding: padding)
        let ck = cin * kernel
        for b in 0..<batch {
            let g = dout + b * cout * tout
            if let dbias { for o in 0..<cout { dbias[o] += sumSIMD(g + o * tout, tout) } }
            if let dweight {
                im2col(inp + b * cin * t, cin: cin, t: t, kernel: kernel, stride: stride, padding: padding, tout: tout, cols)
                MatmulKernels.gemm(transA: false, transB: true, m: cout, n: ck, k: tout, a: g, b: cols, beta: 1, out: dweight, ctx: ctx)
            }
            if let dinp {
                MatmulKernels.gemm(transA: true, transB: false, m: ck, n: tout, k: cout, a: weight, b: g, out: dcols, ctx: ctx)
                let dx = dinp + b * cin * t
                dx.initialize(repeating: 0, count: cin * t)
                col2im(dcols, cin: cin, t: t, kernel: kernel, stride: stride, padding: padding, tout: tout, dx)
            }
        }
    }
}

extension Tensor {
    /// Conv1d of `self` (B, Cin, T) with `weight` (Cout, Cin, K) and optional `bias` (Cout) → (B, Cout, Tout).
    public func conv1d(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0, in ctx: ComputeContext = .serial) -> Tensor {
        precondition(rank == 3 && weight.rank == 3 && weight.shape[1] == shape[1],
                     "conv1d: input (B, Cin, T) \(shape) and weight (Cout, Cin, K) \(weight.shape) disagree")
        let (b, cin, t) = (shape[0], shape[1], shape[2]), (cout, k) = (weight.shape[0], weight.shape[2])
        precondition(bias.map { $0.shape == [cout] } ?? true, "conv1d: bias must be [\(cout)]")
        precondition(stride >= 1 && padding >= 0 && t + 2 * padding >= k, "conv1d: input length \(t) too short for kernel \(k) with padding \(padding)")
        let tout = Conv1dKernels.outputLength(t, kernel: k, stride: stride, padding: padding)
        var out = output([b, cout, tout], ctx)
        // im2col workspace from the context's buffer cache (a training step reuses it, no fresh pages).
        var workspace = Tensor(uninitializedShape: [Swift.max(1, cin * k * tout)], in: ctx)
        workspace.withUnsafeMutableBufferPointer { ws in
            let cols = ws.baseAddress!
            withUnsafeBufferPointer { x in weight.withUnsafeBufferPointer { w in out.withUnsafeMutableBufferPointer { y in
                let run = { (bp: UnsafePointer<Float>?) in
                    Conv1dKernels.forward(x.baseAddress!, weight: w.baseAddress!, bias: bp, y.baseAddress!, batch: b,
                                          cin: cin, cout: cout, t: t, kernel: k, stride: stride, padding: padding,
                                          cols: cols, ctx: ctx)
                }
                if let bias { bias.withUnsafeBufferPointer { run($0.baseAddress!) } } else { run(nil) }
            } } }
        }
        return out
    }
}
