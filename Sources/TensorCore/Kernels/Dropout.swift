// inp (n), mask (n), out (n)

import SeededRandom

/// Inverted dropout: kept elements are scaled by 1/(1 − p), so evaluation needs no rescaling.
///
/// Counter-based, like the attention dropout (`AttentionDropout`): one `UInt64` seed is drawn from the
/// caller's generator per call, and element i is kept unless a hash of (seed, i) falls below ⌊p·2³²⌋
/// (i split into blocks of 2¹⁶: block i >> 16 gives the row key, i & 0xFFFF the key within it). The mask
/// depends only on the generator's state, not on the thread count or on how the work is split, so it is
/// drawn on all of the context's threads.
public enum DropoutKernels {
    /// Elements per hash block (one row key each).
    public static let blockLength = 1 << 16

    /// Multiplies `x[0..<n]` in place by the factors of `dropout` (0 or 1/(1 − p)), on `ctx`'s threads.
    public static func scale(_ x: UnsafeMutablePointer<Float>, _ n: Int, by dropout: AttentionDropout, in ctx: ComputeContext) {
        let blocks = (n + blockLength - 1) / blockLength
        let box = UncheckedSendable(x)
        ctx.parallelFor(blocks) { range in
            for block in range {
                let start = block * blockLength
                dropout.apply(box.value + start, count: Swift.min(blockLength, n - start), rowKey: dropout.rowKey(block), firstKey: 0)
            }
        }
    }

    /// The factor of element `i` under `dropout` (what `scale` multiplies it by).
    public static func factor(_ i: Int, _ dropout: AttentionDropout) -> Float {
        dropout.factor(rowKey: dropout.rowKey(i >> 16), key: i & (blockLength - 1))
    }
}

extension Tensor {
    /// Inverted dropout without keeping the mask (when no backward pass will need it): the same output
    /// as `dropout(p:using:in:)` for the same generator state.
    public func droppedOut<G: RandomNumberGenerator>(p: Float, using generator: inout G,
                                                     in ctx: ComputeContext = .serial) -> Tensor {
        precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1), got \(p)")
        var out = output(shape, ctx)
        withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in y.baseAddress!.update(from: x.baseAddress!, count: count) } }
        guard p > 0 else { return out }
        let dropout = AttentionDropout(p: p, seed: generator.next())
        out.withUnsafeMutableBufferPointer { DropoutKernels.scale($0.baseAddress!, count, by: dropout, in: ctx) }
        return out
    }

    /// Inverted dropout with probability `p`; returns the output and the mask (0 or 1/(1 − p)). Draws
    /// one `UInt64` from `generator` (none when p = 0).
    public func dropout<G: RandomNumberGenerator>(p: Float, using generator: inout G,
                                                  in ctx: ComputeContext = .serial) -> (output: Tensor, mask: Tensor) {
        precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1), got \(p)")
        var mask = output(shape, ctx)
        mask.withUnsafeMutableBufferPointer { $0.initialize(repeating: 1) }
        guard p > 0 else { return (self, mask) }
        let dropout = AttentionDropout(p: p, seed: generator.next())
        mask.withUnsafeMutableBufferPointer { DropoutKernels.scale($0.baseAddress!, count, by: dropout, in: ctx) }
        return (elementwise(.mul, mask, in: ctx), mask)
    }
}
