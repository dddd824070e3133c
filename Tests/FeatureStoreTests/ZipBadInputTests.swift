import Testing
import Foundation
import Fbank
import FeatureStore
import _TestSupport

/// Each malformed archive gives its specific error, naming the file and the entry or offset.
@Suite struct ZipBadInputTests {
    func fixture(_ name: String) -> String { TestData.url("fixtures/zip/" + name).path }

    @Test func compressedEntry() throws {
        let p = fixture("compressed.zip")
        #expect(throws: FeatureStoreError.compressedZipEntry(path: p, entry: "b.npy", method: 8)) {
            try StoredZipReader(path: p)
        }
    }

    @Test func duplicateEntries() throws {
        let p = fixture("duplicate.zip")
        #expect(throws: FeatureStoreError.duplicateZipEntry(path: p, entry: "a.npy")) {
            try StoredZipReader(path: p)
        }
    }

    @Test func wrongDtypeInsideZip() throws {
        let p = fixture("wrong_dtype.zip")
        let reader = try StoredZipReader(path: p)
        #expect(try reader.matrix(named: "a.npy") == FeatureMatrix(rows: 3, cols: 2, values: [0, 1, 2, 3, 4, 5]))
        #expect(throws: FeatureStoreError.badNpy(name: "\(p):f64.npy", reason: "dtype <f8 (expected <f4 float32)")) {
            try reader.matrix(named: "f64.npy")
        }
    }

    @Test func badLocalHeaderSignature() throws {
        let dir = try TestData.temporaryDirectory("zipbad")
        defer { try? FileManager.default.removeItem(at: dir) }
        var bytes = try Data(contentsOf: TestData.reference("zip/fbank80.zip"))
        bytes[77288 + 2] = 0x07  // PK\3\4 → PK\7\4 for the second entry
        let p = dir.appendingPathComponent("bad.zip").path
        try bytes.write(to: URL(fileURLWithPath: p))
        #expect(throws: FeatureStoreError.badLocalHeader(path: p, entry: "a_es02.npy", offset: 77288,
                                                         reason: "signature 0x4074b50 (expected 0x04034b50, PK\\3\\4)")) {
            try StoredZipReader(path: p)
        }
    }

    @Test func localNameDiffersFromCentralDirectory() throws {
        let dir = try TestData.temporaryDirectory("zipbad")
        defer { try? FileManager.default.removeItem(at: dir) }
        var bytes = try Data(contentsOf: TestData.reference("zip/fbank80.zip"))
        bytes[30] = UInt8(ascii: "b")  // a_es01.npy → b_es01.npy in the local header only
        let p = dir.appendingPathComponent("bad.zip").path
        try bytes.write(to: URL(fileURLWithPath: p))
        #expect(throws: FeatureStoreError.badLocalHeader(path: p, entry: "a_es01.npy", offset: 0,
                                                         reason: "local name 'b_es01.npy' differs from the central directory's")) {
            try StoredZipReader(path: p)
        }
    }

    @Test func offsetPastTheEnd() throws {
        let p = TestData.reference("zip/fbank80.zip").path
        let reader = try StoredZipReader(path: p)
        #expect(throws: FeatureStoreError.entryOutOfBounds(path: p, offset: 456900, length: 1000, fileSize: 456936)) {
            try reader.matrix(offset: 456900, length: 1000)
        }
        #expect(throws: FeatureStoreError.entryOutOfBounds(path: p, offset: 10_000_000, length: 1, fileSize: 456936)) {
            try reader.withBytes(offset: 10_000_000, length: 1) { _ in () }
        }
        #expect(throws: FeatureStoreError.zipEntryNotFound(path: p, entry: "nope.npy")) {
            try reader.matrix(named: "nope.npy")
        }
    }

    @Test func truncatedAndEmptyFiles() throws {
        let dir = try TestData.temporaryDirectory("zipbad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("empty.zip").path
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        #expect(throws: FeatureStoreError.notAZip(path: empty, reason: "0 bytes, shorter than the 22-byte end-of-central-directory record")) {
            try StoredZipReader(path: empty)
        }
        let bytes = try Data(contentsOf: TestData.reference("zip/fbank80.zip"))
        let cut = dir.appendingPathComponent("cut.zip").path
        try bytes.prefix(300_000).write(to: URL(fileURLWithPath: cut))
        #expect(throws: FeatureStoreError.notAZip(path: cut, reason: "no end-of-central-directory record (not a zip, or truncated)")) {
            try StoredZipReader(path: cut)
        }
    }

    @Test func corruptDataFailsChecksum() throws {
        let dir = try TestData.temporaryDirectory("zipbad")
        defer { try? FileManager.default.removeItem(at: dir) }
        var bytes = try Data(contentsOf: TestData.reference("zip/fbank80.zip"))
        bytes[1000] ^= 0xFF
        let p = dir.appendingPathComponent("crc.zip").path
        try bytes.write(to: URL(fileURLWithPath: p))
        let reader = try StoredZipReader(path: p)
        let found = ZipCRC32.checksum(Array(bytes[40..<40 + 77248]))
        #expect(throws: FeatureStoreError.checksumMismatch(path: p, entry: "a_es01.npy", expected: 0x9388_09A1, found: found)) {
            try reader.verifyChecksums()
        }
    }

    @Test func writerRefusesDuplicateAndExistingOutput() throws {
        let dir = try TestData.temporaryDirectory("zipbad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("x.zip").path
        let w = try StoredZipWriter(path: p)
        try w.add(name: "a.npy", bytes: [1, 2, 3])
        #expect(throws: FeatureStoreError.duplicateZipEntry(path: p, entry: "a.npy")) {
            try w.add(name: "a.npy", bytes: [4])
        }
        try w.finish()
        #expect(throws: FeatureStoreError.outputExists(path: p)) { try StoredZipWriter(path: p) }
    }
}
