import Testing
import Foundation
import Fbank
import FeatureStore
import _TestSupport

/// Bad Kaldi input: each case expects the specific error naming the file, key/line and offset.
@Suite struct KaldiBadInputTests {
    func temp(_ name: String, _ bytes: [UInt8]) throws -> (dir: URL, path: String) {
        let dir = try TestData.temporaryDirectory("kaldi-bad")
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return (dir, url.path)
    }

    @Test func scpOffsetPastTheEnd() throws {
        let entries = try KaldiScp.parse("spk1-utt001_fbank feats_f32.ark:999999\n", path: "bad.scp")
        let reader = try KaldiScpReader(entries: entries, baseDirectory: KaldiTestFiles.dir)
        #expect(throws: FeatureStoreError.entryOutOfBounds(path: KaldiTestFiles.path("feats_f32.ark"), offset: 999999,
                                                           length: 0, fileSize: 50541)) {
            try reader.read(key: "spk1-utt001_fbank")
        }
    }

    @Test func truncatedArk() throws {
        let golden = try KaldiTestFiles.bytes("feats_f32.ark")
        let (dir, path) = try temp("cut.ark", Array(golden.prefix(1000)))
        defer { try? FileManager.default.removeItem(at: dir) }
        let error = #expect(throws: FeatureStoreError.self) { try KaldiArkReader.readAll(path: path) }
        guard case let .truncatedArk(p, key, offset, reason)? = error else {
            Issue.record("expected truncatedArk, got \(String(describing: error))"); return
        }
        #expect(p == path && key == "spk1-utt001_fbank" && offset == 18)
        #expect(reason.contains("FM data of 100x80 values needs 32000 bytes"))
        #expect(error!.description.contains("cut.ark") && error!.description.contains("spk1-utt001_fbank"))
    }

    @Test func truncatedInsideHeaderAndCompressedAndAudio() throws {
        for name in ["cm2_kSpeechFeature.ark", "ali_int32.ark", "flac_espnet.ark", "wav_kaldi.ark"] {
            let golden = try KaldiTestFiles.bytes(name)
            for cut in [golden.count - 1, 20] {
                let (dir, path) = try temp(name, Array(golden.prefix(cut)))
                defer { try? FileManager.default.removeItem(at: dir) }
                let error = #expect(throws: FeatureStoreError.self, "\(name) cut at \(cut)") { try KaldiArkReader.readAll(path: path) }
                guard case .truncatedArk? = error else { Issue.record("\(name) cut at \(cut): \(String(describing: error))"); continue }
            }
        }
    }

    @Test func keyWithoutObject() throws {
        let (dir, path) = try temp("k.ark", Array("lonely ".utf8))
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: FeatureStoreError.truncatedArk(path: path, key: "lonely", offset: 7, reason: "the file ends right after the key")) {
            try KaldiArkReader.readAll(path: path)
        }
        let (dir2, path2) = try temp("k2.ark", Array("lonely".utf8))
        defer { try? FileManager.default.removeItem(at: dir2) }
        #expect(throws: FeatureStoreError.truncatedArk(path: path2, key: "lonely", offset: 0, reason: "the file ends after the key")) {
            try KaldiArkReader.readAll(path: path2)
        }
    }

    @Test func badScpLine() throws {
        #expect(throws: FeatureStoreError.badScpLine(path: "x.scp", line: 2, text: "nokeyhere", reason: "expected 'key path:offset', found no space")) {
            try KaldiScp.parse("a a.ark:1\nnokeyhere\n", path: "x.scp")
        }
        #expect(throws: FeatureStoreError.badScpLine(path: "x.scp", line: 1, text: "a a.ark:", reason: "offset after ':' must be a non-negative integer")) {
            try KaldiScp.parse("a a.ark:\n", path: "x.scp")
        }
        #expect(throws: FeatureStoreError.badScpLine(path: "x.scp", line: 3, text: "a gunzip -c x.gz |", reason: "shell pipelines are not supported in an scp")) {
            try KaldiScp.parse("\n\na gunzip -c x.gz |\n", path: "x.scp")
        }
        #expect(throws: FeatureStoreError.badScpLine(path: "x.scp", line: 1, text: "a a.ark:5[3:1]", reason: "range '3:1' must be 'first:last' with 0 <= first <= last")) {
            try KaldiScp.parse("a a.ark:5[3:1]\n", path: "x.scp")
        }
    }

    @Test func scpRangesAndPathsWithColons() throws {
        let e = try KaldiScp.parse("k /a:b/c.ark:12[0:9,3:4]\nj d.ark\n", path: "x.scp")
        #expect(e[0] == KaldiScpEntry(key: "k", path: "/a:b/c.ark", offset: 12, rowRange: 0...9, colRange: 3...4, line: 1))
        #expect(e[1] == KaldiScpEntry(key: "j", path: "d.ark", offset: nil, line: 2))
        #expect(e[0].text == "k /a:b/c.ark:12[0:9,3:4]")
        // Slicing the golden fbank entry.
        let reader = try KaldiScpReader(entries: KaldiScp.parse("s feats_f32.ark:18[2:4,10:12]\n", path: "s.scp"),
                                        baseDirectory: KaldiTestFiles.dir)
        let full = try KaldiTestFiles.input("feats", "spk1-utt001_fbank")
        guard case let .floatMatrix(m) = try reader.read(key: "s") else { Issue.record("not FM"); return }
        #expect(m.rows == 3 && m.cols == 3 && m[1, 2] == full[3, 12])
    }

    @Test func unknownTypeToken() throws {
        let bytes: [UInt8] = Array("utt ".utf8) + [0, 0x42] + Array("XM ".utf8) + [4, 1, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0]
        let (dir, path) = try temp("u.ark", bytes)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: FeatureStoreError.unknownKaldiType(path: path, key: "utt", offset: 4, token: "XM")) {
            try KaldiArkReader.readAll(path: path)
        }
        // PKL / garbage text are refused too.
        let (dir2, path2) = try temp("p.ark", Array("utt PKL\u{1}\u{0}".utf8))
        defer { try? FileManager.default.removeItem(at: dir2) }
        #expect(throws: FeatureStoreError.unknownKaldiType(path: path2, key: "utt", offset: 4, token: "PKL")) {
            try KaldiArkReader.readAll(path: path2)
        }
    }

    @Test func badSizeByte() throws {
        let bytes: [UInt8] = Array("utt ".utf8) + [0, 0x42] + Array("FM ".utf8) + [8, 1, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0]
        let (dir, path) = try temp("s.ark", bytes)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: FeatureStoreError.badKaldiObject(path: path, key: "utt", offset: 4, reason: "row count: size byte 8 at byte 9 (expected 4)")) {
            try KaldiArkReader.readAll(path: path)
        }
    }

    @Test func textObjects() throws {
        let text = "m  [\n  1 2.5 \n  -3 4e2 ]\nv  [ 0.25 1 ]\nali 1 2 3\ne  [ ]\n"
        let (dir, path) = try temp("t.ark", Array(text.utf8))
        defer { try? FileManager.default.removeItem(at: dir) }
        let entries = try KaldiArkReader.readAll(path: path)
        #expect(entries.map(\.object) == [.textMatrix(FeatureMatrix(rows: 2, cols: 2, values: [1, 2.5, -3, 400])),
                                          .textVector([0.25, 1]), .int32Vector([1, 2, 3]), .textVector([])])
        let (dir2, path2) = try temp("t2.ark", Array("m  [\n  1 2\n  3 ]\n".utf8))
        defer { try? FileManager.default.removeItem(at: dir2) }
        #expect(throws: FeatureStoreError.badKaldiObject(path: path2, key: "m", offset: 2, reason: "text matrix row 1 has 1 values, row 0 has 2")) {
            try KaldiArkReader.readAll(path: path2)
        }
        let (dir3, path3) = try temp("t3.ark", Array("m  [ 1 x ]\n".utf8))
        defer { try? FileManager.default.removeItem(at: dir3) }
        #expect(throws: FeatureStoreError.badKaldiObject(path: path3, key: "m", offset: 2, reason: "text object: 'x' is not a number")) {
            try KaldiArkReader.readAll(path: path3)
        }
    }

    @Test func missingArkAndKey() throws {
        let reader = try KaldiScpReader(entries: KaldiScp.parse("a nowhere.ark:0\n", path: "x.scp"))
        #expect(throws: FeatureStoreError.cannotRead(path: "nowhere.ark", reason: "No such file or directory")) { try reader.read(key: "a") }
        #expect(throws: FeatureStoreError.keyNotFound(path: "nowhere.ark", key: "b")) { try reader.read(key: "b") }
    }
}

@Suite struct SHA256Tests {
    @Test func knownVectors() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var h = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { h.update(chunk) }
        #expect(h.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func streamingEqualsOneShot() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for split in [0, 1, 55, 56, 63, 64, 65, 999] {
            var h = SHA256()
            h.update(Array(bytes[..<split]))
            h.update(Array(bytes[split...]))
            #expect(h.finalizeHex() == SHA256.hex(bytes), "split \(split)")
        }
    }
}
