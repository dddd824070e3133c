import Corpus
import Decoding
import Distributed
import Scoring
import TensorCore
import Transformer

/// Hypotheses decoded from the validation set at each validation and scored against its references
/// (`checkpoint.eval_metric`: fairseq's `--eval-bleu`, ESPnet's `report_bleu`/`report_wer`/`report_cer`):
/// beam `eval_beam` (1 = greedy) over the first `eval_max_sentences` samples, detokenised as
/// `mtla decode` does, scored with corpus BLEU (sacreBLEU 13a), WER or CER (percent).
struct ValidationDecoding {
    let metric: String
    let run: DecodeRun
    let dataset: any SampleDataset

    /// - Throws: `TrainingError.invalidOption` when the validation set has no reference texts.
    init(config: ExperimentConfig, valid: any SampleDataset, symbols: [String], sentencePiece: Bool,
         batching: BatchingOptions, collater: Collater) throws {
        let c = config.checkpoint
        metric = c.evalMetric
        dataset = c.evalMaxSentences > 0 ? DatasetPrefix(valid, count: c.evalMaxSentences) : valid
        guard dataset.count > 0, dataset.referenceText(0) != nil else {
            throw TrainingError.invalidOption(name: "checkpoint.eval_metric", value: metric,
                                              expected: "a validation set with reference texts (a tgt_text column, a Kaldi text file or target lines)")
        }
        var options = config.generation
        options.beam = c.evalBeam
        let m = config.model
        run = DecodeRun(search: try BeamSearch(options: options), batching: batching, collater: collater,
                        detokenizer: Detokenizer(symbols: symbols, postProcess: sentencePiece ? .sentencepiece : .none,
                                                 ignored: [m.bos, m.paddingIdx, m.eos]))
    }

    /// The metric of `model`'s hypotheses (dropout off while decoding). In a job of several ranks each
    /// decodes its round-robin share of the samples and the hypotheses are gathered, so every rank
    /// scores the whole set.
    func score(_ model: PrefixDecoderModel, context: ComputeContext,
               communicator: any Communicator = SingleProcessCommunicator()) throws -> Double {
        model.setTraining(false)
        defer { model.setTraining(true) }
        let (rank, ranks) = (communicator.rank, communicator.size)
        let share = ranks > 1 ? DatasetSubset.shard(dataset, shard: rank, of: ranks) : DatasetSubset(dataset, indices: Array(0..<dataset.count))
        let results = try run.decode(model, dataset: share, context: context, meter: GenerationMeter())
        let mine = results.map { r in r.hypotheses.first.map { run.detokenizer.text($0.tokens) } ?? "" }
        let shares = try communicator.allGather(mine, operation: "gather validation hypotheses")
        // Sample i is hypothesis i / ranks of rank i % ranks.
        let hypotheses = (0..<dataset.count).map { i in shares[i % ranks][i / ranks] }
        let references = (0..<dataset.count).map { dataset.referenceText($0) ?? "" }
        switch metric {
        case "bleu":
            return BLEU().corpusScore(hypotheses: hypotheses, references: [references]).score
        default:
            var rate = ErrorRate(unit: metric == "cer" ? .character : .word, options: ErrorRateOptions(allowEmptyReferences: true))
            return try rate.score(references: references, hypotheses: hypotheses).rate * 100
        }
    }
}
