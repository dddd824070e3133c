/// Frame counts and positions in samples (Kaldi's `feature-window.cc`).
public struct FrameGeometry: Sendable, Equatable {
    /// Window length L in samples.
    public let windowLength: Int
    /// Shift S in samples.
    public let shift: Int
    /// FFT length (L rounded up to a power of two, or L).
    public let paddedLength: Int
    public let snipEdges: Bool

    public init(options: FbankOptions, sampleRate: Double) {
        windowLength = Int(sampleRate * 0.001 * options.frameLength)
        shift = Int(sampleRate * 0.001 * options.frameShift)
        var p = windowLength
        if options.roundToPowerOfTwo {
            p = 1
            while p < windowLength { p <<= 1 }
        }
        paddedLength = p
        snipEdges = options.snipEdges
    }

    /// Number of frames for `samples` input samples: `1 + (N − L) / S` with snip-edges (0 when N < L),
    /// otherwise `(N + S/2) / S`.
    public func frameCount(samples n: Int) -> Int {
        if snipEdges {
            return n < windowLength ? 0 : 1 + (n - windowLength) / shift
        }
        return (n + shift / 2) / shift
    }

    /// Index of the first sample of frame `t` (negative before the signal without snip-edges).
    public func firstSample(ofFrame t: Int) -> Int {
        snipEdges ? t * shift : t * shift + shift / 2 - windowLength / 2
    }
}
