import Testing
import Foundation
import Fbank
import FeatureStore
import _TestSupport

@Suite struct ZipRoundTripTests {
    @Test func matricesRoundTripExactly() throws {
        let dir = try TestData.temporaryDirectory("ziprt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("feats.zip").path
        var rng = SystemRandomNumberGenerator()
        var mats: [(String, FeatureMatrix)] = []
        for i in 0..<20 {
            let rows = i % 7, cols = 1 + i % 5
            let values = (0..<rows * cols).map { _ in Float(bitPattern: UInt32.random(in: 0...0x7F7F_FFFF, using: &rng)) * (Bool.random() ? 1 : -1) }
            mats.append(("utt-\(i)-é", FeatureMatrix(rows: rows, cols: cols, values: values)))
        }
        let w = try StoredZipWriter(path: p)
        var written: [StoredZipEntry] = []
        for (id, m) in mats { written.append(try w.addNpy(id: id, matrix: m)) }
        #expect(try w.finish() == written)
        let r = try StoredZipReader(path: p)
        #expect(r.entries == written)
        for ((id, m), e) in zip(mats, r.entries) {
            #expect(e.id == id)
            #expect(try r.matrix(named: id + ".npy") == m)
            #expect(try r.matrix(offset: e.dataOffset, length: e.length) == m)
        }
        try r.verifyChecksums()
    }

    @Test func emptyArchive() throws {
        let dir = try TestData.temporaryDirectory("ziprt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("empty.zip").path
        try StoredZipWriter(path: p).finish()
        let r = try StoredZipReader(path: p)
        #expect(r.entries.isEmpty && r.fileSize == 22)
    }

    /// 70,000 entries: past the 65,535 limit of the classic end record, so ZIP64 records are written.
    @Test func zip64ByEntryCount() throws {
        let dir = try TestData.temporaryDirectory("zip64")
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("many.zip").path
        let n = 70_000
        let w = try StoredZipWriter(path: p)
        for i in 0..<n {
            var v = UInt32(i).littleEndian
            try withUnsafeBytes(of: &v) { _ = try w.add(name: "u\(i)", bytes: $0) }
        }
        try w.finish()
        let r = try StoredZipReader(path: p)
        #expect(r.entries.count == n)
        try r.withBytes(offset: r.fileSize - 22 - 20 - 56, length: 4) { #expect(Array($0) == [0x50, 0x4B, 6, 6]) }
        for i in [0, 1, 65_534, 65_535, 65_536, n - 1] {
            let e = try r.entry(named: "u\(i)")
            #expect(r.entries[i] == e)
            let v = try r.withBytes(of: e) { $0.loadUnaligned(as: UInt32.self) }
            #expect(UInt32(littleEndian: v) == UInt32(i))
        }
    }

    @Test func resumeAfterKillMidEntry() throws {
        let dir = try TestData.temporaryDirectory("zipresume")
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("fbank80.zip").path
        let tmp = p + ".tmp"
        func matrix(_ i: Int) -> FeatureMatrix {
            FeatureMatrix(rows: 3 + i, cols: 4, values: (0..<(3 + i) * 4).map { Float($0 * 7 + i) })
        }
        var w: StoredZipWriter? = try StoredZipWriter(path: p)
        for i in 0..<5 { try w!.addNpy(id: "u\(i)", matrix: matrix(i)) }
        let complete = w!.entries
        w = nil  // "killed": no finish
        // Simulate a kill in the middle of writing entry 5: half of it reached the file.
        let sixth = Npy.encode(matrix(5))
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: tmp))
        try h.seekToEnd()
        var partial = ZipBytes()
        partial.u32(ZipFormat.localHeaderSignature)
        partial.u16(20); partial.u16(0); partial.u16(0); partial.u16(0); partial.u16(0x21)
        partial.u32(ZipCRC32.checksum(sixth)); partial.u32(UInt32(sixth.count)); partial.u32(UInt32(sixth.count))
        partial.u16(6); partial.u16(0)
        partial.append(Array("u5.npy".utf8))
        partial.append(Array(sixth.prefix(sixth.count / 2)))
        try h.write(contentsOf: partial.bytes)
        try h.close()
        #expect(!FileManager.default.fileExists(atPath: p))

        let resumed = try StoredZipWriter(path: p, mode: .resume)
        #expect(resumed.resumedEntryCount == 5)
        #expect(resumed.entries == complete)
        #expect(resumed.discardedBytes == partial.bytes.count)
        #expect(resumed.contains("u4.npy") && !resumed.contains("u5.npy"))
        #expect(resumed.entry(named: "u2.npy") == complete[2] && resumed.entry(named: "u5.npy") == nil)
        for i in 5..<8 { try resumed.addNpy(id: "u\(i)", matrix: matrix(i)) }
        try resumed.finish()

        // Same bytes as an uninterrupted run.
        let q = dir.appendingPathComponent("straight.zip").path
        let straight = try StoredZipWriter(path: q)
        for i in 0..<8 { try straight.addNpy(id: "u\(i)", matrix: matrix(i)) }
        try straight.finish()
        #expect(try Data(contentsOf: URL(fileURLWithPath: p)) == Data(contentsOf: URL(fileURLWithPath: q)))
        let r = try StoredZipReader(path: p)
        for i in 0..<8 { #expect(try r.matrix(named: "u\(i).npy") == matrix(i)) }
    }

    @Test func resumeAfterKillDuringFinishAndFromCompleteArchive() throws {
        let dir = try TestData.temporaryDirectory("zipresume")
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("a.zip").path
        let w = try StoredZipWriter(path: p)
        for i in 0..<3 { try w.add(name: "e\(i)", bytes: [UInt8](repeating: UInt8(i), count: 10 + i)) }
        try w.finish()
        let full = try Data(contentsOf: URL(fileURLWithPath: p))

        // A complete archive is resumed in place: entries kept, central directory rewritten at finish.
        let more = try StoredZipWriter(path: p, mode: .resume)
        #expect(more.resumedEntryCount == 3)
        #expect(!FileManager.default.fileExists(atPath: p))
        try more.add(name: "e3", bytes: [9, 9])
        try more.finish()
        let r = try StoredZipReader(path: p)
        #expect(r.entries.map(\.name) == ["e0", "e1", "e2", "e3"])
        #expect(try r.bytes(named: "e3") == [9, 9])

        // A temporary file that holds a whole archive but was not renamed (killed during finish),
        // or half a central directory: the central directory is cut off and the entries kept.
        for cut in [full.count, full.count - 30] {
            try full.prefix(cut).write(to: URL(fileURLWithPath: p + ".tmp"))
            let again = try StoredZipWriter(path: p, mode: .resume)
            #expect(again.entries.map(\.name) == ["e0", "e1", "e2"])
            try again.finish()
            #expect(try Data(contentsOf: URL(fileURLWithPath: p)) == full)
        }
    }

    @Test func createDiscardsStaleTemporaryAndOverwriteReplaces() throws {
        let dir = try TestData.temporaryDirectory("zipresume")
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("a.zip").path
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: p + ".tmp"))
        let w = try StoredZipWriter(path: p, mode: .create)
        try w.add(name: "x", bytes: [1])
        try w.finish()
        let o = try StoredZipWriter(path: p, mode: .overwrite)
        #expect(o.entries.isEmpty)
        try o.add(name: "y", bytes: [2])
        try o.finish()
        #expect(try StoredZipReader(path: p).entries.map(\.name) == ["y"])
    }
}

@Suite struct ZipLargeOffsetTests {
    /// Entries whose local headers lie past 4 GiB get ZIP64 extra fields in their central records
    /// (never in the local header, so fairseq's offset rule still holds), and ZIP64 end records.
    /// The 4 GiB before them is a sparse hole, so the test writes only a few bytes.
    @Test func zip64ByOffset() throws {
        let dir = try TestData.temporaryDirectory("zip64off")
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("big.zip").path
        let w = try StoredZipWriter(path: p)
        let first = try w.add(name: "first.npy", bytes: Npy.encode(values: [1, 2], shape: [2]))
        try w._skipForTesting(1 << 32)
        let m = FeatureMatrix(rows: 2, cols: 2, values: [1, 2, 3, 4])
        let far = try w.addNpy(id: "far", matrix: m)
        #expect(far.localHeaderOffset > 1 << 32)
        #expect(far.dataOffset == far.localHeaderOffset + 30 + "far.npy".utf8.count)
        try w.finish()
        let r = try StoredZipReader(path: p)
        #expect(r.entries == [first, far])
        #expect(try r.matrix(named: "far.npy") == m)
        #expect(try r.matrix(offset: far.dataOffset, length: far.length) == m)
        // The far entry's central record: version 45, offset field 0xFFFFFFFF, an 8-byte ZIP64 extra.
        try r.withBytes(offset: r.centralDirectoryOffset, length: r.fileSize - r.centralDirectoryOffset) { cd in
            let second = 46 + "first.npy".utf8.count
            #expect(cd.zipU16(second + 6) == 45)
            #expect(cd.zipU32(second + 42) == 0xFFFF_FFFF)
            #expect(cd.zipU16(second + 30) == 12)
            #expect(Int(cd.zipU64(second + 46 + 7 + 4)) == far.localHeaderOffset)
            #expect(cd.zipU32(second + 46 + 7 + 12) == ZipFormat.zip64EndSignature)
        }
    }
}

@Suite struct ZipResumeCutTests {
    /// A kill can leave the temporary file cut anywhere: inside a local header, inside a name, inside
    /// the data, or exactly between entries. Resuming keeps exactly the entries that are complete.
    @Test func everyCutKeepsTheCompleteEntries() throws {
        let dir = try TestData.temporaryDirectory("zipcut")
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("a.zip").path
        var w: StoredZipWriter? = try StoredZipWriter(path: p)
        for i in 0..<4 { try w!.add(name: "entry\(i).npy", bytes: [UInt8](repeating: UInt8(i), count: 50 + i)) }
        let all = w!.entries
        w = nil
        let full = try Data(contentsOf: URL(fileURLWithPath: p + ".tmp"))
        let ends = all.map { $0.dataOffset + $0.length }
        for cut in [0, 10, 29, 30, 35, ends[0], ends[0] + 1, ends[1] + 40, ends[2] - 1, ends[2], full.count - 1, full.count] {
            try full.prefix(cut).write(to: URL(fileURLWithPath: p + ".tmp"))
            let r = try StoredZipWriter(path: p, mode: .resume)
            let kept = ends.filter { $0 <= cut }.count
            #expect(r.entries == Array(all.prefix(kept)), "cut at \(cut)")
            #expect(r.discardedBytes == cut - (kept == 0 ? 0 : ends[kept - 1]), "cut at \(cut)")
        }
    }
}
