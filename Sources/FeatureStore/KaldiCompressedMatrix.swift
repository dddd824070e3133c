import Fbank

/// Kaldi's `CompressedMatrix` (`CM`, `CM2`, `CM3`), decoded and encoded exactly as kaldiio 2.18.1
/// does it in numpy float32, so that decoded values and written bytes match kaldiio's bit for bit.
///
/// Layout after the token (`CM `, `CM2 ` or `CM3 `): a 16-byte global header `float32 min, float32 range,
/// int32 rows, int32 cols` (no size bytes), then
/// - `CM`: `cols × {uint16 p0, p25, p75, p100}` percentile headers, then uint8 data column-major;
/// - `CM2`: uint16 data row-major; `CM3`: uint8 data row-major.
///
/// Operation order (every step rounded to Float32, no fused multiply-add):
/// - uint → float: `min + (u * range) / c`, c = 65535 (CM headers, CM2) or 255 (CM3);
/// - CM byte b: `p0 + ((p25 - p0) * b) * (1/64)` for b ≤ 64, `p25 + ((p75 - p25) * (b - 64)) * (1/128)` for
///   b ≤ 192, else `p75 + ((p100 - p75) * (b - 192)) * f32(1/63)`.
/// Kaldi's C++ uses `min + range * 1.52590218966964e-05f * u`, which can differ in the last bit.
public enum KaldiCompressedMatrix {
    static let headerBytes = 16

    // MARK: decoding

    /// Decodes the compressed matrix whose global header starts at `pos` (just after the token).
    /// - Returns: the matrix and the offset one past its last byte.
    static func decode(_ format: KaldiCompressionFormat, raw: UnsafeRawBufferPointer, at pos: Int,
                       path: String, key: String, entryOffset: Int) throws -> (FeatureMatrix, Int) {
        guard pos + headerBytes <= raw.count else {
            throw FeatureStoreError.truncatedArk(path: path, key: key, offset: entryOffset,
                                                 reason: "\(format.rawValue) header needs 16 bytes at \(pos), file has \(raw.count)")
        }
        let minValue = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: pos, as: UInt32.self)))
        let range = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: pos + 4, as: UInt32.self)))
        let rows = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: pos + 8, as: Int32.self)))
        let cols = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: pos + 12, as: Int32.self)))
        guard rows >= 0, cols >= 0 else {
            throw FeatureStoreError.badKaldiObject(path: path, key: key, offset: entryOffset,
                                                   reason: "\(format.rawValue) with \(rows) rows, \(cols) cols")
        }
        if rows == 0 || cols == 0 {  // Kaldi writes an empty matrix as `CM ` + a zeroed header.
            return (FeatureMatrix(rows: rows, cols: cols, values: []), pos + headerBytes)
        }
        let n = rows * cols
        let dataStart = pos + headerBytes + (format == .cm ? 8 * cols : 0)
        let dataBytes = format == .cm2 ? 2 * n : n
        guard dataStart + dataBytes <= raw.count else {
            throw FeatureStoreError.truncatedArk(path: path, key: key, offset: entryOffset,
                                                 reason: "\(format.rawValue) \(rows)x\(cols) needs \(dataStart + dataBytes - entryOffset) bytes, file ends after \(raw.count - entryOffset)")
        }
        let base = raw.baseAddress!
        let values = [Float](unsafeUninitializedCapacity: n) { out, count in
            switch format {
            case .cm2:
                for i in 0..<n {
                    let u = UInt16(littleEndian: base.loadUnaligned(fromByteOffset: dataStart + 2 * i, as: UInt16.self))
                    out[i] = uintToFloat(u, min: minValue, range: range, c: 65535)
                }
            case .cm3:
                for i in 0..<n {
                    out[i] = uintToFloat(UInt16(base.load(fromByteOffset: dataStart + i, as: UInt8.self)), min: minValue, range: range, c: 255)
                }
            case .cm:
                for c in 0..<cols {
                    let h = pos + headerBytes + 8 * c
                    func pct(_ k: Int) -> Float {
                        uintToFloat(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: h + 2 * k, as: UInt16.self)),
                                    min: minValue, range: range, c: 65535)
                    }
                    let p = ColumnPercentiles(p0: pct(0), p25: pct(1), p75: pct(2), p100: pct(3))
                    let colStart = dataStart + c * rows
                    for r in 0..<rows {
                        out[r * cols + c] = p.charToFloat(base.load(fromByteOffset: colStart + r, as: UInt8.self))
                    }
                }
            }
            count = n
        }
        return (FeatureMatrix(rows: rows, cols: cols, values: values), dataStart + dataBytes)
    }

    @inline(__always) static func uintToFloat(_ u: UInt16, min: Float, range: Float, c: Float) -> Float {
        let scaled: Float = Float(u) * range
        let frac: Float = scaled / c
        return min + frac
    }

    struct ColumnPercentiles {
        var p0: Float, p25: Float, p75: Float, p100: Float

        @inline(__always) func charToFloat(_ b: UInt8) -> Float {
            let x = Float(b)
            if b <= 64 {
                let t: Float = (p25 - p0) * x
                return p0 + t * Float(1.0 / 64.0)
            } else if b <= 192 {
                let t: Float = (p75 - p25) * (x - 64)
                return p25 + t * Float(1.0 / 128.0)
            } else {
                let t: Float = (p100 - p75) * (x - 192)
                return p75 + t * Float(1.0 / 63.0)
            }
        }

        /// kaldiio's `float_to_char`: pick the segment, scale, add 0.5, clamp, truncate.
        @inline(__always) func floatToChar(_ x: Float) -> UInt8 {
            let v: Float
            if x < p25 {
                let t: Float = (x - p0) / (p25 - p0) * 64 + 0.5
                v = t < 0 ? 0 : (t > 64 ? 64 : t)
            } else if x >= p75 {
                let t: Float = (x - p75) / (p100 - p75) * 63 + 192.5
                v = t < 192 ? 192 : (t > 255 ? 255 : t)
            } else {
                let t: Float = (x - p25) / (p75 - p25) * 128 + 64.5
                v = t < 64 ? 64 : (t > 192 ? 192 : t)
            }
            return UInt8(truncatingIfNeeded: numpyCast(v))
        }
    }

    /// numpy's float32 → small unsigned integer `astype` on x86-64: a C cast, i.e. truncation through a
    /// 32-bit signed conversion (`cvttss2si`), NaN and out-of-range giving `Int32.min`; the caller keeps
    /// the low bits.
    @inline(__always) static func numpyCast(_ v: Float) -> Int32 {
        guard v.isFinite, v > -2147483648.0, v < 2147483648.0 else { return Int32.min }
        return Int32(v.rounded(.towardZero))
    }

    // MARK: encoding

    /// The bytes of `matrix` compressed with `method`, from the token (`CM ` …) to the end of the data
    /// (the caller writes `\0B` first). kaldiio's `write_array` order; an empty matrix is written as
    /// Kaldi does: `CM ` + a zeroed 16-byte header.
    public static func encode(_ matrix: FeatureMatrix, method: KaldiCompressionMethod) -> [UInt8] {
        let rows = matrix.rows, cols = matrix.cols
        if rows == 0 || cols == 0 {
            return Array("CM ".utf8) + [UInt8](repeating: 0, count: headerBytes)
        }
        var method = method
        if method == .automatic { method = rows > 8 ? .speechFeature : .twoByteAuto }
        let format: KaldiCompressionFormat
        switch method {
        case .speechFeature: format = .cm
        case .twoByteAuto, .twoByteSignedInteger: format = .cm2
        default: format = .cm3
        }
        var minValue: Float, range: Float
        switch method {
        case .twoByteSignedInteger: (minValue, range) = (-32768, 65535)
        case .oneByteUnsignedInteger: (minValue, range) = (0, 255)
        case .oneByteZeroOne: (minValue, range) = (0, 1)
        default:
            var lo = Float.infinity, hi = -Float.infinity
            matrix.values.withUnsafeBufferPointer { v in
                for x in v { lo = Swift.min(lo, x); hi = Swift.max(hi, x) }
            }
            if lo == hi { hi = lo + (1 + abs(lo)) }
            minValue = lo
            range = hi - lo
        }
        var out: [UInt8] = Array("\(format.rawValue) ".utf8)
        let n = rows * cols
        out.reserveCapacity(out.count + headerBytes + (format == .cm ? 8 * cols + n : format == .cm2 ? 2 * n : n))
        func put<T>(_ v: T) { withUnsafeBytes(of: v) { out.append(contentsOf: $0) } }
        put(minValue.bitPattern.littleEndian); put(range.bitPattern.littleEndian)
        put(Int32(rows).littleEndian); put(Int32(cols).littleEndian)
        let c: Float = format == .cm3 ? 255 : 65535
        @inline(__always) func floatToUInt(_ x: Float) -> Int32 {
            let t: Float = (x - minValue) / range * c + 0.499
            return numpyCast(t)
        }
        matrix.values.withUnsafeBufferPointer { v in
            switch format {
            case .cm2:
                for x in v { put(UInt16(truncatingIfNeeded: floatToUInt(x)).littleEndian) }
            case .cm3:
                for x in v { out.append(UInt8(truncatingIfNeeded: floatToUInt(x))) }
            case .cm:
                var headers = [ColumnPercentiles]()
                headers.reserveCapacity(cols)
                var column = [Float](repeating: 0, count: rows)
                for col in 0..<cols {
                    for r in 0..<rows { column[r] = v[r * cols + col] }
                    column.sort()
                    var q = [Float](repeating: 0, count: 4)
                    if rows >= 5 {
                        let quarter = rows / 4
                        q = [column[0], column[quarter], column[3 * quarter], column[rows - 1]]
                    } else {
                        q[0] = column[0]
                        q[1] = rows > 1 ? column[1] : q[0] + 1
                        q[2] = rows > 2 ? column[2] : q[1] + 1
                        q[3] = rows > 3 ? column[3] : q[2] + 1
                    }
                    var u = q.map { UInt16(truncatingIfNeeded: floatToUInt($0)) }
                    u[0] = Swift.min(u[0], 65532)
                    u[1] = Swift.min(Swift.max(u[1], u[0] + 1), 65533)
                    u[2] = Swift.min(Swift.max(u[2], u[1] + 1), 65534)
                    u[3] = Swift.max(u[3], u[2] + 1)
                    for k in 0..<4 { put(u[k].littleEndian) }
                    headers.append(ColumnPercentiles(
                        p0: uintToFloat(u[0], min: minValue, range: range, c: 65535),
                        p25: uintToFloat(u[1], min: minValue, range: range, c: 65535),
                        p75: uintToFloat(u[2], min: minValue, range: range, c: 65535),
                        p100: uintToFloat(u[3], min: minValue, range: range, c: 65535)))
                }
                for col in 0..<cols {
                    let p = headers[col]
                    for r in 0..<rows { out.append(p.floatToChar(v[r * cols + col])) }
                }
            }
        }
        return out
    }
}
