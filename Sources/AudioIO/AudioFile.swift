import CSndFile
import Foundation

/// An open audio file (WAV, FLAC, Ogg, … anything libsndfile reads), from a path or from bytes.
///
/// Reads are in frames (one sample per channel); samples come back interleaved as Float in [-1, 1).
/// Every full read is checked against the frame count the header announces, so truncated or corrupt
/// files are errors rather than shorter audio. Not thread-safe: use one `AudioFile` per thread.
public final class AudioFile {
    public let name: String
    public let info: AudioInfo
    private let handle: OpaquePointer
    private let memory: MemoryAudioSource?
    private var memoryRef: Unmanaged<MemoryAudioSource>?

    /// Opens `path` for reading.
    /// - Throws: `AudioError.cannotOpen` (missing file, not audio, unsupported encoding),
    ///   `AudioError.truncatedData` (a WAV whose data chunk is shorter than announced).
    public init(path: String) throws {
        var sfinfo = SF_INFO()
        guard let h = sf_open(path, Int32(SFM_READ), &sfinfo) else {
            let reason = String(cString: sf_strerror(nil))
            if !FileManager.default.fileExists(atPath: path) {
                throw AudioError.cannotOpen(path: path, reason: "no such file")
            }
            throw AudioError.cannotOpen(path: path, reason: reason)
        }
        handle = h
        memory = nil
        name = path
        info = AudioInfo(sfinfo)
        if info.container == "WAV" || info.container == "WAVEX" { try WavHeaderCheck.check(path: path) }
        try Self.checkUsable(info, name: path)
    }

    /// Opens an in-memory audio file (e.g. the payload of an ark `AUDIO` entry). `name` is used in errors.
    public init(bytes: [UInt8], name: String) throws {
        let src = MemoryAudioSource(bytes: bytes)
        let ref = Unmanaged.passRetained(src)
        var vio = MemoryAudioSource.virtualIO
        var sfinfo = SF_INFO()
        guard let h = sf_open_virtual(&vio, Int32(SFM_READ), &sfinfo, ref.toOpaque()) else {
            ref.release()
            throw AudioError.cannotOpen(path: name, reason: String(cString: sf_strerror(nil)))
        }
        handle = h
        memory = src
        memoryRef = ref
        self.name = name
        info = AudioInfo(sfinfo)
        try bytes.withUnsafeBytes { raw in
            if let sizes = WavHeaderCheck.dataChunkSizes(raw), sizes.present < sizes.announced {
                throw AudioError.truncatedData(path: name, headerBytes: sizes.announced, presentBytes: sizes.present)
            }
        }
        try Self.checkUsable(info, name: name)
    }

    private static func checkUsable(_ info: AudioInfo, name: String) throws {
        if info.channels < 1 || info.sampleRate < 1 {
            throw AudioError.cannotOpen(path: name, reason: "header reports \(info.channels) channels at \(info.sampleRate) Hz")
        }
    }

    deinit {
        sf_close(handle)
        memoryRef?.release()
    }

    /// Moves the read position to `frame` (0-based).
    public func seek(toFrame frame: Int) throws {
        if sf_seek(handle, sf_count_t(frame), SEEK_SET) < 0 {
            throw AudioError.readFailed(path: name, reason: "cannot seek to frame \(frame): \(String(cString: sf_strerror(handle)))")
        }
    }

    /// Reads up to `frames` frames into `buffer` (interleaved, `frames * channels` floats) and returns
    /// how many frames were read (fewer only at the end of the file).
    public func read(into buffer: UnsafeMutableBufferPointer<Float>, frames: Int) -> Int {
        precondition(buffer.count >= frames * info.channels, "buffer too small")
        return Int(sf_readf_float(handle, buffer.baseAddress, sf_count_t(frames)))
    }

    /// Reads `frames` frames from the current position, interleaved.
    /// - Throws: `AudioError.truncated` if fewer frames decode than requested.
    public func readFrames(_ frames: Int) throws -> [Float] {
        let ch = info.channels
        var got = 0
        let out = [Float](unsafeUninitializedCapacity: frames * ch) { buf, count in
            got = frames > 0 ? read(into: buf, frames: frames) : 0
            count = got * ch
        }
        if got < frames {
            let detail = String(cString: sf_strerror(handle))
            throw AudioError.truncated(path: name, expectedFrames: frames, readFrames: got,
                                       detail: detail == "No Error." ? "" : detail)
        }
        return out
    }

    /// Decodes the whole file, interleaved. Checks that every announced frame decodes.
    public func readAll() throws -> [Float] {
        try seek(toFrame: 0)
        return try readFrames(info.frames)
    }
}
