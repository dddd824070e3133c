import AudioIO
import Corpus
import Fbank
import FeatureStore
import Foundation
import SeededRandom
import TensorCore
import Testing
import _TestSupport

/// Audio inside arks (ESPnet's `flac.ark` with kaldiio `AUDIO` entries, Kaldi wave arks), as SLURP's
/// data dirs and TSVs point at it, and global CMVN from a numpy `gcmvn.npz`.
@Suite struct ArkAudioAndCMVNTests {
    static let dict = WhitespaceDictionaryEncoding(symbols: ["play_music", "volume_up"])

    @Test func flacAndWaveArkEntriesGiveTheFilesFeatures() throws {
        let dir = try TestData.temporaryDirectory("arkaudio")
        defer { try? FileManager.default.removeItem(at: dir) }
        let flacPath = TestData.url("fixtures/audio/es03_48k.flac").path
        let wavPath = TestData.url("fixtures/audio/es03_16.wav").path
        let flac = try [UInt8](Data(contentsOf: URL(fileURLWithPath: flacPath)))
        let ark = try KaldiArkWriter(arkPath: dir.appendingPathComponent("data_wav.ark").path)
        let e1 = try ark.write(key: "slurp_a", object: .extendedAudio(KaldiExtendedAudio(payload: flac, payloadOffset: 0, lengthBytes: 4)))
        let wave = try KaldiWaveDecoder.decode([UInt8](Data(contentsOf: URL(fileURLWithPath: wavPath))), path: wavPath)
        let e2 = try ark.write(key: "slurp_b", object: .wave(wave))
        try ark.finish()
        let arkPath = dir.appendingPathComponent("data_wav.ark").path
        let opts = AudioFeatureOptions.fairseqOnTheFly
        var rng = Xoshiro256(seed: 0)
        let flacFeatures = try FbankComputer(options: opts.fbank, sampleRate: 48000)
            .compute(AudioFile(path: flacPath).load(AudioRequest()).samples, using: &rng)
        let wavFeatures = try FbankComputer(options: opts.fbank, sampleRate: 16000)
            .compute(AudioFile(path: wavPath).load(AudioRequest()).samples, using: &rng)
        // wav.scp with ark offsets (ESPnet dump/raw/<set>/wav.scp).
        try write("slurp_a \(arkPath):\(e1.offset!)\nslurp_b \(arkPath):\(e2.offset!)\n", dir, "wav.scp")
        try write("slurp_a play_music\nslurp_b volume_up\n", dir, "text")
        let k = try KaldiSpeechDataset(directory: dir.path, textEncoding: Self.dict, featureSource: opts)
        #expect(try k.sample(0) == Sample(id: "slurp_a", source: .features(flacFeatures), target: [4]))
        #expect(try k.sample(1).source == .features(wavFeatures))
        #expect(k.sourceLength(0) == flacFeatures.rows && k.sourceLength(1) == wavFeatures.rows)
        // The same entries from a fairseq TSV (`audio` = `<ark>:<offset>`, fairseq's load_kaldi).
        let tsv = try write("id\taudio\tn_frames\ttgt_text\nslurp_a\t\(arkPath):\(e1.offset!)\t24000\tplay_music\n"
                            + "slurp_b\tdata_wav.ark:\(e2.offset!)\t8000\tvolume_up\n", dir, "test.tsv")
        let f = try FairseqSpeechDataset(manifest: tsv, textEncoding: Self.dict, featureSource: opts)
        #expect(try f.sample(0).source == .features(flacFeatures))
        #expect(try f.sample(1) == Sample(id: "slurp_b", source: .features(wavFeatures), target: [5]))
        // Audio stored in a fairseq zip (`zip:offset:length` of a .flac entry) is decoded the same way.
        let zip = try StoredZipWriter(path: dir.appendingPathComponent("audio.zip").path)
        let entry = try zip.add(name: "slurp_a.flac", bytes: flac)
        try zip.finish()
        let zt = try write("id\taudio\tn_frames\ttgt_text\nslurp_a\taudio.zip:\(entry.dataOffset):\(entry.length)\t24000\tplay_music\n",
                           dir, "zip.tsv")
        #expect(try FairseqSpeechDataset(manifest: zt, textEncoding: Self.dict, featureSource: opts).sample(0).source == .features(flacFeatures))
    }

    @Test func globalCMVNFromNumpyNpz() throws {
        let stats = try GlobalCMVNFile.read(path: TestData.url("fixtures/zip/gcmvn_numpy.npz").path)
        #expect(stats.dimension == 80)
        let m = features(5, rows: 4, cols: 80)
        let c = Collater(transforms: FeatureTransforms(globalCMVN: stats))
        let b = try c.collate([(index: 0, sample: Sample(id: "x", source: .features(m), target: []))], training: false, seed: 1, epoch: 1)
        guard case let .features(x, _) = b.source else { Issue.record("features"); return }
        // The fixture's statistics: mean = 0.5·i − 3, std = 1 + i/100 (Data/fixtures/README-zip.md). numpy
        // rounded 1 + i/100 from float64, this test computes it in float32: allow a few ulps.
        for t in 0..<4 {
            for d in [0, 17, 79] {
                let expected = (m[t, d] - (Float(d) * 0.5 - 3)) / (1 + Float(d) / 100)
                #expect(abs(x[0, t, d] - expected) <= 1e-6 * max(1, abs(expected)), "t \(t) d \(d)")
            }
        }
        // A dimension mismatch names the utterance.
        let small = [(index: 0, sample: Sample(id: "narrow", source: .features(features(1, rows: 2, cols: 40)), target: []))]
        do {
            _ = try c.collate(small, training: false, seed: 1, epoch: 1)
            Issue.record("expected an error")
        } catch let CorpusError.sample(id, _, reason) {
            #expect(id == "narrow" && reason.contains("dimension 80"))
        }
    }
}
