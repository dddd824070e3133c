import Testing
import Foundation
import AudioIO
import _TestSupport

/// Golden waveform facts from Data/reference/fbank/index.json.
struct AudioGolden: Sendable, CustomStringConvertible {
    let id: String, audio: String, rate: Int, channels: Int, frames: Int, subtype: String, sum: Double
    var description: String { id }
    static let all: [AudioGolden] = {
        guard let data = try? Data(contentsOf: TestData.reference("fbank/index.json")),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let files = json["files"] as? [String: [String: Any]] else { return [] }
        return files.sorted { $0.key < $1.key }.map { id, f in
            AudioGolden(id: id, audio: f["audio"] as! String, rate: f["sample_rate"] as! Int,
                        channels: f["channels"] as! Int, frames: f["frames"] as! Int,
                        subtype: f["subtype"] as! String, sum: (f["waveform_sum"] as! NSNumber).doubleValue)
        }
    }()
}

@Suite struct AudioReadTests {
    @Test(arguments: AudioGolden.all)
    func headerAndSamplesMatchSoundfile(_ g: AudioGolden) throws {
        let file = try AudioFile(path: TestData.reference("fbank/" + g.audio).path)
        #expect(file.info.sampleRate == g.rate)
        #expect(file.info.channels == g.channels)
        #expect(file.info.frames == g.frames)
        #expect(file.info.subtype == g.subtype)
        let wave = try file.load(AudioRequest())
        #expect(wave.samples.count == g.frames)
        // The golden sum is over the mono float32 waveform times 2^15 (exact for 16-bit input,
        // summed in float64 by numpy's pairwise sum; 1e-6 relative covers summation order).
        let sum = wave.samples.reduce(0.0) { $0 + Double($1) * 32768 }
        #expect(abs(sum - g.sum) <= 1e-6 * max(1, abs(g.sum)), "\(g.id): \(sum) vs \(g.sum)")
    }

    @Test func segmentReadsOnlyThatPart() throws {
        let path = TestData.reference("fbank/audio/es01.wav").path
        let file = try AudioFile(path: path)
        let all = try file.load(AudioRequest()).samples
        let part = try file.load(AudioRequest(segment: TimeSegment(start: 0.5, end: 1.25))).samples
        #expect(part == Array(all[8000..<20000]))
    }

    @Test func channelSelectionAndAverage() throws {
        let file = try AudioFile(path: TestData.reference("fbank/audio/stereo_16k.wav").path)
        let raw = try file.readAll()
        let left = try file.load(AudioRequest(channel: .index(0))).samples
        let right = try file.load(AudioRequest(channel: .index(1))).samples
        let mean = try file.load(AudioRequest(channel: .average)).samples
        #expect(left.count == raw.count / 2)
        for t in stride(from: 0, to: left.count, by: 997) {
            #expect(left[t] == raw[2 * t] && right[t] == raw[2 * t + 1])
            #expect(mean[t] == (left[t] + right[t]) / 2)
        }
        #expect(throws: AudioError.noSuchChannel(path: file.name, channel: 2, channels: 2)) {
            try file.load(AudioRequest(channel: .index(2)))
        }
    }

    @Test func streamingEqualsWholeRead() throws {
        let file = try AudioFile(path: TestData.reference("fbank/audio/stereo_16k.wav").path)
        let whole = try file.load(AudioRequest()).samples
        var blocks: [Float] = []
        try file.stream(AudioRequest(), blockFrames: 1000) { blocks += $0 }
        #expect(blocks == whole)
    }

    @Test func resamplingChangesRateAndLength() throws {
        let file = try AudioFile(path: TestData.reference("fbank/audio/sr8k.wav").path)
        let up = try file.load(AudioRequest(resampleTo: 16000))
        #expect(up.sampleRate == 16000)
        #expect(abs(up.samples.count - 2 * file.info.frames) <= 2)
        // Streaming through soxr in blocks equals one shot.
        var streamed: [Float] = []
        try file.stream(AudioRequest(resampleTo: 16000), blockFrames: 777) { streamed += $0 }
        #expect(streamed.count == up.samples.count)
        #expect(DifferenceStats(streamed, up.samples).maxAbs == 0)
        // A 1 kHz tone survives 8k -> 16k -> 8k with small error (VHQ passband).
        let tone = (0..<8000).map { Float(sin(2 * Double.pi * 1000 * Double($0) / 8000) * 0.5) }
        let back = try Resampler.resample(try Resampler.resample(tone, from: 8000, to: 16000), from: 16000, to: 8000)
        #expect(back.count == tone.count)
        #expect(DifferenceStats(back[200..<7800], tone[200..<7800]).maxAbs < 1e-3)
    }

    @Test func readsFromMemory() throws {
        let url = TestData.reference("fbank/audio/alsa_Front_Left_flac.flac")
        let bytes = [UInt8](try Data(contentsOf: url))
        let mem = try AudioFile(bytes: bytes, name: "mem.flac")
        let disk = try AudioFile(path: url.path)
        #expect(mem.info == disk.info)
        #expect(try mem.readAll() == disk.readAll())
    }
}
