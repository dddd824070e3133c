// inp (n), out (n) for the pointwise activations; GLU: inp (O, 2H, I) split on its axis → out (O, H, I)

/// The pointwise activations.
public enum Activation: String, Sendable, Equatable, CaseIterable, Codable {
    case relu
    /// 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))), PyTorch's `gelu(approximate="tanh")`.
    case geluTanh = "gelu_tanh"
    /// x·Φ(x) with the exact erf, PyTorch's default `gelu`.
    case gelu
    /// x·σ(x).
    case silu
}

/// Activation kernels (SIMD16 with the polynomial exp; the erf form with `SIMDMath.erf`, as PyTorch's CPU kernel).
public enum ActivationKernels {
    typealias V = SIMD16<Float>
    static let k0 = V(repeating: 0.797_884_56), k1 = V(repeating: 0.044_715)

    /// out = f(inp) for `n` elements.
    public static func forward(_ f: Activation, _ inp: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                               _ n: Int, ctx: ComputeContext = .serial) {
        ctx.parallelFor(n, grain: 1 << 14) { r in
            let x = inp + r.lowerBound, y = out + r.lowerBound, m = r.count
            switch f {
            case .relu: mapSIMD(x, y, m) { $0.replacing(with: 0, where: $0 .< 0) }
            case .geluTanh: mapSIMD(x, y, m) { x in 0.5 * x * (1 + SIMDMath.tanh(k0 * (x + k1 * x * x * x))) }
            case .gelu: mapSIMD(x, y, m) { 0.5 * $0 * (1 + SIMDMath.erf($0 * 0.707_106_78)) }
            case .silu: mapSIMD(x, y, m) { $0 * SIMDMath.sigmoid($0) }
            }
        }
    }

    /// dinp = dout ⊙ f′(inp) for `n` elements.
    public static func backward(_ f: Activation, _ inp: UnsafePointer<Float>, _ dout: UnsafePointer<Float>,
                                _ dinp: UnsafeMutablePointer<Float>, _ n: Int, ctx: ComputeContext = .serial) {
        ctx.parallelFor(n, grain: 1 << 14) { r in
            let x = inp + r.lowerBound, g = dout + r.lowerBound, d = dinp + r.lowerBound, m = r.count
            switch f {
            case .relu: zipSIMD(x, g, d, m) { x, g in g.replacing(with: 0, where: x .<= 0) }
            case .geluTanh:
                zipSIMD(x, g, d, m) { x, g in
                    let x2 = x * x
                    let t = SIMDMath.tanh(k0 * (x + k1 * x2 * x))
                    let du = k0 * (1 + 3 * k1 * x2)
                    return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du)
                }
            case .gelu:
                zipSIMD(x, g, d, m) { x, g in
                    let cdf = 0.5 * (1 + SIMDMath.erf(x * 0.707_106_78))
                    let pdf = SIMDMath.exp(-0.5 * x * x) * 0.398_942_28
                    return g * (cdf + x * pdf)
                }
            case .silu:
                zipSIMD(x, g, d, m) { x, g in
                    let s = SIMDMath.sigmoid(x)
                    return g * s * (1 + x * (1 - s))
                }
            }
        }
    }

    /// GLU: out[o, h, i] = a · σ(b) with a = inp[o, h, i], b = inp[o, H + h, i] (first half times the
    /// sigmoid of the second, as `torch.nn.functional.glu`).
    public static func glu(_ inp: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                           outer: Int, half: Int, inner: Int) {
        let block = half * inner
        for o in 0..<outer {
            let a = inp + o * 2 * block, b = a + block
            zipSIMD(a, b, out + o * block, block) { $0 * SIMDMath.sigmoid($1) }
        }
    }

    /// GLU backward: da = dout · σ(b), db = dout · a · σ(b)(1 − σ(b)), into dinp (O, 2H, I).
    public static func gluBackward(_ inp: UnsafePointer<Float>, _ dout: UnsafePointer<Float>,
                                   _ dinp: UnsafeMutablePointer<Float>, outer: Int, half: Int, inner: Int) {
        let block = half * inner
        for o in 0..<outer {
            let a = inp + o * 2 * block, b = a + block, g = dout + o * block
            let da = dinp + o * 2 * block, db = da + block
            zipSIMD(b, g, da, block) { SIMDMath.sigmoid($0) * $1 }          // da = g·σ(b)
            zipSIMD(a, da, db, block) { $0 * $1 }                              // a·g·σ(b)
            zipSIMD(db, b, db, block) { $0 * (1 - SIMDMath.sigmoid($1)) }      // ·(1 − σ(b))
        }
    }
}

extension Tensor {
    /// A pointwise activation.
    public func activated(_ f: Activation, in ctx: ComputeContext = .serial) -> Tensor {
        var out = output(shape, ctx)
        withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in
            ActivationKernels.forward(f, x.baseAddress!, y.baseAddress!, count, ctx: ctx)
        } }
        return out
    }

    /// GLU along `axis` (whose length must be even): first half ⊙ σ(second half).
    public func glu(axis: Int = -1, in ctx: ComputeContext = .serial) -> Tensor {
        let a = Shape.axis(axis, rank: rank)
        precondition(shape[a] % 2 == 0, "glu: axis \(a) of \(shape) has odd length")
        let (o, l, i) = Shape.split(shape, axis: a)
        var outShape = shape
        outShape[a] = l / 2
        var out = output(outShape, ctx)
        withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in
            ActivationKernels.glu(x.baseAddress!, y.baseAddress!, outer: o, half: l / 2, inner: i)
        } }
        return out
    }
}
