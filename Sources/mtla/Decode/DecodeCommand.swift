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
    @Option(help: "Input: fairseq TSV, Kaldi/ESPnet data dir, or text prefix.") var manifest: String
    @Option(help: "fairseq dict.txt of the targets.") var dict: String
    @Option(help: "Source dict.txt (text models; default: --dict).") var sourceDict: String?
    @Option(help: "Directory relative audio/feature paths start from (default: the manifest's).") var root: String?
    @Option(help: "Output directory.") var outDir: String
    @Option(help: "Beam size.") var beam = 5
    @Option(help: "Hypotheses per input in nbest.jsonl.") var nbest = 1
    @Option(help: "max_len = a·source length + b.") var maxLenA = 0.0
    @Option(help: "max_len = a·source length + b.") var maxLenB = 200
    @Option(help: "Minimum hypothesis length.") var minLen = 1
    @Option(help: "Length penalty exponent.") var lenpen = 1.0
    @Option(help: "Penalty on <unk>.") var unkpen = 0.0
    @Option(help: "Softmax temperature.") var temperature = 1.0
    @Option(help: "Batch budget: source frames (tokens for text) per batch.") var batchFrames = 50_000
    @Option(help: "At most this many inputs per batch.") var maxSentences: Int?
    @Option(help: "Subword post-processing: sentencepiece, subword_nmt, none.") var postProcess = "sentencepiece"
    @Option(help: "Feature normalisation: utterance, none.") var cmvn = "utterance"
    @Option(help: "Threads.") var threads = 1
    @Flag(help: "Replace existing outputs.") var overwrite = false

    func run() throws {
        var modelURL = URL(fileURLWithPath: checkpoint)
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: checkpoint, isDirectory: &isDir), isDir.boolValue {
            modelURL = modelURL.appendingPathComponent("model.safetensors")
        }
        let model = try ModelCheckpoint.load(modelURL)
        let config = model.config
        let targets = try WhitespaceDictionaryEncoding(dictionaryPath: dict)
        guard targets.dictionary.symbols.count == config.vocabSize else {
            throw ValidationError("\(dict) has \(targets.dictionary.symbols.count) symbols; the model's vocabulary has \(config.vocabSize)")
        }
        let dataset: any SampleDataset
        var isDirectory: ObjCBool = false
        if config.inputMode == .text {
            let sources = try sourceDict.map { try WhitespaceDictionaryEncoding(dictionaryPath: $0) } ?? targets
            let target = FileManager.default.fileExists(atPath: manifest + ".tgt") ? manifest + ".tgt" : manifest + ".src"
            dataset = try ParallelTextDataset(source: manifest + ".src", target: target, sourceEncoding: sources, targetEncoding: targets)
        } else if FileManager.default.fileExists(atPath: manifest, isDirectory: &isDirectory), isDirectory.boolValue {
            dataset = try KaldiSpeechDataset(directory: manifest, textEncoding: targets)
        } else {
            dataset = try FairseqSpeechDataset(manifest: manifest, root: root, textEncoding: targets)
        }
        guard let post = Detokenizer.PostProcess(rawValue: postProcess) else {
            throw ValidationError("--post-process must be one of \(Detokenizer.PostProcess.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var transforms = FeatureTransforms()
        if cmvn == "utterance" { transforms.utteranceCMVN = UtteranceCMVN() } else if cmvn != "none" {
            throw ValidationError("--cmvn must be utterance or none")
        }
        let search = try BeamSearch(options: BeamSearchOptions(beam: beam, maxLenA: maxLenA, maxLenB: maxLenB, minLen: minLen,
                                                               lenpen: lenpen, unkpen: unkpen, temperature: temperature))
        var run = DecodeRun(search: search, batching: BatchingOptions(maxTokens: batchFrames, maxSentences: maxSentences),
                            collater: Collater(pad: config.paddingIdx, eos: config.eos, transforms: transforms),
                            detokenizer: Detokenizer(symbols: targets.dictionary.symbols, postProcess: post,
                                                     ignored: [config.bos, config.paddingIdx, config.eos]))
        run.nbest = min(nbest, beam)
        if config.inputMode == .text { run.secondsPerFrame = nil }
        let out = URL(fileURLWithPath: outDir)
        if !overwrite && FileManager.default.fileExists(atPath: out.appendingPathComponent("hyp.txt").path) {
            throw CLIError.outputExists(path: out.appendingPathComponent("hyp.txt").path)
        }
        let context = ComputeContext(threads: threads)
        context.activate()
        let meter = GenerationMeter()
        let sampler = MemorySampler()
        let bar = ProgressReporter(label: "decode", total: dataset.count, unit: "sent")
        let before = context.buffers?.statistics
        let results = try run.decode(model, dataset: dataset, context: context, meter: meter) { done, _ in bar.update(done) }
        let after = context.buffers?.statistics
        let memory = sampler.stop()
        let audio = run.secondsPerFrame.map { s in Double((0..<dataset.count).reduce(0) { $0 + dataset.sourceLength($1) }) * s }
        var report = EfficiencyReport(attention: config.decoderAttType.uppercased() + (config.decoderAttType.uppercased() == "MTLA" ? " s=\(config.decoderDownRate)" : ""),
                                      meter: meter, memory: memory, audioSeconds: audio)
        if let before, let after { report.workspace = .init(fresh: after.fresh - before.fresh, reused: after.reused - before.reused) }
        try run.write(results, dataset: dataset, report: report, to: out, overwrite: overwrite)
        Console.write(report.table)
        Console.info("hypotheses -> \(out.appendingPathComponent("hyp.txt").path)")
    }
}
