import AudioIO
import Corpus
import Fbank
import FeatureStore
import Foundation
import SeededRandom
import Testing
import _TestSupport

@Suite struct FairseqSpeechDatasetTests {
    static let dict = WhitespaceDictionaryEncoding(symbols: ["▁ich", "▁bin", "▁hier", "▁da"])

    /// A fairseq store: `fbank80.zip` written with FeatureStore's ZipWriter, a `.npy`, an ark entry,
    /// and the manifest `train.tsv` pointing at them.
    static func makeStore(_ dir: URL) throws -> (tsv: String, mats: [FeatureMatrix]) {
        let mats = [features(0, rows: 7, cols: 80), features(1, rows: 12, cols: 80), features(2, rows: 5, cols: 80),
                    features(3, rows: 9, cols: 80), features(4, rows: 6, cols: 80)]
        let zip = try StoredZipWriter(path: dir.appendingPathComponent("fbank80.zip").path)
        var rows: [FairseqManifestRow] = []
        let texts = ["▁ich ▁bin ▁hier", "▁da", "▁ich ▁weiß ▁nicht", ""]
        for i in 0..<3 {
            let e = try zip.addNpy(id: "u\(i)", matrix: mats[i])
            rows.append(FairseqManifestRow(id: "u\(i)", audio: e.location(zipPath: "fbank80.zip"), nFrames: mats[i].rows,
                                           tgtText: texts[i], speaker: "spk"))
        }
        try zip.finish()
        try Data(Npy.encode(mats[3])).write(to: dir.appendingPathComponent("u3.npy"))
        rows.append(FairseqManifestRow(id: "u3", audio: .file("u3.npy"), nFrames: 9, tgtText: texts[3]))
        let ark = try KaldiArkWriter(arkPath: dir.appendingPathComponent("feats.ark").path)
        _ = try ark.write(key: "other", matrix: features(9, rows: 2, cols: 80))
        let e = try ark.write(key: "u4", matrix: mats[4])
        try ark.finish()
        rows.append(FairseqManifestRow(id: "u4", audio: .file("\(dir.path)/feats.ark:\(e.offset!)"), nFrames: 6, tgtText: "▁hier"))
        let tsv = dir.appendingPathComponent("train.tsv").path
        try FairseqManifest(rows: rows).write(to: tsv)
        return (tsv, mats)
    }

    @Test func zipNpyAndArkFeaturesReadBackExactly() throws {
        let dir = try TestData.temporaryDirectory("corpus")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (tsv, mats) = try Self.makeStore(dir)
        let ds = try FairseqSpeechDataset(manifest: tsv, textEncoding: Self.dict)
        #expect(ds.count == 5)
        #expect((0..<5).map(ds.id) == ["u0", "u1", "u2", "u3", "u4"])
        #expect((0..<5).map(ds.sourceLength) == [7, 12, 5, 9, 6])
        #expect((0..<5).map(ds.targetLength) == [3, 1, 3, 0, 1])
        #expect(ds.lines == [2, 3, 4, 5, 6])
        for i in 0..<5 {
            let s = try ds.sample(i)
            #expect(s.source == .features(mats[i]), "u\(i)")
        }
        #expect(try ds.sample(0).target == [4, 5, 6])
        #expect(try ds.sample(2).target == [4, 3, 3])  // "▁weiß ▁nicht" are not in the dictionary
        #expect(ds.labelStatistics == LabelStatistics(sentences: 5, tokens: 8, unknowns: 2))
        #expect(ds.labelStatistics.unknownRate == 0.25)
        #expect(ds.ordering == .descendingSource)
    }

    @Test func errorsNameTheLineAndTheUtterance() throws {
        let dir = try TestData.temporaryDirectory("corpus")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Self.makeStore(dir)
        let zipSize = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("fbank80.zip").path)[.size] as! Int
        // A range past the end of the zip (an entry that is not there), and a zip that does not exist.
        let tsv = try write("id\taudio\tn_frames\ttgt_text\n" + "a\tfbank80.zip:\(zipSize - 10):400\t5\t▁da\n"
                            + "b\tmissing.zip:100:400\t5\t▁da\n", dir, "bad.tsv")
        let ds = try FairseqSpeechDataset(manifest: tsv, textEncoding: Self.dict)
        let outOfBounds = FeatureStoreError.entryOutOfBounds(path: dir.appendingPathComponent("fbank80.zip").path,
                                                             offset: zipSize - 10, length: 400, fileSize: zipSize)
        #expect(throws: CorpusError.sample(id: "a", location: "\(tsv):2", reason: outOfBounds.description)) { try ds.sample(0) }
        do {
            _ = try ds.sample(1)
            Issue.record("expected an error")
        } catch let CorpusError.sample(id, location, reason) {
            #expect(id == "b" && location == "\(tsv):3" && reason.contains("missing.zip"))
        }
        // A malformed line: its number is named.
        let bad = try write("id\taudio\tn_frames\ttgt_text\nok\tx.npy\t5\t▁da\nshort\tx.npy\t5\n", dir, "short.tsv")
        do {
            _ = try FairseqSpeechDataset(manifest: bad, textEncoding: Self.dict)
            Issue.record("expected an error")
        } catch let CorpusError.badLine(path, line, reason) {
            #expect(path == bad && line == 3 && reason.contains("3 fields"))
        }
        let dup = try write("id\taudio\tn_frames\ttgt_text\nx\tx.npy\t5\t▁da\nx\ty.npy\t5\t▁da\n", dir, "dup.tsv")
        #expect(throws: CorpusError.duplicateID(path: dup, id: "x")) { try FairseqSpeechDataset(manifest: dup, textEncoding: Self.dict) }
    }

    /// Raw audio rows get filterbanks on the fly: a whole file, and `file:first:frames` segments.
    @Test func rawAudioOnTheFly() throws {
        let dir = try TestData.temporaryDirectory("corpus")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = TestData.url("fixtures/audio/es03_16.wav").path
        let file = try AudioFile(path: wav)
        let n = file.info.frames
        let tsv = try write("id\taudio\tn_frames\ttgt_text\n" + "whole\t\(wav)\t\(n)\t▁da\n" + "seg\t\(wav):1600:4000\t4000\t▁da\n"
                            + "ogg\t\(TestData.url("fixtures/audio/es03.ogg").path)\t\(n)\t▁da\n", dir, "raw.tsv")
        let opts = AudioFeatureOptions.fairseqOnTheFly
        #expect(opts.fbank.windowType == .hamming && opts.fbank.dither == 0 && opts.fbank.energyFloor == 0)
        let ds = try FairseqSpeechDataset(manifest: tsv, textEncoding: Self.dict, featureSource: opts)
        let samples = try file.load(AudioRequest()).samples
        var rng = Xoshiro256(seed: 0)
        let computer = try FbankComputer(options: opts.fbank, sampleRate: 16000)
        let whole = computer.compute(samples, using: &rng)
        #expect(whole.rows == 1 + (n - 400) / 160 && whole.cols == 80)
        #expect(try ds.sample(0).source == .features(whole))
        #expect(try ds.sample(1).source == .features(computer.compute(Array(samples[1600..<5600]), using: &rng)))
        guard case let .features(ogg) = try ds.sample(2).source else { Issue.record("features"); return }
        #expect(ogg.cols == 80 && ogg.rows > 0)
        #expect(ds.sourceLength(1) == 4000)  // the n_frames column (samples for waveforms)
        var inFrames = opts
        inFrames.lengthsInFrames = true
        let framed = try FairseqSpeechDataset(manifest: tsv, textEncoding: Self.dict, featureSource: inFrames)
        #expect(framed.sourceLength(0) == whole.rows && framed.sourceLength(1) == 1 + (4000 - 400) / 160)
    }

    /// Speed perturbation: the factor is drawn per (seed, epoch, index); lengths and features follow it.
    @Test func speedPerturbationIsSeededPerEpoch() throws {
        let dir = try TestData.temporaryDirectory("corpus")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = TestData.url("fixtures/audio/es03_16.wav").path
        let n = try AudioFile(path: wav).info.frames
        _ = try Self.makeStore(dir)
        let entry = try StoredZipReader(path: dir.appendingPathComponent("fbank80.zip").path).entries[0]
        let tsv = try write("id\taudio\tn_frames\ttgt_text\n" + "w\t\(wav)\t\(n)\t▁da\n"
                            + "z\tfbank80.zip:\(entry.dataOffset):\(entry.length)\t7\t▁da\n", dir, "sp.tsv")
        var opts = AudioFeatureOptions.fairseqOnTheFly
        opts.speedPerturbation = [0.9, 1.0, 1.1]
        opts.seed = 42
        let ds = try FairseqSpeechDataset(manifest: tsv, textEncoding: Self.dict, featureSource: opts)
        let factors = (1...30).map { ds.speedFactor(0, epoch: $0) }
        #expect(Set(factors) == [0.9, 1.0, 1.1])
        #expect(factors == (1...30).map { ds.speedFactor(0, epoch: $0) })
        #expect((1...30).allSatisfy { ds.speedFactor(1, epoch: $0) == 1 })  // stored features are not perturbed
        let samples = try AudioFile(path: wav).load(AudioRequest()).samples
        var rng = Xoshiro256(seed: 0)
        let computer = try FbankComputer(options: opts.fbank, sampleRate: 16000)
        for epoch in 1...4 {
            let f = ds.speedFactor(0, epoch: epoch)
            #expect(ds.sourceLength(0, epoch: epoch) == Int((Double(n) / f).rounded(.up)))
            let resampled = f == 1 ? samples : try Resampler.resample(samples, from: Int(16000 * f), to: 16000)
            #expect(try ds.sample(0, epoch: epoch).source == .features(computer.compute(resampled, using: &rng)), "epoch \(epoch), factor \(f)")
        }
    }
}
