import Foundation

/// One entry as `mtla store inspect --json` reports it.
public struct KaldiEntrySummary: Sendable, Equatable, Codable {
    public var id: String
    /// Rows (frames, or vector length).
    public var rows: Int
    /// Columns (1 for vectors and mono audio; channels for audio).
    public var cols: Int
    /// Float64 sum of the values in their stored precision (Float64 data summed as is; audio as the
    /// [-1, 1) samples), left to right.
    public var sum: Double
    /// sha256 over the C-order little-endian Float32 bytes (Float64 rounded, int32 converted, audio in
    /// [-1, 1)), so that any two stores can be compared.
    public var sha256: String

    public init(id: String, rows: Int, cols: Int, sum: Double, sha256: String) {
        self.id = id
        self.rows = rows
        self.cols = cols
        self.sum = sum
        self.sha256 = sha256
    }
}

/// Store fingerprints for Kaldi arks and scps (`mtla store inspect`).
public enum KaldiInspect {
    /// Summarises one object. Extended-audio entries are decoded with `decodeAudio` (WAV payloads also
    /// without it).
    /// - Throws: `FeatureStoreError.audioDecoderUnavailable` for FLAC without a decoder.
    public static func summarize(key: String, object: KaldiObject, path: String,
                                 decodeAudio: KaldiAudioDecoder? = nil) throws -> KaldiEntrySummary {
        var sum = 0.0
        let rows: Int, cols: Int, values: [Float]
        switch object {
        case let .doubleMatrix(m):
            (rows, cols) = (m.rows, m.cols)
            for v in m.values { sum += v }
            values = m.values.map { Float($0) }
        case let .doubleVector(v):
            (rows, cols) = (v.count, 1)
            for x in v { sum += x }
            values = v.map { Float($0) }
        case let .extendedAudio(a):
            let audio = try a.decode(name: path, key: key, using: decodeAudio)
            (rows, cols) = (audio.frames, audio.channels)
            values = audio.samples
            for v in values { sum += Double(v) }
        default:
            guard let m = object.featureMatrix else { preconditionFailure("every other object has a matrix view") }
            (rows, cols) = (m.rows, m.cols)
            values = m.values
            values.withUnsafeBufferPointer { for v in $0 { sum += Double(v) } }
        }
        var h = SHA256()
        h.update(float32: values)
        return KaldiEntrySummary(id: key, rows: rows, cols: cols, sum: sum, sha256: h.finalizeHex())
    }

    /// Summarises every entry of an ark (read sequentially) or of an scp (in scp order), chosen by the
    /// `.scp` extension.
    /// - Parameter baseDirectory: for an scp, the directory relative ark paths are resolved against
    ///   (`nil`: the working directory, as Kaldi does).
    /// - Returns: `"ark"` or `"scp"` and the summaries in store order.
    public static func inspect(path: String, baseDirectory: String? = nil,
                               decodeAudio: KaldiAudioDecoder? = nil) throws -> (format: String, entries: [KaldiEntrySummary]) {
        var out: [KaldiEntrySummary] = []
        if path.hasSuffix(".scp") {
            let reader = try KaldiScpReader(scpPath: path, baseDirectory: baseDirectory)
            for e in reader.entries {
                out.append(try summarize(key: e.key, object: reader.read(e), path: reader.resolvedPath(e), decodeAudio: decodeAudio))
            }
            return ("scp", out)
        }
        var reader = try KaldiArkReader(path: path)
        while let e = try reader.next() {
            out.append(try summarize(key: e.key, object: e.object, path: path, decodeAudio: decodeAudio))
        }
        return ("ark", out)
    }
}
