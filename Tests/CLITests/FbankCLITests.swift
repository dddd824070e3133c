import Testing
import Foundation
import Fbank
import FeatureStore
import _TestSupport

/// Runs the real `mtla fbank` and `mtla store` commands on the reference audio.
@Suite struct FbankCLITests {
    let dir: URL
    init() throws { dir = try TestData.temporaryDirectory("cli-fbank") }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
    func audio(_ name: String) -> String { TestData.reference("fbank/audio/" + name).path }

    /// A data dir over some reference files: wav.scp (+ text, utt2spk), keys sorted.
    func makeDataDir(_ name: String, files: [String], extraLines: [String] = []) throws -> String {
        let d = path(name)
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        var wav = files.map { f in "\((f as NSString).deletingPathExtension) \(audio(f))" } + extraLines
        wav.sort()
        try (wav.joined(separator: "\n") + "\n").write(toFile: d + "/wav.scp", atomically: true, encoding: .utf8)
        let keys = wav.map { String($0.split(separator: " ")[0]) }
        try (keys.map { "\($0) text of \($0)" }.joined(separator: "\n") + "\n").write(toFile: d + "/text", atomically: true, encoding: .utf8)
        try (keys.map { "\($0) \($0)" }.joined(separator: "\n") + "\n").write(toFile: d + "/utt2spk", atomically: true, encoding: .utf8)
        return d
    }

    func inspect(_ store: String) throws -> [[String: Any]] {
        let r = try runMTLA(["store", "inspect", store, "--json"])
        #expect(r.status == 0, "\(r.err)")
        let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        return json?["entries"] as? [[String: Any]] ?? []
    }

    /// Tolerance: README §1, float32 implementation against the float64 reference.
    @Test func singleFileMatchesGoldenAndRefusesToClobber() throws {
        let out = path("es01.npy")
        let r = try runMTLA(["fbank", audio("es01.wav"), "--output", out])
        #expect(r.status == 0, "\(r.err)")
        let ours = try Npy.readMatrix(path: out)
        let golden = try Npy.readMatrix(path: TestData.reference("fbank/es01.ta_f64.npy").path)
        #expect(ours.rows == golden.rows && ours.cols == golden.cols)
        let s = DifferenceStats(ours.values, golden.values)
        #expect(s.maxAbs <= 0.01 && s.meanAbs <= 2e-5, "\(s)")
        let again = try runMTLA(["fbank", audio("es01.wav"), "--output", out])
        #expect(again.status != 0 && again.err.contains("--overwrite"))
        #expect(try runMTLA(["fbank", audio("es01.wav"), "--output", out, "--overwrite"]).status == 0)
    }

    @Test func hammingUnscaledOptionsMatchTheOnTheFlyGolden() throws {
        let out = path("otf.npy")
        let r = try runMTLA(["fbank", audio("es01.wav"), "--output", out, "--window-type", "hamming", "--unscaled",
                             "--energy-floor", "0", "--snip-edges=true"])
        #expect(r.status == 0, "\(r.err)")
        let s = DifferenceStats(try Npy.readMatrix(path: out).values,
                                try Npy.readMatrix(path: TestData.reference("fbank/es01.otf_unit.ta_f64.npy").path).values)
        #expect(s.maxAbs <= 0.01 && s.meanAbs <= 2e-5, "\(s)")
    }

    @Test func energyAddsAColumnAndBadBooleanIsRefused() throws {
        let out = path("e.npy")
        #expect(try runMTLA(["fbank", audio("es02.wav"), "-o", out, "--use-energy=true"]).status == 0)
        #expect(try Npy.readMatrix(path: out).cols == 81)
        let bad = try runMTLA(["fbank", audio("es02.wav"), "-o", path("f.npy"), "--use-energy=maybe"])
        #expect(bad.status != 0 && bad.err.contains("use-energy"))
        #expect(!FileManager.default.fileExists(atPath: path("f.npy")))
    }

    @Test func zipAndArkStoresHoldTheSameFeaturesForAnyJobCount() throws {
        let data = try makeDataDir("data", files: ["es01.wav", "es02.wav", "stereo_16k.wav", "alsa_Front_Left_flac.flac", "short_50ms.wav"])
        #expect(try runMTLA(["fbank", "--manifest", data, "--out-dir", path("z1"), "--format", "zip", "--jobs", "1"]).status == 0)
        #expect(try runMTLA(["fbank", "--manifest", data, "--out-dir", path("z2"), "--format", "zip", "--jobs", "2"]).status == 0)
        #expect(try runMTLA(["fbank", "--manifest", data, "--out-dir", path("a1"), "--format", "ark", "--jobs", "2"]).status == 0)
        let z1 = try Data(contentsOf: URL(fileURLWithPath: path("z1/fbank80.zip")))
        #expect(z1 == (try Data(contentsOf: URL(fileURLWithPath: path("z2/fbank80.zip")))))
        let zipEntries = try inspect(path("z1/fbank80.zip"))
        let arkEntries = try inspect(path("a1/feats.scp"))
        let tsvEntries = try inspect(path("z1/data.tsv"))
        #expect(zipEntries.count == 5)
        #expect(zipEntries.map { $0["sha256"] as? String } == arkEntries.map { $0["sha256"] as? String })
        #expect(zipEntries.map { $0["sha256"] as? String } == tsvEntries.map { $0["sha256"] as? String })
        // The TSV carries text and speaker; n_frames are the rows.
        let tsv = try FairseqManifest.read(path: path("z1/data.tsv"))
        #expect(tsv.rows.map(\.id) == ["alsa_Front_Left_flac", "es01", "es02", "short_50ms", "stereo_16k"])
        #expect(tsv.rows[1].tgtText == "text of es01" && tsv.rows[1].speaker == "es01" && tsv.rows[1].nFrames == 241)
        #expect(try runMTLA(["store", "validate", path("z1/data.tsv")]).status == 0)
        #expect(try runMTLA(["store", "validate", path("a1/feats.ark")]).status == 0)
    }

    @Test func convertRoundTripIsBitExact() throws {
        let data = try makeDataDir("data", files: ["es03.wav", "es04.wav"])
        #expect(try runMTLA(["fbank", "--manifest", data, "--out-dir", path("z"), "--format", "zip"]).status == 0)
        #expect(try runMTLA(["store", "convert", path("z/data.tsv"), "--to", "ark", "--out-dir", path("k")]).status == 0)
        #expect(try runMTLA(["store", "convert", path("k/feats.scp"), "--to", "zip", "--out-dir", path("z2"), "--name", "data"]).status == 0)
        let a = try inspect(path("z/data.tsv")), b = try inspect(path("k/feats.ark")), c = try inspect(path("z2/data.tsv"))
        #expect(a.map { $0["sha256"] as? String } == b.map { $0["sha256"] as? String })
        #expect(a.map { $0["sha256"] as? String } == c.map { $0["sha256"] as? String })
    }

    @Test func resumeAfterAKillKeepsWrittenUtterances() throws {
        let data = try makeDataDir("data", files: ["es01.wav", "es02.wav", "es03.wav", "es04.wav", "alsa_Noise.wav"])
        #expect(try runMTLA(["fbank", "--manifest", data, "--out-dir", path("full"), "--format", "zip"]).status == 0)
        for format in ["zip", "ark"] {
            let out = path("killed-" + format)
            #expect(try runMTLA(["fbank", "--manifest", data, "--out-dir", out, "--format", format]).status == 0)
            // Simulate a kill after two and a half utterances: the final files never appeared, the
            // temporary store holds complete entries and a torn one.
            let final = out + (format == "zip" ? "/fbank80.zip" : "/feats.ark")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: final))
            // Cut 1000 bytes into the third utterance's entry.
            let third: Int
            if format == "zip" {
                let e = try FairseqManifest.read(path: out + "/data.tsv").rows[2].audio
                guard case let .zipEntry(_, offset, _) = e else { Issue.record("not a zip location"); return }
                third = offset
            } else {
                third = try KaldiScp.read(path: out + "/feats.scp")[2].offset ?? 0
            }
            let cut = third + 1000
            try bytes.prefix(cut).write(to: URL(fileURLWithPath: final + ".tmp"))
            for f in try FileManager.default.contentsOfDirectory(atPath: out) where !f.hasSuffix(".tmp") {
                try FileManager.default.removeItem(atPath: out + "/" + f)
            }
            let r = try runMTLA(["fbank", "--manifest", data, "--out-dir", out, "--format", format])
            #expect(r.status == 0, "\(r.err)")
            #expect(r.err.contains("resuming: 2 of 5"), "\(r.err)")
            let resumed = try inspect(out + (format == "zip" ? "/data.tsv" : "/feats.scp"))
            let reference = try inspect(path("full/data.tsv"))
            #expect(resumed.map { $0["sha256"] as? String } == reference.map { $0["sha256"] as? String })
            #expect(!FileManager.default.fileExists(atPath: final + ".tmp"))
        }
    }

    @Test func badUtteranceStopsOrIsSkipped() throws {
        let data = try makeDataDir("data", files: ["es01.wav", "es02.wav"], extraLines: ["es00_missing /nonexistent/x.wav"])
        let r = try runMTLA(["fbank", "--manifest", data, "--out-dir", path("o"), "--format", "zip"])
        #expect(r.status != 0)
        #expect(r.err.contains("es00_missing") && r.err.contains("/nonexistent/x.wav"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: path("o/fbank80.zip")))
        #expect(!FileManager.default.fileExists(atPath: path("o/data.tsv")))
        let s = try runMTLA(["fbank", "--manifest", data, "--out-dir", path("s"), "--format", "ark", "--skip-bad"])
        #expect(s.status == 0, "\(s.err)")
        let skipped = try String(contentsOfFile: path("s/skipped.tsv"), encoding: .utf8)
        #expect(skipped.hasPrefix("id\tfile\terror\nes00_missing\t/nonexistent/x.wav\t"))
        #expect(try inspect(path("s/feats.scp")).count == 2)
    }

    @Test func pipesNeedAllowPipes() throws {
        let data = try makeDataDir("data", files: ["es01.wav"], extraLines: ["es02p cat \(audio("es02.wav")) |"])
        let r = try runMTLA(["fbank", "--manifest", data, "--out-dir", path("p"), "--format", "zip"])
        #expect(r.status != 0 && r.err.contains("--allow-pipes") && r.err.contains("wav.scp"), "\(r.err)")
        let ok = try runMTLA(["fbank", "--manifest", data, "--out-dir", path("p2"), "--format", "zip", "--allow-pipes"])
        #expect(ok.status == 0, "\(ok.err)")
        let e = try inspect(path("p2/data.tsv"))
        #expect(e.count == 2 && (e.first?["rows"] as? Int) == 241)
    }

    @Test func sampleRateIsCheckedOrResampled() throws {
        let data = try makeDataDir("data", files: ["es01.wav", "sr8k.wav"])
        let r = try runMTLA(["fbank", "--manifest", data, "--out-dir", path("r"), "--require-rate", "16000"])
        #expect(r.status != 0 && r.err.contains("sr8k") && r.err.contains("8000 Hz"), "\(r.err)")
        let ok = try runMTLA(["fbank", "--manifest", data, "--out-dir", path("r2"), "--require-rate", "16000", "--resample-to", "16000"])
        #expect(ok.status == 0, "\(ok.err)")
        let rows = try inspect(path("r2/data.tsv")).map { $0["rows"] as? Int }
        #expect(rows == [241, 241])
    }

    @Test func segmentsAndGlobalCMVN() throws {
        let data = try makeDataDir("data", files: ["es01.wav"])
        try "es01-a es01 0.00 1.00\nes01-b es01 1.00 2.00\n".write(toFile: data + "/segments", atomically: true, encoding: .utf8)
        try "es01-a a\nes01-b b\n".write(toFile: data + "/text", atomically: true, encoding: .utf8)
        try "es01-a es01\nes01-b es01\n".write(toFile: data + "/utt2spk", atomically: true, encoding: .utf8)
        let r = try runMTLA(["fbank", "--manifest", data, "--out-dir", path("g"), "--cmvn", "global"])
        #expect(r.status == 0, "\(r.err)")
        let stats = try GlobalCMVNFile.read(path: path("g/gcmvn.npz"))
        #expect(stats.mean.count == 80)
        let e = try inspect(path("g/data.tsv"))
        #expect(e.map { $0["rows"] as? Int } == [98, 98])
        // After global CMVN the mean over all frames is ~0.
        let total = e.reduce(0.0) { $0 + ($1["sum"] as? Double ?? 0) }
        // Float32 features of magnitude ~10 summed over 15,680 values; a missing normalisation leaves a
        // mean of order 1-10, so 1e-4 separates the two cases by four orders.
        #expect(abs(total / (196 * 80)) < 1e-4)
        let record = try String(contentsOfFile: path("g/extraction.json"), encoding: .utf8)
        #expect(record.contains("\"cmvn\" : \"global\""))
    }

    /// `--extra-column src_text=text.en` carries a second transcript into the TSV (ST's source text);
    /// an utterance missing from the table is an error naming the file.
    @Test func extraColumnsFromDataDirTables() throws {
        let data = try makeDataDir("st", files: ["es01.wav"])
        try "es01-a es01 0.00 1.00\nes01-b es01 1.00 2.00\n".write(toFile: data + "/segments", atomically: true, encoding: .utf8)
        try "es01-a ein Satz\nes01-b noch einer\n".write(toFile: data + "/text", atomically: true, encoding: .utf8)
        try "es01-a es01\nes01-b es01\n".write(toFile: data + "/utt2spk", atomically: true, encoding: .utf8)
        try "es01-a one sentence\nes01-b another one\n".write(toFile: data + "/text.en", atomically: true, encoding: .utf8)
        let r = try runMTLA(["fbank", "--manifest", data, "--out-dir", path("st-out"), "--extra-column", "src_text=text.en"])
        #expect(r.status == 0, "\(r.err)")
        let manifest = try FairseqManifest.read(path: path("st-out/st.tsv"))
        #expect(manifest.columns.contains("src_text"))
        #expect(manifest.rows.map(\.srcText) == ["one sentence", "another one"] && manifest.rows.map(\.tgtText) == ["ein Satz", "noch einer"])
        try "es01-a one sentence\n".write(toFile: data + "/text.en", atomically: true, encoding: .utf8)
        let missing = try runMTLA(["fbank", "--manifest", data, "--out-dir", path("st-out2"), "--extra-column", "src_text=text.en"])
        #expect(missing.status != 0 && missing.err.contains("text.en") && missing.err.contains("es01-b"))
    }

    /// ESPnet's flac.ark / wav.ark (kaldiio AUDIO entries) and Kaldi's wave ark hold the same samples,
    /// so features from all three are bit-identical; the golden scp lines become wav.scp lines.
    @Test func arkAudioEntriesAsWavScp() throws {
        var outputs: [[String?]] = []
        for ark in ["flac_espnet", "wav_espnet", "wav_kaldi"] {
            let d = path("data-" + ark)
            try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
            let scp = try String(contentsOfFile: TestData.reference("kaldi/\(ark).scp").path, encoding: .utf8)
            let lines = scp.split(separator: "\n").map { line -> String in
                let f = line.split(separator: " ")
                return "\(f[0]) \(TestData.reference("kaldi/").path)/\(f[1])"
            }.sorted()
            try (lines.joined(separator: "\n") + "\n").write(toFile: d + "/wav.scp", atomically: true, encoding: .utf8)
            let r = try runMTLA(["fbank", "--manifest", d, "--out-dir", path("f-" + ark), "--format", "ark"])
            #expect(r.status == 0, "\(ark): \(r.err)")
            outputs.append(try inspect(path("f-\(ark)/feats.scp")).map { $0["sha256"] as? String })
        }
        #expect(outputs[0].count == 3)
        #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2])
    }

    @Test func shorterThanOneFrameWarnsOrFailsWithStrict() throws {
        let r = try runMTLA(["fbank", audio("es01.wav"), "-o", path("s.npy"), "--end", "0.02"])
        #expect(r.status == 0 && r.err.contains("shorter than one frame"), "\(r.err)")
        let m = try Npy.readMatrix(path: path("s.npy"))
        #expect(m.rows == 0 && m.cols == 80)
        let strict = try runMTLA(["fbank", audio("es01.wav"), "-o", path("t.npy"), "--end", "0.02", "--strict"])
        #expect(strict.status != 0 && strict.err.contains("shorter than one frame"))
        #expect(!FileManager.default.fileExists(atPath: path("t.npy")))
    }
}
