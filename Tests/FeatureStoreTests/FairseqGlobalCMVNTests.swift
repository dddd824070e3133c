import Testing
import Foundation
import Fbank
import FeatureStore
import _TestSupport

@Suite struct FairseqGlobalCMVNTests {
    @Test func readsNumpySavezFile() throws {
        // np.savez output: stored, with ZIP64 extra fields in the local headers.
        let p = TestData.url("fixtures/zip/gcmvn_numpy.npz").path
        let zip = try StoredZipReader(path: p)
        #expect(zip.entries.map(\.name) == ["mean.npy", "std.npy"])
        #expect(zip.entries[0].dataOffset == 30 + 8 + 20)
        let s = try GlobalCMVNFile.read(path: p)
        #expect(s.dimension == 80)
        #expect(s.mean == (0..<80).map { Float($0) * 0.5 - 3 })
        #expect(s.std == (0..<80).map { 1 + Float($0) / 100 })
    }

    @Test func writeReadRoundTripAndApply() throws {
        let dir = try TestData.temporaryDirectory("gcmvn")
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("gcmvn.npz").path
        let stats = GlobalCMVN(mean: [1, -2, 0.5], std: [2, 4, 0.25])
        try GlobalCMVNFile.write(stats, to: p)
        #expect(try GlobalCMVNFile.read(path: p) == stats)
        #expect(throws: FeatureStoreError.outputExists(path: p)) { try GlobalCMVNFile.write(stats, to: p) }
        try GlobalCMVNFile.write(GlobalCMVN(mean: [0], std: [1]), to: p, overwrite: true)
        #expect(try GlobalCMVNFile.read(path: p).dimension == 1)

        let m = FeatureMatrix(rows: 2, cols: 3, values: [3, 2, 1, -1, -6, 0.75])
        #expect(try stats.applied(to: m) == FeatureMatrix(rows: 2, cols: 3, values: [1, 1, 2, -1, -1, 1]))
    }

    @Test func accumulatesAsCalGcmvnStats() throws {
        // Two matrices; column 2 is constant, so its variance is clamped to 1e-8 (std 1e-4).
        let a = FeatureMatrix(rows: 2, cols: 3, values: [1, 10, 5, 3, 20, 5])
        let b = FeatureMatrix(rows: 1, cols: 3, values: [5, 30, 5])
        var acc = CMVNAccumulator(dimension: 3)
        acc.add(a)
        var other = CMVNAccumulator(dimension: 3)
        other.add(b)
        acc.merge(other)
        #expect(acc.count == 3)
        let s = GlobalCMVN(statistics: acc)
        #expect(s.mean == [3, 20, 5])
        // E[x²] − mean²: (1+9+25)/3 − 9 = 8/3; (100+400+900)/3 − 400 = 200/3.
        #expect(s.std == [Float((8.0 / 3).squareRoot()), Float((200.0 / 3).squareRoot()), Float(1e-4)])
    }

    @Test func rejectsIncompleteFiles() throws {
        let dir = try TestData.temporaryDirectory("gcmvn")
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("gcmvn.npz").path
        let w = try StoredZipWriter(path: p)
        try w.add(name: "mean.npy", bytes: Npy.encode(values: [1, 2], shape: [2]))
        try w.finish()
        #expect(throws: FeatureStoreError.badGlobalCMVN(path: p, reason: "no 'std' array (expected mean.npy and std.npy)")) {
            try GlobalCMVNFile.read(path: p)
        }
        let q = dir.appendingPathComponent("mismatch.npz").path
        let v = try StoredZipWriter(path: q)
        try v.add(name: "mean.npy", bytes: Npy.encode(values: [1, 2], shape: [2]))
        try v.add(name: "std.npy", bytes: Npy.encode(values: [1, 2, 3], shape: [3]))
        try v.finish()
        #expect(throws: FeatureStoreError.badGlobalCMVN(path: q, reason: "mean has 2 values, std 3")) {
            try GlobalCMVNFile.read(path: q)
        }
    }
}

@Suite struct FairseqStoreInspectorTests {
    @Test func zipAndManifestGiveTheGoldenSums() throws {
        let index = try GoldenZipIndex.load()
        var fromZip: [StoreEntrySummary] = []
        try FairseqStoreInspector.forEachEntry(zipPath: TestData.reference("zip/fbank80.zip").path) { fromZip.append($0) }
        var fromTSV: [StoreEntrySummary] = []
        try FairseqStoreInspector.forEachEntry(manifestPath: TestData.reference("zip/train.tsv").path) { fromTSV.append($0) }
        #expect(fromZip == fromTSV)
        #expect(fromZip.map(\.id) == index.entries.map(\.id))
        for (s, g) in zip(fromZip, index.entries) {
            #expect([s.rows, s.cols] == g.shape)
            #expect(s.sum == g.sum)
            #expect(s.sha256 == g.sha256_float32_data)
        }
    }

    @Test func waveformRowsNeedADecoder() throws {
        let dir = try TestData.temporaryDirectory("inspect")
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("m.tsv").path
        try FairseqManifest(rows: [FairseqManifestRow(id: "w", audio: .file("a.wav"), nFrames: 2, tgtText: "x")]).write(to: p)
        #expect(throws: FeatureStoreError.badStorageLocation(text: "a.wav", reason: "row w of \(p) is a waveform file; no audio decoder was given")) {
            try FairseqStoreInspector.forEachEntry(manifestPath: p) { _ in }
        }
        var seen: [StorageLocation] = []
        try FairseqStoreInspector.forEachEntry(manifestPath: p, audioDecoder: { loc in
            seen.append(loc)
            return FeatureMatrix(rows: 2, cols: 1, values: [0.5, -0.25])
        }) { s in
            #expect(s.sum == 0.25 && s.cols == 1)
        }
        #expect(seen == [.file(dir.path + "/a.wav")])
    }
}
