import Foundation

/// Checks a RIFF/WAVE file's `data` chunk against the bytes really present.
///
/// libsndfile opens a truncated WAV without complaint and reports fewer frames (platform notes), so
/// the toolkit compares the chunk size the header announces with what the file holds.
enum WavHeaderCheck {
    /// Returns `(announced, present)` data-chunk byte counts, or nil when the bytes are not a plain
    /// RIFF/WAVE file (RF64, streaming sizes of 0xFFFFFFFF, other containers).
    static func dataChunkSizes(_ bytes: UnsafeRawBufferPointer) -> (announced: Int, present: Int)? {
        guard bytes.count >= 12,
              bytes[0] == 0x52, bytes[1] == 0x49, bytes[2] == 0x46, bytes[3] == 0x46,  // RIFF
              bytes[8] == 0x57, bytes[9] == 0x41, bytes[10] == 0x56, bytes[11] == 0x45  // WAVE
        else { return nil }
        var pos = 12
        while pos + 8 <= bytes.count {
            let id = (bytes[pos], bytes[pos + 1], bytes[pos + 2], bytes[pos + 3])
            let size = Int(bytes.loadUnaligned(fromByteOffset: pos + 4, as: UInt32.self).littleEndian)
            if id == (0x64, 0x61, 0x74, 0x61) {  // "data"
                if size == 0xFFFF_FFFF || size == 0 { return nil }
                return (size, bytes.count - (pos + 8))
            }
            pos += 8 + size + (size & 1)
        }
        return nil
    }

    /// Reads the first 4 KiB of `path` (64 KiB if the data chunk starts later) and its size, and
    /// checks the data chunk.
    /// - Throws: `AudioError.truncatedData` when fewer bytes are present than announced.
    static func check(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return }
        let total = Int(st.st_size)
        for limit in [4096, 1 << 16] {
            var head = [UInt8](repeating: 0, count: min(limit, total))
            let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return }
            let found = try head.withUnsafeBytes { raw -> Bool in
                let view = UnsafeRawBufferPointer(rebasing: raw[0..<n])
                guard let sizes = dataChunkSizes(view) else { return false }
                let present = sizes.present + (total - n)
                if present < sizes.announced {
                    throw AudioError.truncatedData(path: path, headerBytes: sizes.announced, presentBytes: present)
                }
                return true
            }
            if found || n >= total { return }
        }
    }
}
