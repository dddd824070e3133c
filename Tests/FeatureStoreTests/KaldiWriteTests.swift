import Testing
import Foundation
import Fbank
import FeatureStore
import _TestSupport

/// Writing: the bytes we write for the golden inputs equal kaldiio's arks, and round trips are exact.
@Suite struct KaldiWriteTests {
    /// How each golden ark was written: input group and compression method (nil: uncompressed).
    static let cases: [(ark: String, group: String, method: Int?)] = [
        ("feats_f32", "feats", nil), ("feats_f64", "f64", nil), ("vectors_f32", "vec", nil), ("ali_int32", "ali", nil),
        ("wav_kaldi", "audio", nil),
        ("cm1_kAutomaticMethod", "cm_auto", 1), ("cm2_kSpeechFeature", "cm_auto", 2), ("cm3_kTwoByteAuto", "cm_auto", 3),
        ("cm4_kTwoByteSignedInteger", "cm_int16", 4), ("cm5_kOneByteAuto", "cm_auto", 5),
        ("cm6_kOneByteUnsignedInteger", "cm_uint8", 6), ("cm7_kOneByteZeroOne", "cm_zero_one", 7),
    ]

    /// The object kaldiio was given for `key` of `group`, in its own dtype.
    static func inputObject(group: String, key: String) throws -> KaldiObject {
        if group == "audio" {
            let (h, raw) = try KaldiTestFiles.inputRaw("audio", "\(key).int16")
            let samples = raw.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
            return .wave(KaldiWave(sampleRate: 16000, channels: h.shape.count == 2 ? h.shape[1] : 1, samples: samples))
        }
        let (h, raw) = try KaldiTestFiles.inputRaw(group, key)
        switch (h.dtype, h.shape.count) {
        case (.float32, 2): return .floatMatrix(try KaldiTestFiles.input(group, key))
        case (.float32, 1): return .floatVector(try KaldiTestFiles.input(group, key).values)
        case (.float64, 2): return .doubleMatrix(KaldiDoubleMatrix(rows: h.shape[0], cols: h.shape[1],
                                                                   values: raw.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }))
        case (.float64, 1): return .doubleVector(raw.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) })
        case (.int32, 1): return .int32Vector(raw.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) })
        default: throw FeatureStoreError.badNpy(name: key, reason: "unexpected input \(h)")
        }
    }

    @Test(arguments: cases.map { "\($0.ark)|\($0.group)|\($0.method.map(String.init) ?? "")" })
    func writtenBytesEqualGoldenArk(spec: String) throws {
        let parts = spec.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let (name, group, method) = (parts[0], parts[1], Int(parts[2]).flatMap(KaldiCompressionMethod.init(rawValue:)))
        let ark = try #require(KaldiGoldenIndex.shared.arks[name])
        let dir = try TestData.temporaryDirectory("kaldi-write")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent(ark.ark).path
        let writer = try KaldiArkWriter(arkPath: out, scpArkName: ark.ark)
        for e in ark.entries {
            let object = try Self.inputObject(group: group, key: e.key)
            if let method, case let .floatMatrix(m) = object {
                try writer.write(key: e.key, matrix: m, compression: method)
            } else if case let .floatMatrix(m) = object {
                try writer.write(key: e.key, matrix: m)
            } else {
                try writer.write(key: e.key, object: object)
            }
        }
        try writer.finish()
        let written = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
        let golden = try KaldiTestFiles.bytes(ark.ark)
        #expect(written.count == golden.count, "\(name): \(written.count) vs \(golden.count) bytes")
        if let i = zip(written, golden).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            Issue.record("\(name): first differing byte at \(i)")
        }
        #expect(writer.scpText == String(decoding: try KaldiTestFiles.bytes(ark.scp), as: UTF8.self))
    }

    /// kaldiio's CM re-decoding error is bounded by the percentile spacing; check that our compressed
    /// output decodes within the golden's own `max_abs_diff_vs_written` reach of the input for every method.
    @Test(arguments: KaldiCompressionMethod.allCases)
    func compressedRoundTripIsWithinCompressionError(method: KaldiCompressionMethod) throws {
        let m = try KaldiTestFiles.input("cm_auto", "fbank")
        let bytes = KaldiCompressedMatrix.encode(m, method: method)
        let token = String(decoding: bytes.prefix { $0 != 0x20 }, as: UTF8.self)
        let full: [UInt8] = Array("k ".utf8) + [0, 0x42] + bytes
        let (object, end) = try full.withUnsafeBytes { try KaldiObject.decode($0, at: 2, path: "mem", key: "k") }
        #expect(end == full.count)
        guard case let .compressedMatrix(format, back) = object else { Issue.record("not compressed"); return }
        #expect(format.rawValue == token)
        let range = Double(m.values.max()! - m.values.min()!)
        let stats = DifferenceStats(m.values, back.values)
        // Bounds: CM2 quantises the global range in 65535 steps, CM3 in 255; CM interpolates within
        // per-column percentile segments (golden fbank: 0.27 max abs for a 41.4 range).
        let bound: Double = switch format {
        case .cm2: range / 65535
        case .cm3: range / 255
        case .cm: 0.3
        }
        switch method {
        case .twoByteSignedInteger, .oneByteUnsignedInteger, .oneByteZeroOne:
            break  // fixed ranges that do not fit fbank values: clipped/wrapped by design, as in kaldiio
        default:
            #expect(stats.maxAbs <= bound, "\(method): \(stats)")
        }
    }

    @Test func floatMatrixRoundTripIsBitExact() throws {
        var rng = SystemRandomNumberGenerator()
        let dir = try TestData.temporaryDirectory("kaldi-rt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("a.ark").path
        let writer = try KaldiArkWriter(arkPath: path)
        var written: [(String, FeatureMatrix)] = []
        for i in 0..<20 {
            let rows = Int.random(in: 0...50, using: &rng)
            var values = (0..<(rows * 80)).map { _ in Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &rng)) }
            values = values.map { $0.isNaN ? 1.5 : $0 }  // NaN payloads compare unequal; bits still round-trip
            let m = FeatureMatrix(rows: rows, cols: 80, values: values)
            try writer.write(key: "utt\(i)", matrix: m)
            written.append(("utt\(i)", m))
        }
        try writer.finish()
        let entries = try KaldiArkReader.readAll(path: path)
        #expect(entries.map(\.key) == written.map(\.0))
        #expect(entries.map(\.offset) == writer.entries.map(\.offset))
        for (e, w) in zip(entries, written) { #expect(e.object == .floatMatrix(w.1)) }
        let reader = try KaldiScpReader(entries: KaldiScp.parse(writer.scpText, path: "a.scp"))
        #expect(try reader.read(key: "utt7") == .floatMatrix(written[7].1))
        #expect(writer.utt2numFramesText == written.map { "\($0.0) \($0.1.rows)\n" }.joined())
    }

    @Test func appendContinuesOffsets() throws {
        let dir = try TestData.temporaryDirectory("kaldi-append")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("a.ark").path
        let a = FeatureMatrix(rows: 2, cols: 3, values: [1, 2, 3, 4, 5, 6])
        let w1 = try KaldiArkWriter(arkPath: path)
        try w1.write(key: "a", matrix: a)
        try w1.finish()
        let w2 = try KaldiArkWriter(arkPath: path, append: true)
        let e = try w2.write(key: "b", matrix: a)
        try w2.finish()
        #expect(e.offset == 2 + (2 + 3 + 10 + 24) + 2)
        let entries = try KaldiArkReader.readAll(path: path)
        #expect(entries.map(\.key) == ["a", "b"] && entries[1].offset == e.offset)
    }

    @Test func otherObjectsRoundTrip() throws {
        let objects: [KaldiObject] = [
            .doubleMatrix(KaldiDoubleMatrix(rows: 2, cols: 2, values: [1e300, -0.1, .pi, 0])),
            .doubleVector([1, 2.5]), .floatVector([]), .int32Vector([1, -7, Int32.max]),
            .wave(KaldiWave(sampleRate: 8000, channels: 2, samples: [1, -1, 32767, -32768])),
            .extendedAudio(KaldiExtendedAudio(payload: Array("RIFFxxxx".utf8), payloadOffset: 0, lengthBytes: 2)),
        ]
        var bytes: [UInt8] = []
        var offsets: [Int] = []
        for (i, o) in objects.enumerated() {
            bytes += Array("k\(i) ".utf8)
            offsets.append(bytes.count)
            bytes += KaldiArkWriter.encode(o)
        }
        let dir = try TestData.temporaryDirectory("kaldi-obj")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("o.ark").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        // The fake RIFF payload is not decoded (AUDIO entries are kept encoded), so reading succeeds.
        let back = try KaldiArkReader.readAll(path: path)
        #expect(back.map(\.offset) == offsets)
        for (b, o) in zip(back, objects) {
            if case let .extendedAudio(a) = o, case let .extendedAudio(x) = b.object {
                #expect(a.payload == x.payload && x.lengthBytes == 2)
            } else {
                #expect(b.object == o)
            }
        }
    }

    @Test func rejectsBadKeys() throws {
        let dir = try TestData.temporaryDirectory("kaldi-key")
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try KaldiArkWriter(arkPath: dir.appendingPathComponent("k.ark").path)
        #expect(throws: FeatureStoreError.badKey(key: "a b")) {
            try writer.write(key: "a b", matrix: FeatureMatrix(rows: 0, cols: 0))
        }
        #expect(throws: FeatureStoreError.badKey(key: "")) {
            try writer.write(key: "", matrix: FeatureMatrix(rows: 0, cols: 0))
        }
    }
}
