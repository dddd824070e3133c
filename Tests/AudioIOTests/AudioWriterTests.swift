import AudioIO
import Foundation
import Testing

/// `AudioWriter`: 16-bit WAV and FLAC that read back within one quantisation step, clipped, byte-stable.
@Suite struct AudioWriterTests {
    static func tone(_ n: Int) -> [Float] { (0..<n).map { 0.6 * sin(Float($0) * 0.05) } + [1.7, -1.9] }

    @Test(arguments: AudioFileFormat.allCases) func roundTrip(format: AudioFileFormat) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("audiowriter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let x = Self.tone(4000)
        let path = dir.appendingPathComponent("a.\(format.fileExtension)").path
        try AudioWriter.write(x, sampleRate: 16000, format: format, to: path)
        let file = try AudioFile(path: path)
        #expect(file.info.sampleRate == 16000 && file.info.channels == 1 && file.info.subtype == "PCM_16")
        #expect(file.info.container == (format == .flac16 ? "FLAC" : "WAV"))
        let y = try file.readAll()
        #expect(y.count == x.count)
        let worst = zip(x.dropLast(2), y).map { abs($0 - $1) }.max() ?? 1
        #expect(worst <= 1.0 / 32767, "largest error \(worst)")
        // Beyond full scale is clipped, not wrapped around.
        #expect(y[y.count - 2] > 0.99 && y[y.count - 1] < -0.99)
        let again = dir.appendingPathComponent("b.\(format.fileExtension)").path
        try AudioWriter.write(x, sampleRate: 16000, format: format, to: again)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(contentsOf: URL(fileURLWithPath: again)))
    }

    @Test func anUnwritablePathIsAnError() {
        #expect(throws: AudioError.self) {
            try AudioWriter.write([0, 0.1], sampleRate: 16000, format: .flac16, to: "/nonexistent-dir/x.flac")
        }
    }
}
