import ArgumentParser
import Corpus
import Decoding
import Fbank
import Foundation
import TensorCore
import Transformer

/// `mtla decode CHECKPOINT --manifest M --dict D --out-dir DIR`: beam search over a dataset.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode a dataset with a model: hypotheses, n-best lists and the efficiency report.",
        discussion: """
            CHECKPOINT is a model (.safetensors with its config) or a training checkpoint directory.
            --manifest is a fairseq TSV (speech features or audio), a Kaldi/ESPnet data directory, or for
            text models a prefix P with P.src. Writes hyp.txt (detokenised, input order), ref.txt (when the
            input has references), nbest.jsonl, generate.txt (fairseq-generate S/T/H/D/P lines),
            efficiency.json and efficiency.txt into --out-dir.
            """)

    @Argument(help: "Model file or training checkpoint directory.") var checkpoint: String
    @Option(help: "Output directory.") var outDir: String
    @OptionGroup var options: DecodeOptionGroup
    @Flag(help: "Replace existing outputs.") var overwrite = false

    func run() throws {
        let model = try DecodeOptionGroup.loadModel(checkpoint)
        let config = model.config
        let (dataset, targets) = try options.dataset(for: config)
        let run = try options.decodeRun(for: config, symbols: targets.dictionary.symbols)
        let out = URL(fileURLWithPath: outDir)
        if !overwrite && FileManager.default.fileExists(atPath: out.appendingPathComponent("hyp.txt").path) {
            throw CLIError.outputExists(path: out.appendingPathComponent("hyp.txt").path)
        }
        let context = ComputeContext(threads: options.threads)
        context.activate()
        let meter = GenerationMeter()
        let sampler = MemorySampler()
        let bar = ProgressReporter(label: "decode", total: dataset.count, unit: "sent")
        let before = context.buffers?.statistics
        let results = try run.decode(model, dataset: dataset, context: context, meter: meter) { done, _ in bar.update(done) }
        let after = context.buffers?.statistics
        let memory = sampler.stop()
        let audio = run.secondsPerFrame.map { s in Double((0..<dataset.count).reduce(0) { $0 + dataset.sourceLength($1) }) * s }
        var report = EfficiencyReport(attention: DecodeOptionGroup.variantName(config), meter: meter, memory: memory, audioSeconds: audio)
        if let before, let after { report.workspace = .init(fresh: after.fresh - before.fresh, reused: after.reused - before.reused) }
        try run.write(results, dataset: dataset, report: report, to: out, overwrite: overwrite)
        Console.write(report.table)
        Console.info("hypotheses -> \(out.appendingPathComponent("hyp.txt").path)")
    }
}
