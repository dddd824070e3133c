import Testing
import Foundation
import Fbank
import FeatureStore
import _TestSupport

@Suite struct NpyTests {
    @Test func roundTripIsExact() throws {
        let m = FeatureMatrix(rows: 3, cols: 2, values: [1, -2.5, 3e-7, .greatestFiniteMagnitude, 0, -0.0])
        let bytes = Npy.encode(m)
        // numpy pads the header so that the data start on a 64-byte boundary.
        #expect((bytes.count - 3 * 2 * 4) % 64 == 0)
        let back = try bytes.withUnsafeBytes { try Npy.decodeMatrix($0, name: "mem") }
        #expect(back == m)
    }

    @Test func readsGoldenFbank() throws {
        let m = try Npy.readMatrix(path: TestData.reference("fbank/es01.ta_f32.npy").path)
        #expect(m.rows == 241 && m.cols == 80)
    }

    @Test func rejectsWrongDtype() throws {
        var bytes = Npy.encode(FeatureMatrix(rows: 1, cols: 1, values: [1]))
        // Patch '<f4' to '<i4' in the header.
        let idx = bytes.firstIndex(of: UInt8(ascii: "f"))!
        bytes[idx] = UInt8(ascii: "i")
        #expect(throws: FeatureStoreError.badNpy(name: "x.npy", reason: "dtype <i4 (expected <f4 float32)")) {
            try bytes.withUnsafeBytes { try Npy.decodeMatrix($0, name: "x.npy") }
        }
    }

    /// Format 2.0 and 3.0 differ from 1.0 only in a 4-byte header length (3.0: UTF-8 header).
    @Test(arguments: [UInt8(2), 3])
    func readsVersion2And3Headers(_ major: UInt8) throws {
        let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }"
        var header = Array(dict.utf8)
        while (12 + header.count + 1) % 64 != 0 { header.append(0x20) }
        header.append(0x0A)
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, major, 0]
        let n = UInt32(header.count)
        bytes += [UInt8(n & 0xff), UInt8(n >> 8 & 0xff), UInt8(n >> 16 & 0xff), UInt8(n >> 24)]
        bytes += header
        [Float(1), 2, 3, 4].withUnsafeBytes { bytes += $0 }
        let m = try bytes.withUnsafeBytes { try Npy.decodeMatrix($0, name: "v\(major).npy") }
        #expect(m == FeatureMatrix(rows: 2, cols: 2, values: [1, 2, 3, 4]))
    }

    @Test func rejectsFortranOrderAndTruncatedData() throws {
        var bytes = Npy.encode(FeatureMatrix(rows: 2, cols: 2, values: [1, 2, 3, 4]))
        let word = Array("False".utf8)
        let at = try #require((0..<bytes.count - 5).first { Array(bytes[$0..<$0 + 5]) == word })
        bytes.replaceSubrange(at..<at + 5, with: Array("True ".utf8))
        #expect(throws: FeatureStoreError.badNpy(name: "f.npy", reason: "Fortran order (expected C order)")) {
            try bytes.withUnsafeBytes { try Npy.decodeMatrix($0, name: "f.npy") }
        }
        let short = Array(Npy.encode(FeatureMatrix(rows: 2, cols: 2, values: [1, 2, 3, 4])).dropLast(3))
        #expect(throws: FeatureStoreError.self) { try short.withUnsafeBytes { try Npy.decodeMatrix($0, name: "s.npy") } }
    }
}
