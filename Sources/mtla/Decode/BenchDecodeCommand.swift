import ArgumentParser
import Decoding
import Corpus
import Foundation
import Scoring
import SeededRandom
import TensorCore
import Training
import Transformer

/// `mtla bench`: measurements users run on their own machine.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure decoding speed and memory across attention variants.",
        subcommands: [BenchDecodeCommand.self])
}

/// `mtla bench decode`: the paper's Table 1 comparison on CPU: models that differ only in the attention
/// variant decode the same inputs with one batch budget and beam; trained checkpoints (`--checkpoint`,
/// with quality against the references) or fresh weights (`--random-init`, speed and memory only).
struct BenchDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Compare decoding time, memory and KV cache across attention variants.",
        discussion: """
            Trained models: --checkpoint NAME=MODEL (repeatable; e.g. MHA=exp/st_mha/average.safetensors
            MTLA2=exp/st_mtla_s2/average.safetensors) decode --manifest with --dict as `mtla decode` does
            (--beam, --batch-frames, --max-len-a/b, --lenpen, --post-process, --cmvn), and the table adds
            the quality (--metric bleu | wer | cer | intent | rouge against the inputs' references or --references FILE) and, against the
            MHA row (else the first), the paired-bootstrap p-value (sacreBLEU's 1000 resamples, seed 12345).
            Each model's hypotheses and efficiency report go to --out-dir/NAME/.

            With --random-init, every variant gets freshly initialised weights (same seed) and decodes
            the same random prefix of --prefix-length positions (standing for the encoder's projected
            output) for --sentences sentences at --beam, with EOS suppressed until --force-length
            tokens (speed and memory only, no quality).

            Both print a markdown table (quality, time, speed-up vs MHA, decoder self-attention time,
            average/peak RSS and tensor memory, KV-cache bytes analytic and measured) and write
            results.json, table.md, kv_cache.svg and step_time.svg to --out-dir.
            """)

    @Option(name: .customLong("checkpoint"), help: "NAME=MODEL: a trained model to compare (repeatable).") var checkpoints: [String] = []
    @Option(help: "Checkpoint mode: the inputs (fairseq TSV, data dir, or text prefix).") var manifest: String?
    @Option(help: "Checkpoint mode: the target dict.txt.") var dict: String?
    @Option(help: "Checkpoint mode: bleu, wer, cer, intent (accuracy of the first word) or rouge (ROUGE-L F1, stemmed) against the references.") var metric = "bleu"
    @Option(help: "Checkpoint mode: references, one line per input in input order (default: the inputs' own).") var references: String?
    @Option(help: "Checkpoint mode: batch budget in source frames.") var batchFrames = 50_000
    @Option(help: "Checkpoint mode: max_len = a·source length + b.") var maxLenA = 0.0
    @Option(help: "Checkpoint mode: max_len = a·source length + b.") var maxLenB = 200
    @Option(help: "Checkpoint mode: length penalty.") var lenpen = 1.0
    @Option(help: "Checkpoint mode: sentencepiece, subword_nmt or none.") var postProcess = "sentencepiece"
    @Option(help: "Checkpoint mode: utterance or none.") var cmvn = "utterance"

    @Flag(help: "Fresh weights for every variant (speed and memory only).") var randomInit = false
    @Option(help: "Variants: MHA, GQA, MQA, MLA, MTLA<s> (comma-separated).") var variants = "MHA,GQA,MQA,MLA,MTLA2,MTLA3,MTLA4"
    @Option(help: "Model config JSON for the sizes (default: the paper's d 512, 9 decoder layers).") var modelConfig: String?
    @Option(help: "Prefix positions per sentence.") var prefixLength = 2000
    @Option(help: "Instead of a random prefix: random speech features of this many frames per sentence through the whole encoder (long-input check; 60000 = 10 minutes).")
    var inputFrames: Int?
    @Option(help: "Sentences in the batch.") var sentences = 13
    @Option(help: "Beam size.") var beam = 5
    @Option(help: "Tokens generated per hypothesis (EOS suppressed before).") var forceLength = 50
    @Option(help: "Threads.") var threads = 1
    @Option(help: "Seed of the weights and the prefix.") var seed: UInt64 = 1
    @Option(help: "Output directory.") var outDir: String
    @Flag(help: "Replace existing outputs.") var overwrite = false

    struct Row: Codable {
        var variant: String
        /// The decoder's attention ("MHA", "MTLA s=2", …) when `variant` is a user's name for a model.
        var attention: String? = nil
        var metric: String? = nil, quality: Double? = nil, pValueVsBaseline: Double? = nil
        var inferenceSeconds: Double, encoderSeconds: Double, decoderSeconds: Double, attentionSeconds: Double, searchSeconds: Double
        var speedupVsMHA: Double? = nil, attentionSpeedupVsMHA: Double? = nil
        var averageRSS: Double, peakRSS: Int, averageTensor: Double, peakTensor: Int
        var kvFloatsPerToken: Double, averageKVBytes: Double, peakKVBytes: Int, kvReductionVsMHA: Double? = nil

        /// The measured figures of one model's run (ratios come later, against MHA).
        init(variant: String, attention: String? = nil, meter: GenerationMeter, memory: (averageRSS: Double, peakRSS: Int, averageTensor: Double, peakTensor: Int)) {
            (self.variant, self.attention) = (variant, attention)
            (inferenceSeconds, encoderSeconds, decoderSeconds) = (meter.totalSeconds, meter.encoderSeconds, meter.decoderSeconds)
            (attentionSeconds, searchSeconds) = (meter.attentionSeconds, meter.searchSeconds)
            (averageRSS, peakRSS, averageTensor, peakTensor) = (memory.averageRSS, memory.peakRSS, memory.averageTensor, memory.peakTensor)
            (kvFloatsPerToken, averageKVBytes, peakKVBytes) = (meter.analyticFloatsPerToken, meter.averageCacheBytes, meter.peakCacheBytes)
        }
    }

    func variantConfig(_ name: String, base: ModelConfig) throws -> ModelConfig {
        var c = base
        let upper = name.uppercased()
        if upper.hasPrefix("MTLA") {
            c.decoderAttType = "MTLA"
            c.decoderDownRate = Int(upper.dropFirst(4)) ?? 2
        } else {
            c.decoderAttType = upper
        }
        return try c.validated()
    }

    func run() throws {
        guard randomInit != !checkpoints.isEmpty else {
            throw ValidationError("give --random-init, or trained models with --checkpoint NAME=MODEL (not both)")
        }
        let out = URL(fileURLWithPath: outDir)
        if FileManager.default.fileExists(atPath: out.appendingPathComponent("results.json").path) && !overwrite {
            throw CLIError.outputExists(path: out.appendingPathComponent("results.json").path)
        }
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        if !checkpoints.isEmpty { return try compareCheckpoints(out) }
        var base = ModelConfig()
        if let modelConfig { base = try ModelCheckpoint.readConfig(URL(fileURLWithPath: modelConfig)) }
        if inputFrames == nil { base.encoderLayers = 1 }   // the encoder is not run: the prefix stands for its projected output
        let context = ComputeContext(threads: threads)
        context.activate()
        var g = Xoshiro256(seed: seed &+ 1)
        let prefix = inputFrames == nil ? Tensor.randomNormal([sentences, prefixLength, base.decoderEmbedDim], using: &g) : Tensor(zeros: [0])
        let features = inputFrames.map { Tensor.randomNormal([sentences, $0, base.inputFeatPerChannel], using: &g) }
        let positions = (inputFrames.map { $0 / 4 } ?? prefixLength) + forceLength + 2
        let options = BeamSearchOptions(beam: beam, maxLenB: forceLength, minLen: forceLength, maxPositions: positions)
        var rows: [Row] = []
        var curves: [(String, [(tokens: Int, cacheBytes: Int, seconds: Double)])] = []
        for name in variants.split(separator: ",").map(String.init) {
            let config = try variantConfig(name, base: base)
            var wg = Xoshiro256(seed: seed)
            let model = try PrefixDecoderModel(config: config, generator: &wg)
            Console.info("\(name): \(model.decoder.parameterCount) decoder parameters; decoding \(sentences) × beam \(beam), prefix \(prefixLength), \(forceLength) tokens")
            let meter = GenerationMeter()
            meter.recordsSteps = true
            TensorMemory.resetPeak()
            let sampler = MemorySampler()
            if let features {
                _ = try BeamSearch(options: options).generate(model, input: .features(features, lengths: Array(repeating: Int32(features.shape[1]), count: sentences)),
                                                              context: context, meter: meter)
            } else {
                _ = try BeamSearch(options: options).search(model.decoder, prefix: prefix, prefixLengths: Array(repeating: prefixLength, count: sentences),
                                                            sourceLength: prefixLength, context: context, meter: meter)
            }
            let memory = sampler.stop()
            rows.append(Row(variant: name, meter: meter, memory: memory))
            curves.append((name, meter.steps))
        }
        try finish(rows, curves: curves, out: out)
    }

    /// Ratios against the MHA row, then the table, results.json and the plots.
    func finish(_ given: [Row], curves: [(String, [(tokens: Int, cacheBytes: Int, seconds: Double)])], out: URL) throws {
        var rows = given
        if let mha = rows.first(where: Self.isMHA) {
            for i in rows.indices {
                rows[i].speedupVsMHA = mha.inferenceSeconds / rows[i].inferenceSeconds
                rows[i].attentionSpeedupVsMHA = mha.attentionSeconds / rows[i].attentionSeconds
                rows[i].kvReductionVsMHA = mha.averageKVBytes / rows[i].averageKVBytes
            }
        }
        let table = markdown(rows)
        print(table, terminator: "")
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try e.encode(rows).write(to: out.appendingPathComponent("results.json"), options: .atomic)
        try Data(table.utf8).write(to: out.appendingPathComponent("table.md"), options: .atomic)
        let kv = SVGPlot(title: "KV cache during decoding", xLabel: "tokens per row (prefix + output)", yLabel: "KV cache (MiB)",
                         series: curves.map { SVGPlot.Series(name: $0.0, points: $0.1.map { (Double($0.tokens), Double($0.cacheBytes) / 1_048_576) }) })
        let time = SVGPlot(title: "Decoder step time", xLabel: "tokens per row (prefix + output)", yLabel: "seconds per step",
                           series: curves.map { SVGPlot.Series(name: $0.0, points: $0.1.dropFirst().map { (Double($0.tokens), $0.seconds) }) })
        try kv.write(to: out.appendingPathComponent("kv_cache.svg"))
        try time.write(to: out.appendingPathComponent("step_time.svg"))
        Console.info("results, table and plots -> \(out.path)")
    }

    /// Whether a row is the MHA model the ratios and p-values refer to.
    static func isMHA(_ row: Row) -> Bool { (row.attention ?? row.variant).uppercased() == "MHA" }

    func markdown(_ rows: [Row]) -> String {
        func mib(_ b: Double) -> String { String(format: "%.1f", b / 1_048_576) }
        func x(_ v: Double?) -> String { v.map { String(format: "%.2fx", $0) } ?? "–" }
        let input = inputFrames.map { "\($0) input frames through the encoder" } ?? "prefix \(prefixLength)"
        var s = checkpoints.isEmpty ? "sentences \(sentences) × beam \(beam), \(input), \(forceLength) output tokens, \(threads) thread(s)\n\n"
            : "\(manifest ?? ""): beam \(beam), batches of \(batchFrames) frames, \(threads) thread(s)\n\n"
        let quality = rows.first?.metric != nil
        if quality { s += "| variant | \(metric.uppercased()) | p vs \(rows[baselineIndex(rows)].variant) " } else { s += "| variant " }
        s += "| time s | encoder s | speed-up vs MHA | self-attn s | self-attn speed-up | avg RSS MiB | peak RSS MiB | avg tensor MiB | KV floats/token/row | avg KV MiB | peak KV MiB | KV reduction vs MHA |\n"
        s += (quality ? "| --- | --- | --- " : "| --- ") + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
        for r in rows {
            s += "| \(r.attention.map { $0 == r.variant ? r.variant : "\(r.variant) (\($0))" } ?? r.variant) "
            if quality {
                s += "| \(r.quality.map { String(format: "%.2f", $0) } ?? "–") | \(r.pValueVsBaseline.map { String(format: "%.4f", $0) } ?? "–") "
            }
            s += "| \(String(format: "%.2f", r.inferenceSeconds)) | \(String(format: "%.2f", r.encoderSeconds)) | \(x(r.speedupVsMHA)) | \(String(format: "%.2f", r.attentionSeconds)) | \(x(r.attentionSpeedupVsMHA)) | \(mib(r.averageRSS)) | \(mib(Double(r.peakRSS))) | \(mib(r.averageTensor)) | \(String(format: "%.0f", r.kvFloatsPerToken)) | \(mib(r.averageKVBytes)) | \(mib(Double(r.peakKVBytes))) | \(x(r.kvReductionVsMHA)) |\n"
        }
        return s
    }
}
