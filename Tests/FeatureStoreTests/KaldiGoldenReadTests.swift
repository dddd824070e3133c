import Testing
import Foundation
import Fbank
import FeatureStore
import _TestSupport

/// Every entry of every golden ark (kaldiio 2.18.1) decoded and compared with index.json.
@Suite struct KaldiGoldenReadTests {
    static let arkNames = KaldiGoldenIndex.arkNames

    @Test(arguments: arkNames)
    func sequentialReadMatchesIndex(name: String) throws {
        let ark = try #require(KaldiGoldenIndex.shared.arks[name])
        let bytes = try KaldiTestFiles.bytes(ark.ark)
        #expect(bytes.count == ark.arkBytes)
        #expect(SHA256.hex(bytes) == ark.sha256Ark)
        let entries = try KaldiArkReader.readAll(path: KaldiTestFiles.path(ark.ark))
        #expect(entries.map(\.key) == ark.entries.map(\.key))
        #expect(entries.map(\.offset) == ark.entries.map(\.scpOffset))
        #expect(entries.last?.end == ark.arkBytes)
        for (e, g) in zip(entries, ark.entries) {
            #expect(e.object.typeToken == g.kaldiType, "\(name) \(g.key)")
            try checkValues(e.object, g, arkName: name)
        }
    }

    /// Exact types (FM DM FV DV int32 text RIFF) must match the sha256 bit for bit. Compressed entries
    /// also match exactly because we decode in kaldiio's Float32 operation order (README §4); the sum,
    /// min and max are checked too.
    func checkValues(_ object: KaldiObject, _ g: KaldiGoldenIndex.Entry, arkName: String) throws {
        let label = "\(arkName) \(g.key)"
        switch object {
        case let .extendedAudio(a):
            let layout = try #require(g.layout)
            #expect(a.payloadOffset == layout["payload_offset"] as? Int, "\(label)")
            #expect(a.payload.count == layout["payload_length"] as? Int, "\(label)")
            #expect(a.lengthBytes == layout["length_bytes"] as? Int, "\(label)")
            #expect(SHA256.hex(a.payload) == layout["payload_sha256"] as? String, "\(label)")
            #expect(a.container.rawValue == layout["format"] as? String, "\(label)")
            if a.container == .wav {
                // WAV payloads are decoded fully by our own RIFF decoder.
                let wave = try KaldiWaveDecoder.decode(a.payload, path: arkName, key: g.key)
                #expect(nativeSha256(.wave(wave)) == g.int16Sha256, "\(label)")
                #expect(wave.sampleRate == layout["samplerate"] as? Int)
                #expect((wave.channels == 1 ? [wave.frames] : [wave.frames, wave.channels]) == g.shape, "\(label)")
                let s = try KaldiInspect.summarize(key: g.key, object: object, path: arkName)
                #expect(s.sha256 == g.sha256AsFloat32, "\(label)")
                #expect(abs(s.sum - g.sum) <= 1e-9 * max(1, abs(g.sum)), "\(label)")
            }
            return
        default:
            break
        }
        #expect(object.shape == g.shape, "\(label)")
        #expect(nativeSha256(object) == g.sha256, "\(label)")
        if let f32 = g.sha256AsFloat32 {
            #expect(try KaldiInspect.summarize(key: g.key, object: object, path: arkName).sha256 == f32, "\(label)")
        }
        let m = try #require(object.featureMatrix)
        if case .doubleMatrix = object {} else if case .doubleVector = object {} else if case .wave = object {} else {
            var sum = 0.0
            for v in m.values { sum += Double(v) }
            // numpy sums pairwise, we left to right: equal to ~1e-12 relative.
            #expect(abs(sum - g.sum) <= 1e-9 * max(1, abs(g.sum)), "\(label): sum \(sum) vs \(g.sum)")
            if let lo = g.min, let hi = g.max {
                // Foundation's JSON number parsing on Linux is not always correctly rounded in the last
                // double bit, so compare at the stored (float32) precision.
                #expect(m.values.min()! == Float(lo) && m.values.max()! == Float(hi), "\(label)")
            }
        }
    }

    @Test(arguments: arkNames)
    func scpMatchesIndexAndRandomAccess(name: String) throws {
        let ark = try #require(KaldiGoldenIndex.shared.arks[name])
        let scp = try KaldiScp.read(path: KaldiTestFiles.path(ark.scp))
        #expect(scp.map(\.key) == ark.entries.map(\.key))
        #expect(scp.map(\.offset) == ark.entries.map { $0.scpOffset })
        #expect(scp.allSatisfy { $0.path == ark.ark })
        #expect(KaldiScp.format(scp) == String(decoding: try KaldiTestFiles.bytes(ark.scp), as: UTF8.self))
        let reader = try KaldiScpReader(entries: scp, baseDirectory: KaldiTestFiles.dir)
        let sequential = try KaldiArkReader.readAll(path: KaldiTestFiles.path(ark.ark))
        // Random access in reverse order gives the same objects as the sequential read.
        for (e, s) in zip(scp, sequential).reversed() {
            #expect(try reader.read(key: e.key) == s.object)
        }
    }

    @Test func waveArkEqualsInputsAndEspnetArks() throws {
        let kaldi = try KaldiArkReader.readAll(path: KaldiTestFiles.path("wav_kaldi.ark"))
        let espnet = try KaldiArkReader.readAll(path: KaldiTestFiles.path("wav_espnet.ark"))
        for (k, e) in zip(kaldi, espnet) {
            guard case let .wave(w) = k.object, case let .extendedAudio(a) = e.object else {
                Issue.record("unexpected objects \(k.object.typeToken) \(e.object.typeToken)"); continue
            }
            let (_, raw) = try KaldiTestFiles.inputRaw("audio", "\(k.key).int16")
            #expect(w.samples.withUnsafeBytes { Array($0) } == raw)
            let decoded = try a.decode(name: "wav_espnet.ark", key: e.key, using: nil)
            #expect(decoded.samples == w.floatSamples && decoded.channels == w.channels && decoded.sampleRate == 16000)
        }
    }

    @Test func flacEntriesNeedADecoder() throws {
        let entries = try KaldiArkReader.readAll(path: KaldiTestFiles.path("flac_espnet.ark"))
        let first = try #require(entries.first)
        #expect(throws: FeatureStoreError.audioDecoderUnavailable(path: "flac_espnet.ark", key: "es03", container: "FLAC")) {
            try KaldiInspect.summarize(key: first.key, object: first.object, path: "flac_espnet.ark")
        }
        // With a decoder supplied by the caller (here a stand-in that returns the known samples).
        let expected = try KaldiTestFiles.input("audio", "es03.int16").values.map { $0 / 32768 }
        let s = try KaldiInspect.summarize(key: first.key, object: first.object, path: "flac_espnet.ark",
                                           decodeAudio: { bytes, _ in
                                               #expect(bytes.starts(with: Array("fLaC".utf8)))
                                               return KaldiDecodedAudio(samples: expected, sampleRate: 16000, channels: 1)
                                           })
        #expect(s.sha256 == KaldiGoldenIndex.shared.arks["flac_espnet"]!.entries[0].sha256AsFloat32)
    }

    @Test func inspectScpResolvesRelativeArks() throws {
        let (format, entries) = try KaldiInspect.inspect(path: KaldiTestFiles.path("feats_f32.scp"), baseDirectory: KaldiTestFiles.dir)
        #expect(format == "scp")
        let golden = KaldiGoldenIndex.shared.arks["feats_f32"]!.entries
        #expect(entries.map(\.id) == golden.map(\.key))
        #expect(entries.map(\.sha256) == golden.map(\.sha256))
        #expect(entries.map { [$0.rows, $0.cols] } == golden.map(\.shape))
        let ark = try KaldiInspect.inspect(path: KaldiTestFiles.path("feats_f32.ark"))
        #expect(ark.format == "ark" && ark.entries == entries)
    }
}
