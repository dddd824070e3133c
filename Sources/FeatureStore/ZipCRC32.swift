/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zip and `zlib.crc32` compute it.
///
/// Slicing-by-8: eight 256-entry tables let the loop consume 8 bytes per iteration (about 1–2 GB/s
/// in a release build, against ~400 MB/s for the byte-at-a-time table loop).
public struct ZipCRC32: Sendable {
    /// The running value (already finalised: `ZipCRC32().value == 0`, as `crc32(b"") == 0`).
    public private(set) var value: UInt32 = 0

    public init() {}

    /// The CRC-32 of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = ZipCRC32()
        c.update(bytes)
        return c.value
    }

    /// The CRC-32 of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    /// Continues the checksum over `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var crc = ~value
        let n = bytes.count
        guard n > 0, let base = bytes.baseAddress else { return }
        Self.tables.withUnsafeBufferPointer { t in
            var i = 0
            while i + 8 <= n {
                let lo = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt32.self)) ^ crc
                let hi = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self))
                crc = t[7 * 256 + Int(lo & 0xff)] ^ t[6 * 256 + Int((lo >> 8) & 0xff)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xff)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xff)] ^ t[2 * 256 + Int((hi >> 8) & 0xff)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xff)] ^ t[Int(hi >> 24)]
                i += 8
            }
            while i < n {
                crc = t[Int((crc ^ UInt32(base.load(fromByteOffset: i, as: UInt8.self))) & 0xff)] ^ (crc >> 8)
                i += 1
            }
        }
        value = ~crc
    }

    /// `tables[k*256 + b]`: the CRC of byte `b` followed by `k` zero bytes.
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for b in 0..<256 {
            var c = UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[b] = c
        }
        for k in 1..<8 {
            for b in 0..<256 {
                let prev = t[(k - 1) * 256 + b]
                t[k * 256 + b] = t[Int(prev & 0xff)] ^ (prev >> 8)
            }
        }
        return t
    }()
}
