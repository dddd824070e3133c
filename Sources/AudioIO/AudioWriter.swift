import CSndFile
import Foundation

/// The encodings `AudioWriter` writes: 16-bit PCM in a WAV or a FLAC container.
public enum AudioFileFormat: String, Sendable, CaseIterable {
    case wav16
    case flac16

    var sndfileFormat: Int32 {
        switch self {
        case .wav16: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)
        case .flac16: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16)
        }
    }

    /// The usual file extension, without the dot.
    public var fileExtension: String { self == .wav16 ? "wav" : "flac" }
}

/// Writes mono audio through libsndfile.
public enum AudioWriter {
    /// Writes `samples` (mono, Float in [-1, 1]; values beyond are clipped) as `format` at `sampleRate`.
    /// The same samples always give the same bytes (FLAC carries no timestamps).
    /// - Throws: `AudioError.writeFailed` naming the path and libsndfile's reason.
    public static func write(_ samples: [Float], sampleRate: Int, format: AudioFileFormat, to path: String) throws {
        var info = SF_INFO()
        info.samplerate = Int32(sampleRate)
        info.channels = 1
        info.format = format.sndfileFormat
        guard sf_format_check(&info) != 0 else {
            throw AudioError.writeFailed(path: path, reason: "libsndfile cannot write \(format.rawValue) at \(sampleRate) Hz")
        }
        guard let handle = sf_open(path, Int32(SFM_WRITE), &info) else {
            throw AudioError.writeFailed(path: path, reason: String(cString: sf_strerror(nil)))
        }
        // Without clipping, libsndfile wraps samples beyond full scale around.
        _ = sf_command(handle, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE))
        let written = samples.withUnsafeBufferPointer { sf_writef_float(handle, $0.baseAddress, sf_count_t($0.count)) }
        let reason = String(cString: sf_strerror(handle))
        let closed = sf_close(handle)
        guard written == sf_count_t(samples.count), closed == 0 else {
            throw AudioError.writeFailed(path: path, reason: "wrote \(written) of \(samples.count) frames: \(reason)")
        }
    }
}
