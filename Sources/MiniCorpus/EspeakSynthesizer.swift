import AudioIO
import Foundation

public enum MiniCorpusError: Error, CustomStringConvertible, Equatable {
    case espeakMissing(searched: String)
    case espeakFailed(voice: String, text: String, status: Int32, message: String)
    case badSynthesizerOutput(reason: String)
    case outputExists(path: String)
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .espeakMissing(searched):
            "espeak-ng was not found (searched \(searched)); install the Debian package espeak-ng (apt-get install espeak-ng, or run Tools/install-deps)"
        case let .espeakFailed(voice, text, status, message):
            "espeak-ng -v \(voice) exited with status \(status) for \"\(text)\": \(message.trimmingCharacters(in: .whitespacesAndNewlines))"
        case let .badSynthesizerOutput(reason): "espeak-ng output is not a 16-bit mono WAV: \(reason)"
        case let .outputExists(path): "\(path) exists; pass --overwrite to replace it"
        case let .io(path, reason): "\(path): \(reason)"
        }
    }
}

/// Runs espeak-ng as a subprocess (`espeak-ng -v VOICE -s RATE -p PITCH --stdout TEXT`) and returns the
/// speech resampled to 16 kHz (soxr), trimmed of leading and trailing silence, scaled by the speaker's gain.
public struct EspeakSynthesizer: Sendable {
    public let executable: String
    public static let sampleRate = 16000

    /// Finds espeak-ng: `executable` if given, else on PATH.
    /// - Throws: `MiniCorpusError.espeakMissing` naming the Debian package.
    public init(executable: String? = nil) throws {
        if let executable {
            guard FileManager.default.isExecutableFile(atPath: executable) else {
                throw MiniCorpusError.espeakMissing(searched: executable)
            }
            self.executable = executable
            return
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/espeak-ng"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                self.executable = candidate
                return
            }
        }
        throw MiniCorpusError.espeakMissing(searched: "PATH=\(path)")
    }

    /// The raw espeak-ng output (22050 Hz, 16-bit mono WAV bytes).
    public func rawWAV(_ text: String, speaker: Speaker) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-v", speaker.espeakVoice, "-s", String(speaker.rate), "-p", String(speaker.pitch), "--stdout", text]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw MiniCorpusError.espeakMissing(searched: "\(executable) (\(error))")
        }
        // Read stderr concurrently so that neither pipe can fill up and block espeak-ng.
        let errorBox = DataBox()
        let errHandle = err.fileHandleForReading
        let reader = Thread { errorBox.data = errHandle.readDataToEndOfFile() }
        reader.start()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorBox.done { usleep(1000) }
        if process.terminationStatus != 0 || data.isEmpty {
            throw MiniCorpusError.espeakFailed(voice: speaker.espeakVoice, text: text, status: process.terminationStatus,
                                               message: String(decoding: errorBox.data, as: UTF8.self))
        }
        return data
    }

    /// Speech for `text` at 16 kHz, trimmed, with the speaker's gain.
    public func synthesize(_ text: String, speaker: Speaker) throws -> [Float] {
        let (samples, rate) = try Self.decodePCM16(rawWAV(text, speaker: speaker))
        var audio = try Resampler.resample(samples, from: rate, to: Self.sampleRate)
        audio = Self.trimmed(audio, sampleRate: Self.sampleRate)
        let peak = audio.reduce(Float(0)) { max($0, abs($1)) }
        let scale = peak > 0 ? speaker.gain / peak : 0
        return audio.map { $0 * scale }
    }

    /// Decodes a 16-bit mono PCM WAV; the data chunk may announce a wrong size (espeak-ng writing to a
    /// pipe), so everything after its header is taken.
    public static func decodePCM16(_ data: Data) throws -> ([Float], Int) {
        let b = [UInt8](data)
        func u32(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 | Int(b[i + 3]) << 24 }
        func u16(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
        guard b.count >= 12, b[0..<4].elementsEqual("RIFF".utf8), b[8..<12].elementsEqual("WAVE".utf8) else {
            throw MiniCorpusError.badSynthesizerOutput(reason: "no RIFF/WAVE header")
        }
        var i = 12
        var rate = 0, channels = 0, bits = 0
        while i + 8 <= b.count {
            let id = String(decoding: b[i..<i + 4], as: UTF8.self)
            let size = u32(i + 4)
            if id == "fmt " {
                guard i + 24 <= b.count else { break }
                channels = u16(i + 10); rate = u32(i + 12); bits = u16(i + 22)
            } else if id == "data" {
                guard channels == 1, bits == 16, rate > 0 else {
                    throw MiniCorpusError.badSynthesizerOutput(reason: "\(channels) channels, \(bits) bits, \(rate) Hz")
                }
                let start = i + 8
                let n = min(size, b.count - start)
                let end = start + n - (n & 1)
                var samples = [Float]()
                samples.reserveCapacity((end - start) / 2)
                var j = start
                while j + 1 < end {
                    samples.append(Float(Int16(bitPattern: UInt16(b[j]) | UInt16(b[j + 1]) << 8)) / 32768)
                    j += 2
                }
                return (samples, rate)
            }
            i += 8 + size + (size & 1)
        }
        throw MiniCorpusError.badSynthesizerOutput(reason: "no data chunk")
    }

    /// Drops leading and trailing silence (below 1% of the peak), keeping 30 ms on each side.
    public static func trimmed(_ x: [Float], sampleRate: Int) -> [Float] {
        let peak = x.reduce(Float(0)) { max($0, abs($1)) }
        guard peak > 0 else { return x }
        let threshold = peak * 0.01
        guard let first = x.firstIndex(where: { abs($0) > threshold }),
              let last = x.lastIndex(where: { abs($0) > threshold }) else { return x }
        let margin = sampleRate * 3 / 100
        return Array(x[max(0, first - margin)...min(x.count - 1, last + margin)])
    }
}

final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var _data = Data()
    private var _done = false
    var data: Data {
        get { lock.lock(); defer { lock.unlock() }; return _data }
        set { lock.lock(); _data = newValue; _done = true; lock.unlock() }
    }
    var done: Bool { lock.lock(); defer { lock.unlock() }; return _done }
}
