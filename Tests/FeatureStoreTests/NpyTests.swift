import Testing
import Foundation
import Fbank
import FeatureStore
import _TestSupport

@Suite struct NpyTests {
    @Test func roundTripIsExact() throws {
        let m = FeatureMatrix(rows: 3, cols: 2, values: [1, -2.5, 3e-7, .greatestFiniteMagnitude, 0, -0.0])
        let bytes = Npy.encode(m)
        #expect(bytes.count % 64 == 3 * 2 * 4 % 64 || (bytes.count - 24) % 64 == 0)
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
}
