import Foundation
import TensorCore

/// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
/// header length N, N bytes of JSON `{name: {"dtype", "shape", "data_offsets": [begin, end]},
/// "__metadata__": {string: string}}`, then the data section; offsets are relative to its start.
///
/// Reading accepts F32, F16 and BF16 (converted to Float32) and checks the header length against
/// the file size, every offset range against the data section, byte counts against shapes, and that
/// the ranges tile the data section without overlap or gap (as the reference reader does). Writing
/// produces F32 tensors in name order, header padded with spaces to a multiple of 8, written to a
/// temporary file in the same folder and renamed over the destination.
public enum SafeTensors {
    /// A decoded file: tensors by name, names in data order, and the free-form metadata.
    public struct File: Sendable {
        public var tensors: [String: Tensor]
        public var names: [String]
        public var metadata: [String: String]

        public init(tensors: [String: Tensor], names: [String], metadata: [String: String] = [:]) {
            self.tensors = tensors
            self.names = names
            self.metadata = metadata
        }
    }

    /// Reads `url`. - Throws: `NNError` naming the file (and the tensor).
    public static func read(_ url: URL) throws -> File {
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw NNError.io(file: url.path, message: "cannot read: \(error.localizedDescription)")
        }
        return try decode(data, file: url.path)
    }

    /// Decodes a safetensors byte string; `file` names it in errors.
    public static func decode(_ data: Data, file: String) throws -> File {
        try data.withUnsafeBytes { try decode($0, file: file) }
    }

    private static func decode(_ bytes: UnsafeRawBufferPointer, file: String) throws -> File {
        guard bytes.count >= 8 else { throw NNError.truncatedHeader(file: file, headerLength: 0, fileSize: bytes.count) }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8) else {
            throw NNError.truncatedHeader(file: file, headerLength: n, fileSize: bytes.count)
        }
        let headerEnd = 8 + Int(n), dataSize = bytes.count - headerEnd
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: Data(UnsafeRawBufferPointer(rebasing: bytes[8..<headerEnd]))) } catch {
            throw NNError.invalidHeader(file: file, reason: "not JSON")
        }
        guard let header = json as? [String: Any] else { throw NNError.invalidHeader(file: file, reason: "not a JSON object") }
        var metadata: [String: String] = [:]
        if let m = header["__metadata__"] {
            guard let m = m as? [String: String] else {
                throw NNError.invalidHeader(file: file, reason: "__metadata__ is not a string-to-string map")
            }
            metadata = m
        }
        struct Entry { let name: String, dtype: String, shape: [Int], begin: Int, end: Int }
        var entries: [Entry] = []
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2
            else { throw NNError.invalidHeader(file: file, reason: "entry '\(name)' lacks dtype, shape or data_offsets") }
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw NNError.invalidHeader(file: file, reason: "entry '\(name)' has a negative dimension \(shape)")
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1]))
        }
        for e in entries {
            guard e.begin >= 0, e.begin <= e.end, e.end <= dataSize else {
                throw NNError.offsetsOutOfBounds(tensor: e.name, begin: e.begin, end: e.end, dataSize: dataSize, file: file)
            }
            guard let size = elementSize(e.dtype) else { throw NNError.unsupportedDType(tensor: e.name, dtype: e.dtype, file: file) }
            let (count, overflow) = e.shape.reduce((1, false)) { acc, d in
                let (p, o) = acc.0.multipliedReportingOverflow(by: d); return (p, acc.1 || o)
            }
            let (byteCount, overflow2) = count.multipliedReportingOverflow(by: size)
            guard !overflow, !overflow2, byteCount == e.end - e.begin else {
                throw NNError.byteCountMismatch(tensor: e.name, shape: e.shape, bytes: e.end - e.begin, file: file)
            }
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var expected = 0
        for e in entries {
            guard e.begin == expected else { throw NNError.dataNotContiguous(tensor: e.name, file: file) }
            expected = e.end
        }
        if expected != dataSize, let last = entries.last { throw NNError.dataNotContiguous(tensor: last.name, file: file) }
        var tensors: [String: Tensor] = [:]
        for e in entries {
            let src = UnsafeRawBufferPointer(rebasing: bytes[(headerEnd + e.begin)..<(headerEnd + e.end)])
            if let integers = decodeIntegers(src, dtype: e.dtype) {
                // Token ids, lengths, step counters: exact in Float32 up to 2^24.
                if let bad = integers.first(where: { abs($0) > 1 << 24 }) {
                    throw NNError.invalidHeader(file: file, reason: "integer tensor '\(e.name)' holds \(bad), beyond Float32's exact range 2^24")
                }
                tensors[e.name] = Tensor(shape: e.shape, scalars: integers.map(Float.init))
            } else {
                tensors[e.name] = decodeTensor(src, dtype: e.dtype, shape: e.shape)
            }
        }
        return File(tensors: tensors, names: entries.map(\.name), metadata: metadata)
    }

    static func elementSize(_ dtype: String) -> Int? {
        switch dtype { case "F32", "I32": 4; case "F16", "BF16", "I16": 2; case "I64": 8; case "I8", "U8", "BOOL": 1; default: nil }
    }

    /// The values of an integer (or BOOL) tensor, nil for floating-point dtypes.
    private static func decodeIntegers(_ src: UnsafeRawBufferPointer, dtype: String) -> [Int64]? {
        func load<T: FixedWidthInteger>(_: T.Type) -> [Int64] {
            (0..<(src.count / MemoryLayout<T>.size)).map {
                Int64(T(littleEndian: src.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)))
            }
        }
        switch dtype {
        case "I64": return load(Int64.self)
        case "I32": return load(Int32.self)
        case "I16": return load(Int16.self)
        case "I8": return load(Int8.self)
        case "U8", "BOOL": return load(UInt8.self)
        default: return nil
        }
    }

    private static func decodeTensor(_ src: UnsafeRawBufferPointer, dtype: String, shape: [Int]) -> Tensor {
        var t = Tensor(uninitializedShape: shape)
        t.withUnsafeMutableBufferPointer { out in
            if dtype == "F32", UInt32(1).littleEndian == 1, !out.isEmpty {   // the file's layout is the memory's
                UnsafeMutableRawBufferPointer(out).copyMemory(from: src)
                return
            }
            for i in 0..<out.count {
                switch dtype {
                case "F32":
                    out[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                case "F16":
                    out[i] = Float(Float16(bitPattern: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
                default: // BF16: the upper half of a Float32
                    let h = UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    out[i] = Float(bitPattern: UInt32(h) << 16)
                }
            }
        }
        return t
    }

    /// Encodes `tensors` as F32 in name order with `metadata`.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> Data {
        var header = "{"
        var offset = 0
        let names = tensors.keys.sorted()
        var parts: [String] = []
        for name in names {
            let t = tensors[name]!
            let n = t.count * 4
            parts.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + n)]}")
            offset += n
        }
        if !metadata.isEmpty {
            let m = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }.joined(separator: ",")
            parts.append("\"__metadata__\":{\(m)}")
        }
        header += parts.joined(separator: ",") + "}"
        var h = Array(header.utf8)
        while h.count % 8 != 0 { h.append(0x20) }
        var out = Data(capacity: 8 + h.count + offset)
        withUnsafeBytes(of: UInt64(h.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: h)
        for name in names {
            tensors[name]!.withUnsafeBufferPointer { b in
                if UInt32(1).littleEndian == 1 {   // little-endian host: the memory is the file's layout
                    out.append(UnsafeBufferPointer(start: b.baseAddress, count: b.count))
                } else {
                    for x in b { withUnsafeBytes(of: x.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
                }
            }
        }
        return out
    }

    /// Writes `tensors` (F32) to `url` through a temporary file in the same folder and a rename, so
    /// a reader never sees a half-written file. - Throws: `NNError.io`.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to url: URL) throws {
        let data = encode(tensors, metadata: metadata)
        let tmp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString)")
        do { try data.write(to: tmp) } catch {
            throw NNError.io(file: url.path, message: "cannot write \(tmp.lastPathComponent): \(error.localizedDescription)")
        }
        guard rename(tmp.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: tmp)
            throw NNError.io(file: url.path, message: "cannot rename the temporary file: \(reason)")
        }
    }

    private static func jsonString(_ s: String) -> String {
        var r = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": r += "\\\""
            case "\\": r += "\\\\"
            case _ where u.value < 0x20: r += String(format: "\\u%04x", u.value)
            default: r.unicodeScalars.append(u)
            }
        }
        return r + "\""
    }
}
