import AudioIO
import Corpus
import Fbank
import FeatureStore
import Foundation
import SeededRandom
import Testing
import _TestSupport

@Suite struct KaldiSpeechDatasetTests {
    static let dict = WhitespaceDictionaryEncoding(symbols: ["hello", "world", "again"])

    /// feats.scp with a plain and a compressed matrix; lengths from the headers (no utt2num_frames).
    @Test func featsScpWithLengthsFromHeaders() throws {
        let dir = try TestData.temporaryDirectory("kaldi")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ark = try KaldiArkWriter(arkPath: dir.appendingPathComponent("feats.ark").path)
        let a = features(1, rows: 11, cols: 40), b = features(2, rows: 17, cols: 40)
        try ark.write(key: "spk1-a", matrix: a)
        try ark.write(key: "spk1-b", matrix: b, compression: .speechFeature)
        try ark.write(key: "spk1-c", matrix: features(3, rows: 4, cols: 40), compression: .twoByteAuto)
        try ark.finish()
        try write(ark.scpText, dir, "feats.scp")
        try write("spk1-a hello world\nspk1-b again\nspk1-c hello moon\n", dir, "text")
        let ds = try KaldiSpeechDataset(directory: dir.path, textEncoding: Self.dict)
        #expect(ds.ids == ["spk1-a", "spk1-b", "spk1-c"])
        #expect((0..<3).map(ds.sourceLength) == [11, 17, 4])
        #expect((0..<3).map(ds.targetLength) == [2, 1, 2])
        #expect(try ds.sample(0) == Sample(id: "spk1-a", source: .features(a), target: [4, 5]))
        let stored = try KaldiScpReader(scpPath: dir.appendingPathComponent("feats.scp").path).read(key: "spk1-b").featureMatrix!
        #expect(try ds.sample(1).source == .features(stored))
        #expect(ds.labelStatistics.unknowns == 1 && ds.labelStatistics.tokens == 5)
        // utt2num_frames, when present, is what batching uses.
        try write("spk1-a 11\nspk1-b 17\nspk1-c 5\n", dir, "utt2num_frames")
        #expect(try KaldiSpeechDataset(directory: dir.path, textEncoding: Self.dict).sourceLength(2) == 5)
    }

    @Test func missingTextNamesTheUtterance() throws {
        let dir = try TestData.temporaryDirectory("kaldi")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ark = try KaldiArkWriter(arkPath: dir.appendingPathComponent("feats.ark").path)
        try ark.write(key: "u1", matrix: features(1, rows: 3, cols: 2))
        try ark.write(key: "u2", matrix: features(2, rows: 3, cols: 2))
        try ark.finish()
        try write(ark.scpText, dir, "feats.scp")
        try write("u1 hello\n", dir, "text")
        #expect(throws: CorpusError.missingText(path: dir.appendingPathComponent("text").path, utterance: "u2")) {
            try KaldiSpeechDataset(directory: dir.path, textEncoding: Self.dict)
        }
        // A truncated ark is reported with the scp line and the utterance when the sample is loaded.
        try write("u1 hello\nu2 world\n", dir, "text")
        let ds = try KaldiSpeechDataset(directory: dir.path, textEncoding: Self.dict)
        let arkPath = dir.appendingPathComponent("feats.ark").path
        let size = try FileManager.default.attributesOfItem(atPath: arkPath)[.size] as! Int
        try FileHandle(forWritingAtPath: arkPath)!.truncate(atOffset: UInt64(size - 4))
        do {
            _ = try KaldiSpeechDataset(directory: dir.path, textEncoding: Self.dict).sample(1)
            Issue.record("expected an error")
        } catch let CorpusError.sample(id, location, _) {
            #expect(id == "u2" && location == dir.appendingPathComponent("feats.scp").path + ":2")
        }
        _ = ds
    }

    /// wav.scp + segments: features on the fly equal those of the fairseq `file:first:frames` row for
    /// the same samples; lengths from segment times, utt2num_samples or the audio header.
    @Test func wavScpWithSegmentsOnTheFly() throws {
        let dir = try TestData.temporaryDirectory("kaldi")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = TestData.url("fixtures/audio/es03_16.wav").path
        let n = try AudioFile(path: wav).info.frames
        try write("rec1 \(wav)\n", dir, "wav.scp")
        try write("rec1_a rec1 0.1 0.35\nrec1_b rec1 0.2 -1\n", dir, "segments")
        try write("rec1_a hello\nrec1_b world\n", dir, "text")
        let opts = AudioFeatureOptions.fairseqOnTheFly
        let ds = try KaldiSpeechDataset(directory: dir.path, textEncoding: Self.dict, featureSource: opts)
        #expect(ds.ids == ["rec1_a", "rec1_b"])
        #expect(ds.sourceLength(0) == 1 + (4000 - 400) / 160)
        #expect(ds.sourceLength(1) == 1 + (n - 3200 - 400) / 160)
        let tsv = try write("id\taudio\tn_frames\ttgt_text\nx\t\(wav):1600:4000\t4000\thello\n", dir, "seg.tsv")
        let fs = try FairseqSpeechDataset(manifest: tsv, textEncoding: Self.dict, featureSource: opts)
        #expect(try ds.sample(0).source == fs.sample(0).source)
        #expect(try ds.sample(1).source.length == ds.sourceLength(1))
        // ESPnet style: no segments, lengths from utt2num_samples.
        let esp = dir.appendingPathComponent("esp")
        try FileManager.default.createDirectory(at: esp, withIntermediateDirectories: true)
        try write("utt1 \(wav)\n", esp, "wav.scp")
        try write("utt1 again\n", esp, "text")
        try write("utt1 \(n)\n", esp, "utt2num_samples")
        let e = try KaldiSpeechDataset(directory: esp.path, textEncoding: Self.dict, featureSource: opts)
        #expect(e.sourceLength(0) == 1 + (n - 400) / 160)
        #expect(try e.sample(0).source.length == e.sourceLength(0))
        #expect(try e.sample(0).target == [6])
        // A segment whose recording is missing names the segments line.
        try write("rec1_a rec1 0.1 0.35\nrec9_x rec9 0 1\n", dir, "segments")
        #expect(throws: CorpusError.badLine(path: dir.appendingPathComponent("segments").path, line: 2,
                                            reason: "recording 'rec9' of utterance 'rec9_x' is not in wav.scp")) {
            try KaldiSpeechDataset(directory: dir.path, textEncoding: Self.dict, featureSource: opts)
        }
    }
}

@Suite struct ParallelTextDatasetTests {
    @Test func linesPairUpWithEOSOnTheSource() throws {
        let dir = try TestData.temporaryDirectory("text")
        defer { try? FileManager.default.removeItem(at: dir) }
        let dictPath = try write("the 10\ncat 5\nsat 3\non 2\nmat 1\n", dir, "dict.txt")
        let dict = try WhitespaceDictionaryEncoding(dictionaryPath: dictPath)
        #expect(dict.count == 9 && dict.id(of: "the") == 4 && dict.id(of: "mat") == 8 && dict.id(of: "dog") == 3)
        let src = try write("the cat sat on the mat\r\nthe dog\nmat\n", dir, "train.source")
        let tgt = try write("cat sat\nthe\ndog dog mat\n", dir, "train.target")
        let ds = try ParallelTextDataset(source: src, target: tgt, sourceEncoding: dict, targetEncoding: dict)
        #expect(ds.count == 3)
        #expect(try ds.sample(0) == Sample(id: "0", source: .tokens([4, 5, 6, 7, 4, 8, 2]), target: [5, 6]))
        #expect(try ds.sample(1).source == .tokens([4, 3, 2]))
        #expect((0..<3).map(ds.sourceLength) == [7, 3, 2])
        #expect((0..<3).map(ds.targetLength) == [2, 1, 3])
        #expect((0..<3).map { ds.numTokens($0, epoch: 1) } == [7, 3, 4])
        #expect(ds.labelStatistics == LabelStatistics(sentences: 3, tokens: 6, unknowns: 2))
        #expect(ds.sourceStatistics.unknowns == 1)
        // Shortest source first for text pairs.
        #expect(BatchPlan.make(dataset: ds, options: BatchingOptions(maxTokens: 1000), seed: 1, epoch: 1, shuffle: false) == [[2, 1, 0]])
        let batch = try BatchLoader(dataset: ds, batches: [[0, 1]], options: .init(prefetch: 0)).collate(position: 0)
        guard case let .tokens(x, lengths) = batch.source else { Issue.record("tokens"); return }
        #expect(x.shape == [2, 7] && lengths == [7, 3])
        #expect(x.scalars == [4, 5, 6, 7, 4, 8, 2, 4, 3, 2, 1, 1, 1, 1])
    }

    @Test func mismatchedFilesAreNamed() throws {
        let dir = try TestData.temporaryDirectory("text")
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = try write("a\nb\nc\n", dir, "s.txt"), tgt = try write("a\nb\n", dir, "t.txt")
        let d = WhitespaceDictionaryEncoding(symbols: ["a"])
        #expect(throws: CorpusError.lineCountMismatch(source: src, sourceLines: 3, target: tgt, targetLines: 2)) {
            try ParallelTextDataset(source: src, target: tgt, sourceEncoding: d, targetEncoding: d)
        }
    }

    @Test func dictionaryErrorsNameTheLine() throws {
        let dir = try TestData.temporaryDirectory("text")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = try write("a 1\nb\n", dir, "bad.txt")
        #expect(throws: CorpusError.badDictionary(path: bad, line: 2,
                                                  reason: "expected \"<symbol> <count>\" or \"<symbol> <count> #fairseq:overwrite\", found 'b'")) {
            try WhitespaceDictionaryEncoding(dictionaryPath: bad)
        }
        let dup = try write("a 1\na 2\n", dir, "dup.txt")
        #expect(throws: CorpusError.badDictionary(path: dup, line: 2, reason: "duplicate symbol 'a' (add #fairseq:overwrite to allow it)")) {
            try WhitespaceDictionaryEncoding(dictionaryPath: dup)
        }
        let ok = try WhitespaceDictionaryEncoding(dictionaryPath: try write("a 1\na 2 #fairseq:overwrite\nb 1\n", dir, "ow.txt"))
        // fairseq's add_symbol(overwrite=True) appends the symbol again and points its index at the new entry.
        #expect(ok.symbols == ["<s>", "<pad>", "</s>", "<unk>", "a", "a", "b"] && ok.id(of: "a") == 5)
    }
}
