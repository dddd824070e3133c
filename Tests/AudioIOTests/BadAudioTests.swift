import Testing
import Foundation
import AudioIO
import _TestSupport

@Suite struct BadAudioTests {
    let dir: URL
    init() throws { dir = try TestData.temporaryDirectory("audio-bad") }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func golden(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: TestData.reference("fbank/audio/" + name)))
    }

    @Test func missingFile() {
        #expect(throws: AudioError.cannotOpen(path: "/nonexistent/a.wav", reason: "no such file")) {
            try AudioFile(path: "/nonexistent/a.wav")
        }
    }

    @Test func emptyAndTextFilesAreNotAudio() throws {
        for (name, bytes) in [("empty.wav", [UInt8]()), ("text.wav", Array("hello, I am not audio\n".utf8))] {
            let path = try write(name, bytes)
            let error = #expect(throws: AudioError.self) { try AudioFile(path: path) }
            guard case .cannotOpen(let p, _)? = error else { Issue.record("wrong error \(String(describing: error))"); continue }
            #expect(p == path)
        }
    }

    @Test func truncatedWavIsAnError() throws {
        let bytes = try golden("es01.wav")
        let path = try write("cut.wav", Array(bytes[0..<bytes.count / 2]))
        let announced = bytes.count - 44
        #expect(throws: AudioError.truncatedData(path: path, headerBytes: announced, presentBytes: bytes.count / 2 - 44)) {
            try AudioFile(path: path)
        }
    }

    @Test func corruptFlacIsAnError() throws {
        var bytes = try golden("alsa_Front_Left_flac.flac")
        for i in stride(from: bytes.count / 2, to: bytes.count / 2 + 4000, by: 1) { bytes[i] = UInt8(truncatingIfNeeded: i &* 31) }
        let path = try write("corrupt.flac", bytes)
        let error = #expect(throws: AudioError.self) {
            let f = try AudioFile(path: path)
            _ = try f.readAll()
        }
        guard case .truncated(let p, let expected, let got, _)? = error else {
            Issue.record("expected .truncated, got \(String(describing: error))"); return
        }
        #expect(p == path && got < expected)
    }

    @Test func truncatedFlacIsAnError() throws {
        let bytes = try golden("alsa_Front_Left_flac.flac")
        let path = try write("short.flac", Array(bytes[0..<bytes.count * 2 / 3]))
        let error = #expect(throws: AudioError.self) { _ = try AudioFile(path: path).readAll() }
        guard case .truncated? = error else { Issue.record("expected .truncated, got \(String(describing: error))"); return }
    }

    @Test func unsupportedEncoding() throws {
        var bytes = try golden("es02.wav")
        bytes[20] = 0x99; bytes[21] = 0x00  // WAVE format tag 0x0099: no codec for it
        let path = try write("codec.wav", bytes)
        let error = #expect(throws: AudioError.self) { try AudioFile(path: path) }
        guard case .cannotOpen(let p, let reason)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(p == path && !reason.isEmpty)
    }

    @Test func rateMismatchWithoutAndWithResampling() throws {
        let path = TestData.reference("fbank/audio/sr8k.wav").path
        let file = try AudioFile(path: path)
        #expect(throws: AudioError.sampleRateMismatch(path: path, found: 8000, expected: 16000)) {
            try file.load(AudioRequest(requiredRate: 16000))
        }
        let w = try file.load(AudioRequest(resampleTo: 16000, requiredRate: 16000))
        #expect(w.sampleRate == 16000)
    }

    @Test func segmentOutsideTheFile() throws {
        let path = TestData.reference("fbank/audio/es01.wav").path
        let file = try AudioFile(path: path)
        #expect(throws: AudioError.self) { try file.load(AudioRequest(segment: TimeSegment(start: 5, end: 9))) }
        #expect(throws: AudioError.self) { try file.load(AudioRequest(segment: TimeSegment(start: 1, end: 0.5))) }
    }

    /// A valid header with no samples: zero frames, not an error for AudioIO (the filterbank then
    /// warns or, with --strict, refuses).
    @Test func zeroLengthWavHasNoFrames() throws {
        let header = try golden("es02.wav").prefix(44)
        var bytes = Array(header)
        bytes[4..<8] = [36, 0, 0, 0]     // RIFF size: header only
        bytes[40..<44] = [0, 0, 0, 0]    // data chunk of 0 bytes
        let path = try write("empty-data.wav", bytes)
        let file = try AudioFile(path: path)
        #expect(file.info.frames == 0)
        #expect(try file.load(AudioRequest()).samples.isEmpty)
    }
}
