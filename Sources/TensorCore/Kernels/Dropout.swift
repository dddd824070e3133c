// inp (n), mask (n), out (n)

import SeededRandom

/// Inverted dropout: kept elements are scaled by 1/(1 − p), so evaluation needs no rescaling.
public enum DropoutKernels {
    /// mask[i] = 0 with probability `p`, else 1/(1 − p). Draws exactly one `UInt64` per element, in
    /// order, from `generator` (none when p = 0): the mask depends only on the generator's state.
    @inlinable
    public static func mask<G: RandomNumberGenerator>(_ mask: UnsafeMutablePointer<Float>, _ n: Int,
                                                      p: Float, using generator: inout G) {
        precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1), got \(p)")
        if p == 0 { mask.initialize(repeating: 1, count: n); return }
        if var x = generator as? Xoshiro256 {   // the toolkit's generator: one cast, then the draws inline
            xoshiroMask(mask, n, p: p, using: &x)
            generator = x as! G
            return
        }
        let keep = 1 / (1 - p)
        for i in 0..<n {
            let u = Float(generator.next() >> 40) * 0x1p-24   // 24 random bits, uniform in [0, 1)
            mask[i] = u < p ? 0 : keep
        }
    }
}

extension DropoutKernels {
    /// out = inp ⊙ mask without storing the mask (same draws as `mask`: equal outputs for equal generators).
    @inlinable
    public static func apply<G: RandomNumberGenerator>(_ inp: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                                       _ n: Int, p: Float, using generator: inout G) {
        precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1), got \(p)")
        if p == 0 { out.update(from: inp, count: n); return }
        if var x = generator as? Xoshiro256 {
            xoshiroApply(inp, out, n, p: p, using: &x)
            generator = x as! G
            return
        }
        let keep = 1 / (1 - p)
        for i in 0..<n {
            let u = Float(generator.next() >> 40) * 0x1p-24
            out[i] = u < p ? 0 : inp[i] * keep
        }
    }
}

extension DropoutKernels {
    /// `mask` for the concrete `Xoshiro256` (the same draws; generic callers reach it through one cast,
    /// so the generator runs inline rather than through a protocol call per element).
    @usableFromInline
    static func xoshiroMask(_ mask: UnsafeMutablePointer<Float>, _ n: Int, p: Float, using generator: inout Xoshiro256) {
        let keep = 1 / (1 - p)
        for i in 0..<n {
            let u = Float(generator.next() >> 40) * 0x1p-24
            mask[i] = u < p ? 0 : keep
        }
    }

    /// `apply` for the concrete `Xoshiro256` (the same draws).
    @usableFromInline
    static func xoshiroApply(_ inp: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int, p: Float,
                             using generator: inout Xoshiro256) {
        let keep = 1 / (1 - p)
        for i in 0..<n {
            let u = Float(generator.next() >> 40) * 0x1p-24
            out[i] = u < p ? 0 : inp[i] * keep
        }
    }
}

extension Tensor {
    /// Inverted dropout without keeping the mask (when no backward pass will need it).
    @inlinable
    public func droppedOut<G: RandomNumberGenerator>(p: Float, using generator: inout G) -> Tensor {
        var out = output(shape)
        withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in
            DropoutKernels.apply(x.baseAddress!, y.baseAddress!, count, p: p, using: &generator)
        } }
        return out
    }

    /// Inverted dropout with probability `p`; returns the output and the mask (0 or 1/(1 − p)).
    @inlinable
    /// The mask is drawn serially (its draw order is the contract); the product runs on `ctx`'s threads.
    public func dropout<G: RandomNumberGenerator>(p: Float, using generator: inout G,
                                                  in ctx: ComputeContext = .serial) -> (output: Tensor, mask: Tensor) {
        var mask = output(shape, ctx)
        mask.withUnsafeMutableBufferPointer { DropoutKernels.mask($0.baseAddress!, count, p: p, using: &generator) }
        return (elementwise(.mul, mask, in: ctx), mask)
    }
}
