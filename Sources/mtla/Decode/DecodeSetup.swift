import ArgumentParser
import Corpus
import Decoding
import Fbank
import Foundation
import TensorCore
import Transformer

/// The dataset and search options of a decode (`mtla decode`, and `mtla bench decode` over trained
/// checkpoints), and how they become a model, a dataset and a `DecodeRun`.
struct DecodeOptionGroup: ParsableArguments {
    @Option(help: "Input: fairseq TSV, Kaldi/ESPnet data dir, or text prefix.") var manifest: String
    @Option(help: "fairseq dict.txt of the targets.") var dict: String
    @Option(help: "Source dict.txt (text models; default: --dict).") var sourceDict: String?
    @Option(help: "Directory relative audio/feature paths start from (default: the manifest's).") var root: String?
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

    /// A model file, or a training checkpoint directory's model.
    static func loadModel(_ path: String) throws -> PrefixDecoderModel {
        var url = URL(fileURLWithPath: path)
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            url = url.appendingPathComponent("model.safetensors")
        }
        return try ModelCheckpoint.load(url)
    }

    /// The dataset of `--manifest` for `config`'s input mode, with the target dictionary's encoding.
    /// - Throws: `ValidationError` for a dictionary of another size than the model's vocabulary.
    func dataset(for config: ModelConfig) throws -> (dataset: any SampleDataset, targets: WhitespaceDictionaryEncoding) {
        let targets = try WhitespaceDictionaryEncoding(dictionaryPath: dict)
        guard targets.dictionary.symbols.count == config.vocabSize else {
            throw ValidationError("\(dict) has \(targets.dictionary.symbols.count) symbols; the model's vocabulary has \(config.vocabSize)")
        }
        var isDirectory: ObjCBool = false
        if config.inputMode == .text {
            let sources = try sourceDict.map { try WhitespaceDictionaryEncoding(dictionaryPath: $0) } ?? targets
            let target = FileManager.default.fileExists(atPath: manifest + ".tgt") ? manifest + ".tgt" : manifest + ".src"
            return (try ParallelTextDataset(source: manifest + ".src", target: target, sourceEncoding: sources, targetEncoding: targets), targets)
        } else if FileManager.default.fileExists(atPath: manifest, isDirectory: &isDirectory), isDirectory.boolValue {
            return (try KaldiSpeechDataset(directory: manifest, textEncoding: targets), targets)
        }
        return (try FairseqSpeechDataset(manifest: manifest, root: root, textEncoding: targets), targets)
    }

    /// The search over batches for `config`, detokenising with `symbols`.
    func decodeRun(for config: ModelConfig, symbols: [String]) throws -> DecodeRun {
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
                            detokenizer: Detokenizer(symbols: symbols, postProcess: post,
                                                     ignored: [config.bos, config.paddingIdx, config.eos]))
        run.nbest = min(nbest, beam)
        if config.inputMode == .text { run.secondsPerFrame = nil }
        return run
    }

    /// The variant's name in reports: MHA, …, "MTLA s=2".
    static func variantName(_ config: ModelConfig) -> String {
        let kind = config.decoderAttType.uppercased()
        return kind + (kind == "MTLA" ? " s=\(config.decoderDownRate)" : "")
    }
}
