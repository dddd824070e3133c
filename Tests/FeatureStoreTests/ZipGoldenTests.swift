import Testing
import Foundation
import Fbank
import FeatureStore
import _TestSupport

/// The golden fairseq zip of `Data/reference/zip` (written by Python's zipfile; see its README §5).
struct GoldenZipIndex: Decodable {
    struct Entry: Decodable {
        var id: String
        var zip_entry: String
        var local_header_offset: Int
        var offset: Int
        var length: Int
        var n_frames: Int
        var shape: [Int]
        var crc32: String
        var sum: Double
        var sha256_float32_data: String
        var source_features: String
    }
    var zip_bytes: Int
    var entries: [Entry]

    static func load() throws -> GoldenZipIndex {
        let data = try Data(contentsOf: TestData.reference("zip/index.json"))
        return try JSONDecoder().decode(GoldenZipIndex.self, from: data)
    }
}

@Suite struct ZipGoldenTests {
    let zipPath = TestData.reference("zip/fbank80.zip").path

    @Test func crc32KnownValues() {
        #expect(ZipCRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(ZipCRC32.checksum([]) == 0)
        // Incremental updates over odd splits equal the one-shot value.
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var c = ZipCRC32()
        bytes[0..<3].withUnsafeBytes { c.update($0) }
        bytes[3..<517].withUnsafeBytes { c.update($0) }
        bytes[517...].withUnsafeBytes { c.update($0) }
        #expect(c.value == ZipCRC32.checksum(bytes))
    }

    @Test func readsGoldenEntriesAsIndexSays() throws {
        let index = try GoldenZipIndex.load()
        let reader = try StoredZipReader(path: zipPath)
        #expect(reader.fileSize == index.zip_bytes)
        #expect(reader.entries.map(\.name) == index.entries.map(\.zip_entry))
        for (e, g) in zip(reader.entries, index.entries) {
            #expect(e.localHeaderOffset == g.local_header_offset, "\(g.id)")
            #expect(e.dataOffset == g.offset, "\(g.id)")
            #expect(e.length == g.length, "\(g.id)")
            #expect(String(format: "%08x", e.crc32) == g.crc32, "\(g.id)")
            #expect(e.id == g.id)
            #expect(e.location(zipPath: "fbank80.zip").description == "fbank80.zip:\(g.offset):\(g.length)")
            #expect(reader.entry(atDataOffset: g.offset) == e)
            // The data equal the golden fbank array they were made from, exactly.
            let m = try reader.matrix(named: g.zip_entry)
            #expect([m.rows, m.cols] == g.shape)
            let source = try Npy.readMatrix(path: TestData.reference(g.source_features).path)
            #expect(m == source, "\(g.id)")
            let byRange = try reader.matrix(offset: g.offset, length: g.length)
            #expect(byRange == m)
            #expect(m.values.reduce(0.0) { $0 + Double($1) } == g.sum)
        }
        try reader.verifyChecksums()
    }

    @Test func writerReproducesGoldenZipByteForByte() throws {
        let index = try GoldenZipIndex.load()
        let dir = try TestData.temporaryDirectory("zipgolden")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("fbank80.zip").path
        let writer = try StoredZipWriter(path: out)
        for g in index.entries {
            let m = try Npy.readMatrix(path: TestData.reference(g.source_features).path)
            let e = try writer.addNpy(id: g.id, matrix: m)
            #expect(e.dataOffset == g.offset && e.length == g.length && e.localHeaderOffset == g.local_header_offset)
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        try writer.finish()
        #expect(!FileManager.default.fileExists(atPath: out + ".tmp"))
        let written = try Data(contentsOf: URL(fileURLWithPath: out))
        let golden = try Data(contentsOf: URL(fileURLWithPath: zipPath))
        #expect(written == golden)
    }
}
