import Foundation
import TensorCore

/// The efficiency report of a decode (issue 7; what the paper measured, spec §4.6): inference time,
/// real-time factor for speech, throughput, process and engine memory (average and peak of 100 ms
/// samples), KV-cache bytes (analytic per token and measured average and peak), per-stage times.
public struct EfficiencyReport: Encodable, Sendable, Equatable {
    public var attention: String
    public var sentences: Int
    public var generatedTokens: Int
    public var inferenceSeconds: Double
    public var encoderSeconds: Double, decoderSeconds: Double, searchSeconds: Double
    /// Seconds of input audio (speech), for the real-time factor.
    public var audioSeconds: Double?
    public var averageRSSBytes: Double, peakRSSBytes: Int
    public var averageTensorBytes: Double, peakTensorBytes: Int
    public var kvCacheFloatsPerTokenPerRow: Double
    public var averageKVCacheBytes: Double, peakKVCacheBytes: Int
    /// Requests for tensor buffers of `BufferCache.minimumBytes` or more during the decode: reused from the context's
    /// buffer cache (the workspace of the previous steps) or freshly allocated; nil when not measured.
    public var workspace: BufferCache.Statistics?

    enum CodingKeys: String, CodingKey {
        case attention, sentences, generatedTokens = "generated_tokens", inferenceSeconds = "inference_seconds"
        case encoderSeconds = "encoder_seconds", decoderSeconds = "decoder_seconds", searchSeconds = "search_seconds"
        case audioSeconds = "audio_seconds", averageRSSBytes = "average_rss_bytes", peakRSSBytes = "peak_rss_bytes"
        case averageTensorBytes = "average_tensor_bytes", peakTensorBytes = "peak_tensor_bytes"
        case kvCacheFloatsPerTokenPerRow = "kv_cache_floats_per_token_per_row"
        case averageKVCacheBytes = "average_kv_cache_bytes", peakKVCacheBytes = "peak_kv_cache_bytes"
        case realTimeFactor = "real_time_factor", sentencesPerSecond = "sentences_per_second", tokensPerSecond = "tokens_per_second"
        case largeBuffersFresh = "large_buffers_fresh", largeBuffersReused = "large_buffers_reused"
    }

    public init(attention: String, meter: GenerationMeter, memory: (averageRSS: Double, peakRSS: Int, averageTensor: Double, peakTensor: Int),
                audioSeconds: Double?) {
        self.attention = attention
        sentences = meter.sentences
        generatedTokens = meter.generatedTokens
        inferenceSeconds = meter.totalSeconds
        (encoderSeconds, decoderSeconds, searchSeconds) = (meter.encoderSeconds, meter.decoderSeconds, meter.searchSeconds)
        self.audioSeconds = audioSeconds
        (averageRSSBytes, peakRSSBytes, averageTensorBytes, peakTensorBytes) = memory
        kvCacheFloatsPerTokenPerRow = meter.analyticFloatsPerToken
        (averageKVCacheBytes, peakKVCacheBytes) = (meter.averageCacheBytes, meter.peakCacheBytes)
    }

    public var realTimeFactor: Double? { audioSeconds.map { $0 > 0 ? inferenceSeconds / $0 : 0 } }
    public var sentencesPerSecond: Double { inferenceSeconds > 0 ? Double(sentences) / inferenceSeconds : 0 }
    public var tokensPerSecond: Double { inferenceSeconds > 0 ? Double(generatedTokens) / inferenceSeconds : 0 }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(attention, forKey: .attention); try c.encode(sentences, forKey: .sentences)
        try c.encode(generatedTokens, forKey: .generatedTokens); try c.encode(inferenceSeconds, forKey: .inferenceSeconds)
        try c.encode(encoderSeconds, forKey: .encoderSeconds); try c.encode(decoderSeconds, forKey: .decoderSeconds)
        try c.encode(searchSeconds, forKey: .searchSeconds); try c.encodeIfPresent(audioSeconds, forKey: .audioSeconds)
        try c.encode(averageRSSBytes, forKey: .averageRSSBytes); try c.encode(peakRSSBytes, forKey: .peakRSSBytes)
        try c.encode(averageTensorBytes, forKey: .averageTensorBytes); try c.encode(peakTensorBytes, forKey: .peakTensorBytes)
        try c.encode(kvCacheFloatsPerTokenPerRow, forKey: .kvCacheFloatsPerTokenPerRow)
        try c.encode(averageKVCacheBytes, forKey: .averageKVCacheBytes); try c.encode(peakKVCacheBytes, forKey: .peakKVCacheBytes)
        try c.encodeIfPresent(realTimeFactor, forKey: .realTimeFactor)
        try c.encode(sentencesPerSecond, forKey: .sentencesPerSecond); try c.encode(tokensPerSecond, forKey: .tokensPerSecond)
        try c.encodeIfPresent(workspace?.fresh, forKey: .largeBuffersFresh)
        try c.encodeIfPresent(workspace?.reused, forKey: .largeBuffersReused)
    }

    /// A readable table of the report.
    public var table: String {
        func mib(_ b: Double) -> String { String(format: "%.1f MiB", b / 1_048_576) }
        var rows: [(String, String)] = [
            ("attention", attention), ("sentences", "\(sentences)"), ("generated tokens", "\(generatedTokens)"),
            ("inference time", String(format: "%.3f s (encoder %.3f, decoder steps %.3f, search %.3f)", inferenceSeconds,
                                      encoderSeconds, decoderSeconds, searchSeconds)),
            ("throughput", String(format: "%.2f sentences/s, %.1f tokens/s", sentencesPerSecond, tokensPerSecond)),
        ]
        if let rtf = realTimeFactor { rows.append(("real-time factor", String(format: "%.4f (%.1f s of audio)", rtf, audioSeconds ?? 0))) }
        rows += [
            ("process memory (RSS)", "average \(mib(averageRSSBytes)), peak \(mib(Double(peakRSSBytes)))"),
            ("tensor memory", "average \(mib(averageTensorBytes)), peak \(mib(Double(peakTensorBytes)))"),
            ("KV cache", String(format: "%.1f floats/token/row (all layers); measured average %@, peak %@",
                                kvCacheFloatsPerTokenPerRow, mib(averageKVCacheBytes), mib(Double(peakKVCacheBytes)))),
        ]
        if let w = workspace {
            rows.append(("buffers ≥ \(BufferCache.minimumBytes >> 10) KiB", "\(w.reused) reused from the workspace, \(w.fresh) freshly allocated"))
        }
        let w = rows.map(\.0.count).max()!
        return rows.map { $0.0.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n") + "\n"
    }
}
