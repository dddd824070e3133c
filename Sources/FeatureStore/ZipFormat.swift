/// The zip format constants and byte helpers (public so that tests can build damaged archives).
/// Record layouts and constants of the zip format (PKWARE APPNOTE 6.3) as far as stored archives need.
public enum ZipFormat {
    public static let localHeaderSignature: UInt32 = 0x0403_4B50        // PK\3\4
    public static let centralHeaderSignature: UInt32 = 0x0201_4B50      // PK\1\2
    public static let endOfCentralDirSignature: UInt32 = 0x0605_4B50    // PK\5\6
    public static let zip64EndSignature: UInt32 = 0x0606_4B50           // PK\6\6
    public static let zip64LocatorSignature: UInt32 = 0x0706_4B50       // PK\6\7

    public static let localHeaderSize = 30
    public static let centralHeaderSize = 46
    public static let endRecordSize = 22
    public static let zip64EndRecordSize = 56
    public static let zip64LocatorSize = 20
    public static let zip64ExtraID: UInt16 = 0x0001

    /// "Version made by": Unix (3) in the high byte, spec 2.0 in the low byte, as Python's zipfile on Linux.
    public static let versionMadeBy: UInt16 = 0x0314
    public static let versionDefault: UInt16 = 20
    public static let versionZip64: UInt16 = 45
    /// General-purpose flag bit 11: the name is UTF-8 (set only for non-ASCII names, as Python does).
    public static let utf8Flag: UInt16 = 0x0800
    /// DOS date of 1980-01-01 (`(year-1980)<<9 | month<<5 | day`), time 00:00:00.
    public static let dosDate1980: UInt16 = 0x0021
    public static let dosTimeMidnight: UInt16 = 0
    /// External attributes `0o644 << 16` (a regular file, rw-r--r--), as the golden archive.
    public static let externalAttributes: UInt32 = 0o644 << 16

    /// Sentinels that send a reader to the ZIP64 records.
    public static let max16: UInt16 = 0xFFFF
    public static let max32: UInt32 = 0xFFFF_FFFF
}

/// A little-endian byte builder for zip records.
public struct ZipBytes {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    public mutating func u16(_ v: UInt16) { bytes.append(UInt8(v & 0xff)); bytes.append(UInt8(v >> 8)) }
    public mutating func u32(_ v: UInt32) { for s in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8((v >> UInt32(s)) & 0xff)) } }
    public mutating func u64(_ v: UInt64) { for s in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8((v >> UInt64(s)) & 0xff)) } }
    public mutating func append(_ b: [UInt8]) { bytes.append(contentsOf: b) }
}

/// Little-endian field reads from a raw buffer (bounds are the caller's business).
extension UnsafeRawBufferPointer {
    @inline(__always) public func zipU16(_ at: Int) -> UInt16 { UInt16(littleEndian: loadUnaligned(fromByteOffset: at, as: UInt16.self)) }
    @inline(__always) public func zipU32(_ at: Int) -> UInt32 { UInt32(littleEndian: loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
    @inline(__always) public func zipU64(_ at: Int) -> UInt64 { UInt64(littleEndian: loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
}
