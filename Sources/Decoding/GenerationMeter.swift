import Foundation
import TensorCore

/// Time and cache accounting of a decode, filled by `BeamSearch.generate` (fairseq measures the summed
/// `inference_step` time: encoder and search, without data loading or scoring; spec §4.6).
public final class GenerationMeter {
    /// Seconds in the encoder (and projector), in the decoder's steps, and in the search's own
    /// bookkeeping (scores, top-k, finalisation, reordering decisions).
    public internal(set) var encoderSeconds = 0.0, decoderSeconds = 0.0, searchSeconds = 0.0
    /// The part of `decoderSeconds` inside the layers' self-attention.
    public internal(set) var attentionSeconds = 0.0
    /// Per decoder step: tokens held per row (prefix + generated), live cache bytes, and the step's seconds.
    public internal(set) var steps: [(tokens: Int, cacheBytes: Int, seconds: Double)] = []
    /// Whether to keep `steps` (for plots against output length).
    public var recordsSteps = false
    public internal(set) var sentences = 0, generatedTokens = 0, decoderSteps = 0
    /// Σ over decoder steps of the live cache bytes (for the average), and the largest value seen.
    public internal(set) var cacheByteSteps = 0.0, peakCacheBytes = 0
    /// Analytic cache floats per token per row summed over layers (spec §1.6).
    public internal(set) var analyticFloatsPerToken = 0.0

    public init() {}

    public var totalSeconds: Double { encoderSeconds + decoderSeconds + searchSeconds }
    public var averageCacheBytes: Double { decoderSteps > 0 ? cacheByteSteps / Double(decoderSteps) : 0 }

    func recordStep(cacheBytes: Int, tokens: Int, seconds: Double) {
        if recordsSteps { steps.append((tokens, cacheBytes, seconds)) }
        decoderSteps += 1
        cacheByteSteps += Double(cacheBytes)
        peakCacheBytes = max(peakCacheBytes, cacheBytes)
    }

    /// Runs `body`, adding its wall time to `keyPath`.
    func time<T>(_ keyPath: ReferenceWritableKeyPath<GenerationMeter, Double>, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { self[keyPath: keyPath] += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        return try body()
    }
}

/// Samples the process's resident memory (`VmRSS` of /proc/self/status) and the engine's live tensor
/// bytes every `interval` seconds on a background thread, as the paper's memory thread does with
/// `torch.cuda.memory_allocated()` (its "average memory" is the mean of the samples).
public final class MemorySampler: @unchecked Sendable {
    private let interval: Double
    private let lock = NSLock()
    private var rss: [Int] = [], tensors: [Int] = []
    private var running = true
    private var thread: Thread?

    public init(interval: Double = 0.1) {
        self.interval = interval
        sample()
        let t = Thread { [weak self] in
            while let s = self, s.isRunning {
                Thread.sleep(forTimeInterval: s.interval)
                s.sample()
            }
        }
        thread = t
        t.start()
    }

    private var isRunning: Bool { lock.lock(); defer { lock.unlock() }; return running }

    private func sample() {
        let r = Self.residentBytes(), t = TensorMemory.liveBytes
        lock.lock(); rss.append(r); tensors.append(t); lock.unlock()
    }

    /// Stops sampling (after one last sample) and returns (average, peak) of RSS and of tensor bytes.
    public func stop() -> (averageRSS: Double, peakRSS: Int, averageTensor: Double, peakTensor: Int) {
        sample()
        lock.lock(); running = false; let (r, t) = (rss, tensors); lock.unlock()
        func mean(_ a: [Int]) -> Double { a.isEmpty ? 0 : Double(a.reduce(0, +)) / Double(a.count) }
        return (mean(r), max(r.max() ?? 0, Self.peakResidentBytes()), mean(t), max(t.max() ?? 0, TensorMemory.peakBytes))
    }

    /// VmRSS in bytes (0 where /proc is missing).
    public static func residentBytes() -> Int { statusField("VmRSS:") }
    /// VmHWM (the process's peak resident set) in bytes.
    public static func peakResidentBytes() -> Int { statusField("VmHWM:") }

    static func statusField(_ name: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
              let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return 0 }
        return kb * 1024
    }
}
