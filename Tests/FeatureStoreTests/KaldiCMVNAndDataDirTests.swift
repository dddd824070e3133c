import Testing
import Foundation
import Fbank
import FeatureStore
import _TestSupport

@Suite struct KaldiCMVNStatsTests {
    @Test func accumulateWriteReadApply() throws {
        let m = try KaldiTestFiles.input("feats", "spk1-utt002_rand")
        var stats = KaldiCMVNStats(dim: m.cols)
        stats.accumulate(m)
        #expect(stats.count == 57 && stats.matrix.rows == 2 && stats.matrix.cols == 81 && stats.matrix[1, 80] == 0)
        var s0 = 0.0, s1 = 0.0
        for t in 0..<m.rows { let v = Double(m[t, 5]); s0 += v; s1 += v * v }
        #expect(stats.matrix[0, 5] == s0 && stats.matrix[1, 5] == s1)

        // Through an ark as DM and back.
        let dir = try TestData.temporaryDirectory("cmvn")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("cmvn.ark").path
        let w = try KaldiArkWriter(arkPath: path)
        try w.write(key: "spk1", object: stats.object)
        try w.finish()
        let back = try KaldiCMVNStats(KaldiArkReader.readAll(path: path)[0].object, name: "cmvn.ark")
        #expect(back == stats)

        var normed = m
        try back.apply(to: &normed, normVars: true)
        var check = KaldiCMVNStats(dim: m.cols)
        check.accumulate(normed)
        // After mean/variance normalisation: mean 0 and variance 1 up to Float32 rounding of the values.
        #expect(check.mean.allSatisfy { abs($0) < 1e-5 })
        #expect(check.variance().allSatisfy { abs($0 - 1) < 1e-4 })
        var centred = m
        try back.apply(to: &centred)
        #expect(centred[3, 7] == m[3, 7] + Float(-back.mean[7]))
    }

    @Test func rejectsWrongShapes() throws {
        #expect(throws: FeatureStoreError.badValue(name: "c", reason: "CMVN stats of shape 3x4 (expected 2 x (D+1))")) {
            try KaldiCMVNStats(.doubleMatrix(KaldiDoubleMatrix(rows: 3, cols: 4, values: .init(repeating: 0, count: 12))), name: "c")
        }
        var f = FeatureMatrix(rows: 1, cols: 2)
        #expect(throws: FeatureStoreError.badValue(name: "apply-cmvn", reason: "insufficient statistics: count 0.0 < 1")) {
            try KaldiCMVNStats(dim: 2).apply(to: &f)
        }
    }
}

@Suite struct ESPnetDataDirTests {
    func makeDir(_ files: [String: String]) throws -> URL {
        let dir = try TestData.temporaryDirectory("datadir")
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir
    }

    static let good: [String: String] = [
        "wav.scp": "rec1 audio/a.wav\nrec2 flac -c -d -s b.flac |\nrec3 wav_kaldi.ark:5\n",
        "segments": "spk1-u1 rec1 0.00 1.50\nspk1-u2 rec1 1.50 2.00\nspk2-u3 rec3 0 0.5\n",
        "text": "spk1-u1 hello world\nspk1-u2 again\nspk2-u3\n",
        "utt2spk": "spk1-u1 spk1\nspk1-u2 spk1\nspk2-u3 spk2\n",
        "spk2utt": "spk1 spk1-u1 spk1-u2\nspk2 spk2-u3\n",
        "utt2num_samples": "spk1-u1 24000\nspk1-u2 8000\nspk2-u3 8000\n",
    ]

    @Test func readsTablesAndValidatesCleanDir() throws {
        let dir = try makeDir(Self.good)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("audio"), withIntermediateDirectories: true)
        try Data([1]).write(to: dir.appendingPathComponent("audio/a.wav"))
        try FileManager.default.copyItem(atPath: KaldiTestFiles.path("wav_kaldi.ark"), toPath: dir.appendingPathComponent("wav_kaldi.ark").path)
        let d = try ESPnetDataDir(directory: dir.path)
        let wav = try d.wavEntries()
        #expect(wav.map(\.source) == [.file("audio/a.wav"), .pipe("flac -c -d -s b.flac"), .ark(path: "wav_kaldi.ark", offset: 5)])
        #expect(try d.segments()[1] == ESPnetSegment(utterance: "spk1-u2", recording: "rec1", start: 1.5, end: 2, line: 2))
        #expect(d.text["spk1-u1"] == "hello world" && d.text["spk2-u3"] == "")
        #expect(try d.integers()["spk1-u1"] == 24000)
        #expect(ESPnetDataDir.spk2uttText(fromUtt2spk: d.utt2spk) == Self.good["spk2utt"])
        let problems = d.validate(DataDirValidationOptions(baseDirectory: dir.path))
        #expect(problems == [DataDirProblem(.warning, file: "wav.scp", line: 2, "shell pipeline: not checked (needs --allow-pipes to run)")])

        // Audio bytes: ark entries give the RIFF file; pipes need allowPipes.
        let riff = try d.audioBytes(wav[2], allowPipes: false, baseDirectory: dir.path)
        #expect(riff.starts(with: Array("RIFF".utf8)) && riff.count == 44 + 9000 * 2)
        #expect(throws: FeatureStoreError.pipeNotAllowed(path: dir.appendingPathComponent("wav.scp").path, line: 2, command: "flac -c -d -s b.flac |")) {
            try d.audioBytes(wav[1], allowPipes: false)
        }
        let piped = try d.audioBytes(ESPnetWavEntry(key: "x", source: .pipe("printf 'RIFF'"), line: 1), allowPipes: true)
        #expect(piped == Array("RIFF".utf8))
        #expect(throws: FeatureStoreError.pipeFailed(command: "echo oops >&2; exit 3", status: 3, stderr: "oops")) {
            try ESPnetDataDir.runPipe("echo oops >&2; exit 3")
        }
    }

    @Test func validatorReportsProblemsWithLines() throws {
        var files = Self.good
        files["utt2spk"] = "spk1-u1 spk1\nspk1-u2 spk1\nspk2-u3 spk2\nspk2-u3 spk2\nu9 zz\nb0 aa\n"
        files["text"] = "spk1-u2 again\nspk1-u1 hello\n"
        files["segments"] = "spk1-u1 rec1 0.00 1.50\nspk1-u2 rec9 2.0 1.0\nspk2-u3 rec3 0 0.5\n"
        files["feats.scp"] = "spk1-u1 feats.ark:999\n"
        let dir = try makeDir(files)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(count: 10).write(to: dir.appendingPathComponent("feats.ark"))
        let d = try ESPnetDataDir(directory: dir.path)
        let problems = d.validate(DataDirValidationOptions(noFeats: false, baseDirectory: dir.path))
        func has(_ severity: DataDirProblem.Severity, _ file: String, _ line: Int?, _ fragment: String) -> Bool {
            problems.contains { $0.severity == severity && $0.file == file && $0.line == line && $0.message.contains(fragment) }
        }
        #expect(has(.error, "utt2spk", 4, "duplicate key 'spk2-u3'"))
        #expect(has(.error, "utt2spk", 6, "not sorted under LC_ALL=C: 'b0' comes after 'u9'"))
        #expect(has(.error, "text", 2, "not sorted"))
        #expect(has(.error, "utt2spk", 6, "not in sorted order when sorted first on speaker-id: speaker 'aa' comes after 'zz'"))
        #expect(has(.warning, "utt2spk", 5, "speaker id 'zz' is not a prefix of utterance id 'u9'"))
        #expect(has(.error, "spk2utt", nil, "speaker 'zz' of utt2spk is missing"))
        #expect(has(.error, "text", nil, "no entry for utterance 'spk2-u3'"))
        #expect(has(.error, "segments", 2, "recording 'rec9' is not in wav.scp"))
        #expect(has(.error, "segments", 2, "bad times"))
        #expect(has(.error, "wav.scp", 1, "does not exist"))
        #expect(has(.error, "wav.scp", 3, "does not exist"))
        #expect(has(.error, "feats.scp", 1, "offset 999 is past the end"))
        #expect(problems.first { $0.file == "feats.scp" && $0.line == 1 }!.description.hasPrefix("error: feats.scp:1: "))
    }

    @Test func missingUtt2spkIsAnError() throws {
        let dir = try makeDir(["wav.scp": "a a.wav\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let problems = try ESPnetDataDir(directory: dir.path).validate()
        #expect(problems == [DataDirProblem(.error, file: "utt2spk", line: nil, "missing (required)")])
    }
}
