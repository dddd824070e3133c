import Testing
import Foundation
import AudioIO
import _TestSupport

/// Fixtures in Data/fixtures/audio were made with SoX 14.4.2 from the first 0.5 s of es03.wav
/// (see Data/README.md): the same signal in other encodings, containers and rates.
@Suite struct EncodingTests {
    func load(_ name: String, resampleTo: Int? = nil) throws -> Waveform {
        try AudioFile(path: TestData.url("fixtures/audio/" + name).path).load(AudioRequest(resampleTo: resampleTo))
    }

    /// Signal-to-noise ratio of `b` against the reference `a`, in dB.
    func snr(_ a: [Float], _ b: [Float]) -> Double {
        var s = 0.0, n = 0.0
        for (x, y) in zip(a, b) { s += Double(x) * Double(x); n += Double(x - y) * Double(x - y) }
        return 10 * log10(s / max(n, 1e-30))
    }

    @Test func lossless32BitAndFloatAreExact() throws {
        let ref = try load("es03_16.wav").samples
        #expect(ref.count == 8000)
        #expect(try load("es03_s32.wav").samples == ref)
        #expect(try load("es03_f32.wav").samples == ref)
    }

    @Test func eightBitIsWithinItsQuantisation() throws {
        let ref = try load("es03_16.wav").samples
        let u8 = try load("es03_u8.wav").samples
        #expect(u8.count == ref.count)
        // 8-bit steps are 1/128 of full scale; SoX adds TPDF dither of up to one step more.
        #expect(DifferenceStats(u8, ref).maxAbs <= 2.5 / 128)
    }

    @Test func oggVorbisDecodes() throws {
        let ref = try load("es03_16.wav").samples
        let ogg = try load("es03.ogg")
        #expect(ogg.sampleRate == 16000 && ogg.samples.count == ref.count)
        // Lossy codec: a clear but not exact match.
        #expect(snr(ref, ogg.samples) > 10)
    }

    @Test(arguments: ["es03_44k.wav", "es03_48k.flac"])
    func resampledTo16kMatchesOriginal(_ name: String) throws {
        let ref = try load("es03_16.wav").samples
        let w = try load(name, resampleTo: 16000)
        #expect(w.sampleRate == 16000)
        #expect(abs(w.samples.count - ref.count) <= 1)
        // Up- then down-sampling by two high-quality resamplers: differences only near Nyquist.
        #expect(snr(ref, Array(w.samples.prefix(ref.count))) > 25)
    }
}
