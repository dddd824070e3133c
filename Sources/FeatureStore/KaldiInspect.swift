import Foundation

/// Store fingerprints for Kaldi arks and scps (`mtla store inspect`).
public enum KaldiInspect {
    /// Summarises one object. Extended-audio entries are decoded with `decodeAudio` (WAV payloads also
    /// without it).
    /// - Throws: `FeatureStoreError.audioDecoderUnavailable` for FLAC without a decoder.
    public static func summarize(key: String, object: KaldiObject, path: String,
                                 decodeAudio: KaldiAudioDecoder? = nil) throws -> StoreEntrySummary {
        switch object {
        case let .doubleMatrix(m):
            return StoreEntrySummary(id: key, rows: m.rows, cols: m.cols, values: m.values.map { Float($0) },
                                     sum: m.values.reduce(0, +))
        case let .doubleVector(v):
            return StoreEntrySummary(id: key, rows: v.count, cols: 1, values: v.map { Float($0) }, sum: v.reduce(0, +))
        case let .extendedAudio(a):
            let audio = try a.decode(name: path, key: key, using: decodeAudio)
            return StoreEntrySummary(id: key, rows: audio.frames, cols: audio.channels, values: audio.samples)
        default:
            guard let m = object.featureMatrix else { preconditionFailure("every other object has a matrix view") }
            return StoreEntrySummary(id: key, matrix: m)
        }
    }

    /// Summarises every entry of an ark (read sequentially) or of an scp (in scp order), chosen by the
    /// `.scp` extension.
    /// - Parameter baseDirectory: for an scp, the directory relative ark paths are resolved against
    ///   (`nil`: the working directory, as Kaldi does).
    /// - Returns: `"ark"` or `"scp"` and the summaries in store order.
    public static func inspect(path: String, baseDirectory: String? = nil,
                               decodeAudio: KaldiAudioDecoder? = nil) throws -> (format: String, entries: [StoreEntrySummary]) {
        var out: [StoreEntrySummary] = []
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
