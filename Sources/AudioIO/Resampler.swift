import CSoxr

/// A streaming mono resampler on libsoxr at its very-high-quality setting (SOXR_VHQ).
///
/// Feed blocks with `process`, then call `flush` once; streaming in blocks gives the same samples as
/// one call (platform notes). One instance per stream; not thread-safe.
public final class Resampler {
    public let inputRate: Int
    public let outputRate: Int
    private let soxr: soxr_t

    /// - Throws: `AudioError.resampler` when libsoxr rejects the rates.
    public init(from inputRate: Int, to outputRate: Int) throws {
        self.inputRate = inputRate
        self.outputRate = outputRate
        var io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        var q = soxr_quality_spec(UInt(SOXR_VHQ), 0)
        var err: soxr_error_t? = nil
        guard let s = soxr_create(Double(inputRate), Double(outputRate), 1, &err, &io, &q, nil), err == nil else {
            throw AudioError.resampler(reason: err.map { String(cString: $0) } ?? "soxr_create failed for \(inputRate) -> \(outputRate) Hz")
        }
        soxr = s
    }

    deinit { soxr_delete(soxr) }

    private func run(_ input: UnsafeBufferPointer<Float>?, count: Int) throws -> [Float] {
        var out: [Float] = []
        var consumed = 0
        let ratio = Double(outputRate) / Double(inputRate)
        let chunk = max(1024, Int(Double(count) * ratio) + 64)
        var buffer = [Float](repeating: 0, count: chunk)
        repeat {
            var idone = 0, odone = 0
            let err: soxr_error_t? = buffer.withUnsafeMutableBufferPointer { o in
                if let input {
                    return soxr_process(soxr, input.baseAddress! + consumed, count - consumed, &idone, o.baseAddress, chunk, &odone)
                }
                return soxr_process(soxr, nil, 0, nil, o.baseAddress, chunk, &odone)
            }
            if let err { throw AudioError.resampler(reason: String(cString: err)) }
            consumed += idone
            out.append(contentsOf: buffer[0..<odone])
            if input == nil && odone == 0 { break }
            if input != nil && consumed >= count && odone < chunk { break }
        } while true
        return out
    }

    /// Resamples one block; returns the output samples available so far.
    public func process(_ block: [Float]) throws -> [Float] {
        if block.isEmpty { return [] }
        return try block.withUnsafeBufferPointer { try run($0, count: block.count) }
    }

    /// Drains the resampler's delay line at the end of the stream.
    public func flush() throws -> [Float] { try run(nil, count: 0) }

    /// Resamples a whole signal in one go.
    public static func resample(_ samples: [Float], from inputRate: Int, to outputRate: Int) throws -> [Float] {
        if inputRate == outputRate { return samples }
        let r = try Resampler(from: inputRate, to: outputRate)
        return try r.process(samples) + r.flush()
    }
}
