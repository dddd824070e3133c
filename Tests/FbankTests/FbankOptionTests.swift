import Testing
import Foundation
import AudioIO
import Fbank
import SeededRandom
import _TestSupport

@Suite struct FbankOptionTests {
    /// 0.3 s of es02 (4,800 samples at 16 kHz): long enough for 28 frames, short enough for a naive DFT.
    static let clip: [Float] = {
        let f = try! AudioFile(path: TestData.reference("fbank/audio/es02.wav").path)
        return Array(try! f.load(AudioRequest()).samples[8000..<12800])
    }()

    static let variants: [(String, @Sendable (inout FbankOptions) -> Void)] = [
        ("defaults", { _ in }),
        ("no snip edges", { $0.snipEdges = false }),
        ("hanning, no power-of-two", { $0.windowType = .hanning; $0.roundToPowerOfTwo = false }),
        ("rectangular, magnitude", { $0.windowType = .rectangular; $0.usePower = false }),
        ("blackman, 40 bins, 100-7000 Hz", { $0.windowType = .blackman; $0.numMelBins = 40; $0.lowFreq = 100; $0.highFreq = 7000 }),
        ("energy first, floor", { $0.useEnergy = true; $0.energyFloor = 1.0 }),
        ("energy last (htk), not raw", { $0.useEnergy = true; $0.htkCompat = true; $0.rawEnergy = false }),
        ("linear fbank, negative high-freq", { $0.useLogFbank = false; $0.highFreq = -400 }),
        ("no dc removal, no preemphasis", { $0.removeDcOffset = false; $0.preemphasisCoefficient = 0 }),
        ("unscaled, 30/15 ms", { $0.scaleToInt16 = false; $0.frameLength = 30; $0.frameShift = 15 }),
    ]

    /// Against the float64 naive reference. Tolerances: log outputs within 0.01 max / 2e-5 mean
    /// (README §1 float32 bound); linear outputs relative 1e-4 (float32 FFT rounding).
    @Test(arguments: 0..<Self.variants.count)
    func matchesNaiveReference(_ i: Int) throws {
        var o = FbankOptions()
        Self.variants[i].1(&o)
        let c = try FbankComputer(options: o, sampleRate: 16000)
        var rng = Xoshiro256(seed: 1)
        let fast = c.compute(Self.clip, using: &rng)
        let naive = NaiveFbank.compute(Self.clip, rate: 16000, o: o)
        #expect(fast.rows == naive.count, "\(Self.variants[i].0)")
        #expect(fast.cols == o.featureDimension)
        let flat = naive.flatMap { $0 }
        if o.useLogFbank {
            let s = DifferenceStats(fast.values, flat)
            #expect(s.maxAbs <= 0.01 && s.meanAbs <= 2e-5, "\(Self.variants[i].0): \(s)")
        } else {
            let scale = flat.map(abs).max() ?? 1
            let s = DifferenceStats(fast.values.map { Double($0) / scale }, flat.map { $0 / scale })
            #expect(s.maxAbs <= 1e-4, "\(Self.variants[i].0): \(s)")
        }
    }

    @Test func frameCountsFollowKaldi() {
        var o = FbankOptions()
        let g = FrameGeometry(options: o, sampleRate: 16000)
        #expect(g.frameCount(samples: 399) == 0)
        #expect(g.frameCount(samples: 400) == 1)
        #expect(g.frameCount(samples: 22848) == 1 + (22848 - 400) / 160)
        o.snipEdges = false
        let g2 = FrameGeometry(options: o, sampleRate: 16000)
        #expect(g2.frameCount(samples: 399) == 2)
        #expect(g2.frameCount(samples: 22848) == (22848 + 80) / 160)
    }

    @Test(arguments: [1, 159, 160, 1000, 4799])
    func streamingEqualsWholeSignal(_ block: Int) throws {
        for snip in [true, false] {
            var o = FbankOptions()
            o.snipEdges = snip
            o.dither = 1
            let c = try FbankComputer(options: o, sampleRate: 16000)
            var r1 = Xoshiro256(seed: 7), r2 = Xoshiro256(seed: 7)
            let whole = c.compute(Self.clip, using: &r1)
            var s = StreamingFbank(computer: c)
            for start in stride(from: 0, to: Self.clip.count, by: block) {
                s.accept(Array(Self.clip[start..<min(start + block, Self.clip.count)]), using: &r2)
            }
            #expect(s.finish(using: &r2) == whole)
        }
    }

    @Test func ditherIsSeededAndSmall() throws {
        var o = FbankOptions()
        o.dither = 1
        let c = try FbankComputer(options: o, sampleRate: 16000)
        var a = Xoshiro256(seed: 3), b = Xoshiro256(seed: 3), d = Xoshiro256(seed: 4)
        let x = c.compute(Self.clip, using: &a), y = c.compute(Self.clip, using: &b), z = c.compute(Self.clip, using: &d)
        #expect(x == y)
        #expect(x != z)
        var plain = FbankOptions(); plain.dither = 0
        var r = Xoshiro256(seed: 0)
        let clean = try FbankComputer(options: plain, sampleRate: 16000).compute(Self.clip, using: &r)
        // Dither of one int16 step barely moves loud bins (log energy > 10); it lifts the
        // near-silent ones off the epsilon floor, which is its purpose.
        let loud = clean.values.indices.filter { clean.values[$0] > 10 }
        #expect(loud.count > 100)
        #expect(DifferenceStats(loud.map { x.values[$0] }, loud.map { clean.values[$0] }).meanAbs < 0.05)
    }

    @Test func shortAudioGivesEmptyOrStrictError() throws {
        let ext = FbankExtractor(options: FbankOptions())
        let strict = FbankExtractor(options: FbankOptions(), strict: true)
        let path = TestData.reference("fbank/audio/es01.wav").path
        let file = try AudioFile(path: path)
        let seg = AudioRequest(segment: TimeSegment(start: 0, end: 0.02))
        let r = try ext.extract(file: file, request: seg, key: "u1")
        #expect(r.features.rows == 0 && r.features.cols == 80 && r.samples == 320)
        #expect(throws: FbankError.tooShort(name: "u1", samples: 320, frameLength: 400)) {
            try strict.extract(file: file, request: seg, key: "u1")
        }
    }

    @Test func invalidOptionsAreRefused() {
        var o = FbankOptions()
        o.highFreq = 9000
        #expect(throws: FbankError.self) { try FbankComputer(options: o, sampleRate: 16000) }
        o = FbankOptions(); o.numMelBins = 2
        #expect(throws: FbankError.self) { try FbankComputer(options: o, sampleRate: 16000) }
        o = FbankOptions(); o.lowFreq = 20
        #expect(throws: FbankError.self) { try FbankComputer(options: o, sampleRate: 30) }
    }
}
