import Foundation
import Fbank

/// The element types of `.npy` arrays the toolkit reads (all little-endian).
public enum NpyDType: String, Sendable, Equatable {
    case float32 = "<f4"
    case float64 = "<f8"
    case int32 = "<i4"
    case int16 = "<i2"
    case int64 = "<i8"

    public var byteSize: Int {
        switch self {
        case .float32, .int32: 4
        case .float64, .int64: 8
        case .int16: 2
        }
    }
}

/// A NumPy `.npy` array (format 1.0, 2.0 or 3.0; C order) held as Float32 values.
///
/// Reading accepts `<f4` (exact), and `<f8`, `<i2`, `<i4`, `<i8` (converted to Float32) when the caller
/// allows conversion; writing produces format 1.0, `<f4`, C order, as `numpy.save` does.
public enum Npy {
    /// Header of a parsed `.npy`: dtype, shape and where the data start.
    public struct Header: Sendable, Equatable {
        public var dtype: NpyDType
        public var shape: [Int]
        public var dataOffset: Int
        public var version: UInt8
        public var count: Int { shape.reduce(1, *) }
    }

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    /// Parses the header of `bytes`. `name` is used in error messages (a path or a zip entry).
    public static func parseHeader(_ bytes: UnsafeRawBufferPointer, name: String) throws -> Header {
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw FeatureStoreError.badNpy(name: name, reason: "missing the \\x93NUMPY magic")
        }
        let major = bytes[6]
        let headerLength: Int
        let start: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            start = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw FeatureStoreError.badNpy(name: name, reason: "truncated header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            start = 12
        default:
            throw FeatureStoreError.badNpy(name: name, reason: "unsupported format version \(major)")
        }
        guard start + headerLength <= bytes.count else {
            throw FeatureStoreError.badNpy(name: name, reason: "header of \(headerLength) bytes runs past the end (\(bytes.count) bytes)")
        }
        let text = String(decoding: bytes[start..<start + headerLength], as: UTF8.self)
        guard let descr = field("descr", in: text) else {
            throw FeatureStoreError.badNpy(name: name, reason: "header has no 'descr': \(text)")
        }
        let descrValue = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
        let normalized = descrValue == "|i1" ? descrValue : descrValue.replacingOccurrences(of: "=", with: "<")
        guard let dtype = NpyDType(rawValue: normalized) else {
            throw FeatureStoreError.badNpy(name: name, reason: "dtype \(descrValue) (expected <f4, <f8, <i2, <i4 or <i8, little-endian)")
        }
        if let fortran = field("fortran_order", in: text), fortran.trimmingCharacters(in: .whitespaces) == "True" {
            throw FeatureStoreError.badNpy(name: name, reason: "Fortran order (expected C order)")
        }
        guard let shapeText = tuple("shape", in: text) else {
            throw FeatureStoreError.badNpy(name: name, reason: "header has no 'shape': \(text)")
        }
        var shape: [Int] = []
        for part in shapeText.split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            guard let v = Int(t), v >= 0 else { throw FeatureStoreError.badNpy(name: name, reason: "bad shape (\(shapeText))") }
            shape.append(v)
        }
        let header = Header(dtype: dtype, shape: shape, dataOffset: start + headerLength, version: major)
        let needed = header.dataOffset + header.count * dtype.byteSize
        guard needed <= bytes.count else {
            throw FeatureStoreError.badNpy(name: name, reason: "data of shape \(shape) needs \(needed) bytes, have \(bytes.count)")
        }
        return header
    }

    /// Reads a 1-D or 2-D array as a `FeatureMatrix` (a vector becomes `n × 1`).
    /// - Parameter allowConversion: accept non-`<f4` dtypes by converting to Float32.
    public static func decodeMatrix(_ bytes: UnsafeRawBufferPointer, name: String,
                                    allowConversion: Bool = false) throws -> FeatureMatrix {
        let h = try parseHeader(bytes, name: name)
        guard h.shape.count == 1 || h.shape.count == 2 else {
            throw FeatureStoreError.badNpy(name: name, reason: "\(h.shape.count)-D array (expected 1-D or 2-D)")
        }
        if h.dtype != .float32 && !allowConversion {
            throw FeatureStoreError.badNpy(name: name, reason: "dtype \(h.dtype.rawValue) (expected <f4 float32)")
        }
        let rows = h.shape[0]
        let cols = h.shape.count == 2 ? h.shape[1] : 1
        let values = readValues(bytes, header: h)
        return FeatureMatrix(rows: rows, cols: cols, values: values)
    }

    /// The data of `bytes` as Float32 (converted from the stored dtype).
    public static func readValues(_ bytes: UnsafeRawBufferPointer, header h: Header) -> [Float] {
        let n = h.count
        let base = bytes.baseAddress!.advanced(by: h.dataOffset)
        return [Float](unsafeUninitializedCapacity: n) { out, count in
            switch h.dtype {
            case .float32:
                if n > 0 { memcpy(out.baseAddress!, base, n * 4) }
                for i in 0..<n { out[i] = Float(bitPattern: UInt32(littleEndian: out[i].bitPattern)) }
            case .float64:
                for i in 0..<n { out[i] = Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))) }
            case .int32:
                for i in 0..<n { out[i] = Float(Int32(littleEndian: base.loadUnaligned(fromByteOffset: i * 4, as: Int32.self))) }
            case .int16:
                for i in 0..<n { out[i] = Float(Int16(littleEndian: base.loadUnaligned(fromByteOffset: i * 2, as: Int16.self))) }
            case .int64:
                for i in 0..<n { out[i] = Float(Int64(littleEndian: base.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))) }
            }
            count = n
        }
    }

    /// Reads a `.npy` file as a matrix. See `decodeMatrix`.
    public static func readMatrix(path: String, allowConversion: Bool = false) throws -> FeatureMatrix {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe) } catch {
            throw FeatureStoreError.cannotRead(path: path, reason: error.localizedDescription)
        }
        return try data.withUnsafeBytes { raw in
            try decodeMatrix(raw, name: path, allowConversion: allowConversion)
        }
    }

    /// The bytes of a format-1.0 `<f4` C-order `.npy` of `matrix` (shape `(rows, cols)`), as `numpy.save`
    /// writes them: header padded with spaces to a multiple of 64 bytes, ending in a newline.
    public static func encode(_ matrix: FeatureMatrix) -> [UInt8] {
        encode(values: matrix.values, shape: [matrix.rows, matrix.cols])
    }

    /// The bytes of a format-1.0 `<f4` C-order `.npy` with the given shape.
    public static func encode(values: [Float], shape: [Int]) -> [UInt8] {
        precondition(values.count == shape.reduce(1, *), "shape \(shape) does not hold \(values.count) values")
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + dict.utf8.count + 1
        let padded = (unpadded + 63) / 64 * 64
        dict += String(repeating: " ", count: padded - unpadded) + "\n"
        var out: [UInt8] = magic + [1, 0]
        let hl = UInt16(dict.utf8.count)
        out += [UInt8(hl & 0xff), UInt8(hl >> 8)]
        out += Array(dict.utf8)
        out.reserveCapacity(out.count + values.count * 4)
        values.withUnsafeBytes { raw in
            // Little-endian host (x86-64, arm64): the in-memory bytes are the file bytes.
            out.append(contentsOf: raw)
        }
        return out
    }

    private static func field(_ key: String, in text: String) -> String? {
        guard let r = text.range(of: "'\(key)'") ?? text.range(of: "\"\(key)\"") else { return nil }
        let rest = text[r.upperBound...].drop { $0 == " " || $0 == ":" }
        let end = rest.firstIndex(of: ",") ?? rest.endIndex
        return String(rest[..<end])
    }

    private static func tuple(_ key: String, in text: String) -> String? {
        guard let r = text.range(of: "'\(key)'") ?? text.range(of: "\"\(key)\""),
              let open = text[r.upperBound...].firstIndex(of: "("),
              let close = text[open...].firstIndex(of: ")") else { return nil }
        return String(text[text.index(after: open)..<close])
    }
}
