/// Filterbank features of a signal that arrives in blocks, keeping only the samples the next frame
/// still needs (with snip-edges). Without snip-edges the first and last frames reflect the signal
/// around its ends, so the whole signal is kept and the frames are computed in `finish`.
///
/// The output equals `FbankComputer.compute` on the concatenated blocks, bit for bit.
public struct StreamingFbank {
    public let computer: FbankComputer
    private var pending: [Float] = []
    /// Absolute index of `pending[0]`.
    private var pendingStart = 0
    private var nextFrame = 0
    private var rows: [Float] = []
    public private(set) var samplesSeen = 0

    public init(computer: FbankComputer) { self.computer = computer }

    /// Adds a block of samples and computes every frame it completes.
    public mutating func accept(_ block: [Float], using rng: inout some RandomNumberGenerator) {
        pending.append(contentsOf: block)
        samplesSeen += block.count
        guard computer.geometry.snipEdges else { return }
        emitCompleteFrames(using: &rng)
    }

    private mutating func emitCompleteFrames(using rng: inout some RandomNumberGenerator) {
        let g = computer.geometry
        let dim = computer.dimension
        let available = g.frameCount(samples: samplesSeen)
        if available > nextFrame {
            let first = nextFrame
            rows.append(contentsOf: repeatElement(0, count: (available - first) * dim))
            let base = rows.count - (available - first) * dim
            pending.withUnsafeBufferPointer { x in
                rows.withUnsafeMutableBufferPointer { o in
                    for t in first..<available {
                        computer.computeFrame(t, signal: x, sampleOffset: pendingStart,
                                              into: o.baseAddress! + base + (t - first) * dim, using: &rng)
                    }
                }
            }
            nextFrame = available
        }
        // Drop samples no later frame needs.
        let keepFrom = g.firstSample(ofFrame: nextFrame)
        let drop = keepFrom - pendingStart
        if drop > 0 && drop >= pending.count / 2 {
            let d = min(drop, pending.count)
            pending.removeFirst(d)
            pendingStart += d
        }
    }

    /// Completes the stream and returns all frames (`frames × dimension`).
    public mutating func finish(using rng: inout some RandomNumberGenerator) -> FeatureMatrix {
        let dim = computer.dimension
        if !computer.geometry.snipEdges {
            let m = computer.compute(pending, using: &rng)
            pending = []
            return m
        }
        let m = FeatureMatrix(rows: rows.count / dim, cols: dim, values: rows)
        rows = []
        return m
    }
}
