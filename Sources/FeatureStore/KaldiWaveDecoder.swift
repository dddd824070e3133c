/// Decodes RIFF/WAVE PCM_16 files from memory (Kaldi's wave arks, kaldiio's `AUDIO` WAV payloads).
///
/// Kaldi's `WaveData` reads only 16-bit PCM; so does this decoder (format tag 1, or
/// `WAVE_FORMAT_EXTENSIBLE` with 16 bits). Other encodings belong to AudioIO.
public enum KaldiWaveDecoder {
    /// Where the parts of a RIFF file lie, relative to its first byte.
    struct Layout {
        var sampleRate: Int
        var channels: Int
        var dataOffset: Int
        var dataLength: Int
        /// One past the last byte of the data chunk: where the entry ends in a wave ark.
        var end: Int { dataOffset + dataLength }
    }

    /// Parses the RIFF header of `bytes` (which may extend past the file, as in an ark).
    static func layout(_ bytes: UnsafeRawBufferPointer, path: String, key: String, offset: Int) throws -> Layout {
        func bad(_ reason: String) -> FeatureStoreError {
            .badKaldiObject(path: path, key: key, offset: offset, reason: "RIFF/WAVE: " + reason)
        }
        func truncated(_ reason: String) -> FeatureStoreError {
            .truncatedArk(path: path, key: key, offset: offset, reason: "RIFF/WAVE: " + reason)
        }
        func u32(_ at: Int) -> Int { Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self))) }
        func u16(_ at: Int) -> Int { Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self))) }
        guard bytes.count >= 12 else { throw truncated("header needs 12 bytes, have \(bytes.count)") }
        guard bytes.starts(with: [0x52, 0x49, 0x46, 0x46]) else { throw bad("missing 'RIFF' magic") }
        guard bytes[8] == 0x57, bytes[9] == 0x41, bytes[10] == 0x56, bytes[11] == 0x45 else { throw bad("missing 'WAVE' form type") }
        var pos = 12
        var fmt: (channels: Int, rate: Int, bits: Int, tag: Int)?
        while true {
            guard pos + 8 <= bytes.count else { throw truncated("no 'data' chunk before the end (\(bytes.count) bytes)") }
            let id = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[pos..<pos + 4]), as: UTF8.self)
            let size = u32(pos + 4)
            let body = pos + 8
            if id == "fmt " {
                guard size >= 16, body + size <= bytes.count else { throw truncated("'fmt ' chunk of \(size) bytes") }
                var tag = u16(body)
                if tag == 0xFFFE, size >= 26 { tag = u16(body + 24) }  // extensible: sub-format GUID's first 2 bytes
                fmt = (u16(body + 2), u32(body + 4), u16(body + 14), tag)
            } else if id == "data" {
                guard let f = fmt else { throw bad("'data' chunk before 'fmt '") }
                guard f.tag == 1, f.bits == 16 else {
                    throw bad("format tag \(f.tag), \(f.bits) bits (expected PCM, 16 bits)")
                }
                guard f.channels > 0 else { throw bad("0 channels") }
                var length = size
                if size == 0xFFFF_FFFF { length = (bytes.count - body) }  // streamed: to the end
                guard body + length <= bytes.count else {
                    throw truncated("'data' chunk of \(length) bytes at \(body), only \(bytes.count - body) left")
                }
                guard length % (2 * f.channels) == 0 else {
                    throw bad("data length \(length) is not a whole number of \(f.channels)-channel 16-bit frames")
                }
                return Layout(sampleRate: f.rate, channels: f.channels, dataOffset: body, dataLength: length)
            }
            pos = body + size + (size & 1)
        }
    }

    /// Decodes a PCM_16 RIFF/WAVE file held in `bytes`.
    /// - Parameters: `path`, `key`, `offset` are only used in error messages.
    /// - Throws: `FeatureStoreError.badKaldiObject` / `.truncatedArk`.
    public static func decode(_ bytes: [UInt8], path: String, key: String = "", offset: Int = 0) throws -> KaldiWave {
        try bytes.withUnsafeBytes { try decode(raw: $0, path: path, key: key, offset: offset).wave }
    }

    /// Decodes the RIFF file at the start of `raw`; returns the wave and the number of bytes it spans.
    static func decode(raw: UnsafeRawBufferPointer, path: String, key: String, offset: Int) throws -> (wave: KaldiWave, end: Int) {
        let l = try layout(raw, path: path, key: key, offset: offset)
        let n = l.dataLength / 2
        let samples = [Int16](unsafeUninitializedCapacity: n) { out, count in
            if n > 0 { out.baseAddress!.withMemoryRebound(to: UInt8.self, capacity: n * 2) {
                $0.update(from: raw.baseAddress!.advanced(by: l.dataOffset).assumingMemoryBound(to: UInt8.self), count: n * 2)
            } }
            // Little-endian host: the file bytes are the values.
            count = n
        }
        return (KaldiWave(sampleRate: l.sampleRate, channels: l.channels, samples: samples), l.end)
    }

    /// Encodes `wave` as a 44-byte-header PCM_16 RIFF/WAVE file (Kaldi's `WaveData::Write` layout).
    public static func encode(_ wave: KaldiWave) -> [UInt8] {
        let dataBytes = wave.samples.count * 2
        var out: [UInt8] = []
        out.reserveCapacity(44 + dataBytes)
        func put32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out.append(contentsOf: $0) } }
        func put16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { out.append(contentsOf: $0) } }
        out += Array("RIFF".utf8); put32(36 + dataBytes); out += Array("WAVE".utf8)
        out += Array("fmt ".utf8); put32(16); put16(1); put16(wave.channels); put32(wave.sampleRate)
        put32(wave.sampleRate * wave.channels * 2); put16(wave.channels * 2); put16(16)
        out += Array("data".utf8); put32(dataBytes)
        wave.samples.withUnsafeBytes { out.append(contentsOf: $0) }
        return out
    }
}
