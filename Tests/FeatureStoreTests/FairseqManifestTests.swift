import Testing
import Foundation
import Fbank
import FeatureStore
import _TestSupport

@Suite struct FairseqManifestTests {
    /// (id, tgt_text, speaker) of the golden `train.tsv`, unescaped.
    static let goldenText: [(String, String, String)] = [
        ("a_es01", "The birch canoe slid on the smooth planks.", "espeak-en-us"),
        ("a_es02", "Glue the sheet to the dark blue background.", "espeak-en-gb"),
        ("a_es03", "It's easy to tell the depth of a well.", "espeak-en-gb-scotland"),
        ("a_es04", "These days a chicken leg is a rare dish.", "espeak-en-gb-x-rp"),
        ("a_alsa_Front_Center", "front center", "alsa-voice"),
        ("a_alsa_Front_Left_flac", "front left", "alsa-voice"),
        ("a_short_50ms", "the", "espeak-en-us"),
        ("a_stereo_16k", "The birch canoe slid on the smooth planks. \"Mixed\" with flite.", "mixed"),
    ]

    func temp() throws -> URL { try TestData.temporaryDirectory("tsv") }

    @Test func readsGoldenManifest() throws {
        let m = try FairseqManifest.read(path: TestData.reference("zip/train.tsv").path)
        #expect(m.columns == FairseqManifest.defaultColumns)
        let index = try GoldenZipIndex.load()
        #expect(m.rows.count == index.entries.count)
        for (row, (g, t)) in zip(m.rows, zip(index.entries, Self.goldenText)) {
            #expect(row.id == g.id && row.id == t.0)
            #expect(row.audio == .zipEntry(zipPath: "fbank80.zip", offset: g.offset, length: g.length))
            #expect(row.nFrames == g.n_frames)
            #expect(row.tgtText == t.1)
            #expect(row.speaker == t.2)
            #expect(row.srcText == nil && row.extra.isEmpty)
        }
    }

    /// Features → zip + manifest, both byte-identical to the goldens.
    @Test func writesGoldenZipAndManifestByteForByte() throws {
        let index = try GoldenZipIndex.load()
        let dir = try temp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zipPath = dir.appendingPathComponent("fbank80.zip").path
        let writer = try StoredZipWriter(path: zipPath)
        var manifest = FairseqManifest()
        for (g, t) in zip(index.entries, Self.goldenText) {
            let features = try Npy.readMatrix(path: TestData.reference(g.source_features).path)
            let entry = try writer.addNpy(id: g.id, matrix: features)
            manifest.rows.append(FairseqManifestRow(id: g.id, audio: entry.location(zipPath: "fbank80.zip"),
                                                    nFrames: features.rows, tgtText: t.1, speaker: t.2))
        }
        try writer.finish()
        let tsvPath = dir.appendingPathComponent("train.tsv").path
        try manifest.write(to: tsvPath)
        #expect(try Data(contentsOf: URL(fileURLWithPath: tsvPath)) == Data(contentsOf: TestData.reference("zip/train.tsv")))
        #expect(try Data(contentsOf: URL(fileURLWithPath: zipPath)) == Data(contentsOf: TestData.reference("zip/fbank80.zip")))
        #expect(!FileManager.default.fileExists(atPath: tsvPath + ".tmp"))
        #expect(try FairseqManifest.read(path: tsvPath) == manifest)
    }

    @Test func escapingRoundTripsAndKeepsExtraColumns() throws {
        let columns = ["id", "audio", "n_frames", "tgt_text", "speaker", "src_text", "src_lang", "tgt_lang", "duration_ms"]
        let nasty = "tab\there, newline\nthere, cr\r, quote \" back\\slash \\\" and 'single' ü"
        var m = FairseqManifest(columns: columns)
        m.rows.append(FairseqManifestRow(id: "u1", audio: .file("/a:b/x.npy"), nFrames: 0, tgtText: nasty,
                                         speaker: "", srcText: "s\"rc", srcLang: "en", tgtLang: "de",
                                         extra: ["duration_ms": "1234"]))
        m.rows.append(FairseqManifestRow(id: "u\\2", audio: .zipEntry(zipPath: "z:1.zip", offset: 5, length: 7), nFrames: 12,
                                         tgtText: "", speaker: "s", srcText: "", srcLang: "", tgtLang: "", extra: [:]))
        let bytes = m.encoded()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("tab\\\there, newline\\\nthere, cr\\\r, quote \\\" back\\\\slash \\\\\\\" and 'single' ü"))
        let back = try bytes.withUnsafeBytes { try FairseqManifest.parse($0, path: "m.tsv") }
        // An absent extra value is written empty and read back as "".
        var expected = m
        expected.rows[1].extra = ["duration_ms": ""]
        #expect(back == expected)
    }

    @Test func acceptsCRLFBlankLinesAndNoFinalNewline() throws {
        let text = "id\taudio\tn_frames\ttgt_text\r\n\nx\tx.npy\t3\thello\r\ny\ty.npy\t4\tworld"
        let m = try Array(text.utf8).withUnsafeBytes { try FairseqManifest.parse($0, path: "m.tsv") }
        #expect(m.rows.map(\.id) == ["x", "y"])
        #expect(m.rows.map(\.tgtText) == ["hello", "world"])
        #expect(m.rows[0].speaker == nil)
    }

    func parse(_ text: String) throws -> FairseqManifest {
        try Array(text.utf8).withUnsafeBytes { try FairseqManifest.parse($0, path: "bad.tsv") }
    }

    @Test func missingColumn() throws {
        #expect(throws: FeatureStoreError.missingColumn(path: "bad.tsv", column: "n_frames")) {
            try parse("id\taudio\ttgt_text\nx\tx.npy\thi\n")
        }
        // From a file: the error names the file.
        let dir = try temp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("m.tsv").path
        try Data("id\taudio\tn_frames\nx\tx.npy\t3\n".utf8).write(to: URL(fileURLWithPath: p))
        #expect(throws: FeatureStoreError.missingColumn(path: p, column: "tgt_text")) { try FairseqManifest.read(path: p) }
    }

    @Test func badQuoting() throws {
        // A file written with csv's default QUOTE_MINIMAL: the quotes would end up in the text.
        #expect(throws: FeatureStoreError.badTSV(path: "bad.tsv", line: 3,
                                                 reason: "unescaped '\"' in field 4; fairseq manifests use no quoting and write '\"' as '\\\"'")) {
            try parse("id\taudio\tn_frames\ttgt_text\nx\tx.npy\t3\tok\ny\ty.npy\t4\t\"say \"\"hi\"\"\"\n")
        }
        // Lenient mode keeps them literally, as pandas would.
        let m = try Array("id\taudio\tn_frames\ttgt_text\ny\ty.npy\t4\t\"hi\"\n".utf8).withUnsafeBytes {
            try FairseqManifest.parse($0, path: "m.tsv", strictQuoting: false)
        }
        #expect(m.rows[0].tgtText == "\"hi\"")
    }

    @Test func badEscapesAndFieldCounts() throws {
        #expect(throws: FeatureStoreError.badTSV(path: "bad.tsv", line: 2, reason: "backslash at the end of the file escapes nothing")) {
            try parse("id\taudio\tn_frames\ttgt_text\nx\tx.npy\t3\tend\\")
        }
        #expect(throws: FeatureStoreError.badTSV(path: "bad.tsv", line: 3, reason: "5 fields, expected 4 (the header's columns); an unescaped tab?")) {
            try parse("id\taudio\tn_frames\ttgt_text\nx\tx.npy\t3\tfine\ny\ty.npy\t3\tan\ttab\n")
        }
        #expect(throws: FeatureStoreError.badTSV(path: "bad.tsv", line: 2, reason: "3 fields, expected 4 (the header's columns); an unescaped tab?")) {
            try parse("id\taudio\tn_frames\ttgt_text\nx\tx.npy\t3\n")
        }
        // A record continued over an escaped newline: the next record's line counts physical lines.
        #expect(throws: FeatureStoreError.badTSV(path: "bad.tsv", line: 4, reason: "n_frames '-1' is not a non-negative integer")) {
            try parse("id\taudio\tn_frames\ttgt_text\nx\tx.npy\t3\ttwo\\\nlines\ny\ty.npy\t-1\tt\n")
        }
        #expect(throws: FeatureStoreError.badTSV(path: "bad.tsv", line: 2, reason: "n_frames '3.0' is not a non-negative integer")) {
            try parse("id\taudio\tn_frames\ttgt_text\nx\tx.npy\t3.0\tt\n")
        }
        #expect(throws: FeatureStoreError.badTSV(path: "bad.tsv", line: 1, reason: "duplicate column 'id'")) {
            try parse("id\taudio\tn_frames\ttgt_text\tid\n")
        }
        #expect(throws: FeatureStoreError.badTSV(path: "bad.tsv", line: 1, reason: "empty file (expected a header row: id, audio, n_frames, tgt_text, ...)")) {
            try parse("")
        }
        #expect(throws: FeatureStoreError.badTSV(path: "bad.tsv", line: 2, reason: "audio: bad audio location '': empty path")) {
            try parse("id\taudio\tn_frames\ttgt_text\nx\t\t3\tt\n")
        }
        #expect(throws: FeatureStoreError.badTSV(path: "bad.tsv", line: 2, reason: "carriage return not followed by a newline (escape it as \\\\\\r)")) {
            try parse("id\taudio\tn_frames\ttgt_text\nx\tx.npy\t3\ta\rb\n")
        }
    }
}

@Suite struct StorageLocationTests {
    @Test(arguments: [
        ("fbank80.zip:40:77248", StorageLocation.zipEntry(zipPath: "fbank80.zip", offset: 40, length: 77248)),
        ("/data/a:b/fbank80.zip:1:2", .zipEntry(zipPath: "/data/a:b/fbank80.zip", offset: 1, length: 2)),
        ("/data/a:b/x.npy", .file("/data/a:b/x.npy")),
        ("x.wav", .file("x.wav")),
        ("a.flac:1:2", .zipEntry(zipPath: "a.flac", offset: 1, length: 2)),
        ("weird.npy:1:2.npy", .file("weird.npy:1:2.npy")),
        ("z.zip:12", .file("z.zip:12")),
        ("z.zip:-1:2", .file("z.zip:-1:2")),
        ("z.zip:1:x", .file("z.zip:1:x")),
        ("z.zip:+1:2", .file("z.zip:+1:2")),
    ])
    func parses(_ text: String, _ expected: StorageLocation) throws {
        let l = try StorageLocation(parsing: text)
        #expect(l == expected)
        #expect(l.description == text)
    }

    @Test func resolves() throws {
        #expect(try StorageLocation(parsing: "f.zip:1:2").resolved(against: "/d") == .zipEntry(zipPath: "/d/f.zip", offset: 1, length: 2))
        #expect(StorageLocation.file("/abs.npy").resolved(against: "/d") == .file("/abs.npy"))
        #expect(StorageLocation.file("rel.npy").resolved(against: "") == .file("rel.npy"))
        #expect(throws: FeatureStoreError.badStorageLocation(text: ":1:2", reason: "empty zip path before the byte range")) {
            try StorageLocation(parsing: ":1:2")
        }
    }
}
