import Autograd
import TensorCore
import Transformer

/// The training criteria of the reference recipes (spec §4.3), summed over the batch (fairseq's
/// `reduce=True`); the trainer divides the gradients by the update's total `sampleSize`.
///
/// * `label_smoothed_cross_entropy` (ST, summarisation): ε-smoothed CE over every non-pad target
///   position (the prefix gets no loss).
/// * `…_with_ctc` (ASR): plus `ctcWeight` × CTC of the encoder's `ctc_proj` logits against the target
///   tokens with their EOS (blank = bos id 0, summed, infinite losses zeroed) — or against the batch's
///   `ctcTarget` when it has one (an ST encoder learning the source transcript).
/// * `…_with_ctc_ic` (SLU): the first target token (the intent label) weighted by `intentWeight`,
///   the rest by 1, and CTC on the targets without the intent token.
public struct SequenceLoss: Sendable, Equatable, Codable {
    public var labelSmoothing: Float = 0.1
    public var ctcWeight: Float = 0
    /// Weight of the first target token's loss (1 = none; SLU uses 5).
    public var intentWeight: Float = 1

    enum CodingKeys: String, CodingKey, CaseIterable {
        case labelSmoothing = "label_smoothing", ctcWeight = "ctc_weight", intentWeight = "intent_weight"
    }

    /// The YAML/JSON keys (for unknown-key errors).
    public static let keys = Set(CodingKeys.allCases.map(\.rawValue))

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(labelSmoothing: try c.decodeIfPresent(Float.self, forKey: .labelSmoothing) ?? 0.1,
                  ctcWeight: try c.decodeIfPresent(Float.self, forKey: .ctcWeight) ?? 0,
                  intentWeight: try c.decodeIfPresent(Float.self, forKey: .intentWeight) ?? 1)
    }

    public init(labelSmoothing: Float = 0.1, ctcWeight: Float = 0, intentWeight: Float = 1) {
        self.labelSmoothing = labelSmoothing
        self.ctcWeight = ctcWeight
        self.intentWeight = intentWeight
    }

    /// What one batch contributes: the loss to differentiate and its logging terms.
    public struct Terms {
        public var loss: Variable
        /// Summed values for logging.
        public var lossValue: Double, nll: Double, ctc: Double
        /// Non-pad target tokens (the sample size), and how many of them the argmax predicts.
        public var tokens: Int, correct: Int
    }

    /// Forward pass of `model` on `batch` and the loss terms.
    /// - Throws: `ModelError.invalidInput` for a batch that does not fit the model.
    public func callAsFunction(_ model: PrefixDecoderModel, _ batch: TrainingBatch, on tape: Tape) throws -> Terms {
        let pad = model.config.paddingIdx
        let (logits, encoded) = try model(batch.input, prevTokens: batch.prevOutputTokens, on: tape)
        let (b, s) = (batch.target.shape[0], batch.target.shape[1])
        var loss: Variable, nll: Double
        if intentWeight != 1 && s > 1 {
            let first = tape.labelSmoothedCrossEntropy(tape.slice(logits, axis: 1, start: 0, length: 1), targets: column(batch.target, 0, 1),
                                                       epsilon: labelSmoothing, ignoreIndex: pad)
            let rest = tape.labelSmoothedCrossEntropy(tape.slice(logits, axis: 1, start: 1, length: s - 1),
                                                      targets: column(batch.target, 1, s - 1), epsilon: labelSmoothing, ignoreIndex: pad)
            loss = tape.add(tape.affine(first.loss, intentWeight), rest.loss)
            nll = Double(first.nllLoss) * Double(intentWeight) + Double(rest.nllLoss)
        } else {
            let ce = tape.labelSmoothedCrossEntropy(logits, targets: batch.target, epsilon: labelSmoothing, ignoreIndex: pad)
            (loss, nll) = (ce.loss, Double(ce.nllLoss))
        }
        var ctcValue = 0.0
        if ctcWeight > 0, let ctcLogits = model.ctcLogits(encoded, on: tape) {
            let targets: Int32Tensor, lengths: [Int32]
            if let aux = batch.ctcTarget {   // e.g. the transcript for an ST encoder
                (targets, lengths) = aux
            } else {
                let skip = intentWeight != 1 ? 1 : 0   // SLU: CTC without the intent token
                targets = column(batch.target, skip, s - skip)
                lengths = (0..<b).map { r in Int32(targets.scalars[(r * (s - skip))..<((r + 1) * (s - skip))].filter { $0 != pad }.count) }
            }
            let ctc = tape.ctcLoss(ctcLogits, layout: .batchMajor, inputLengths: encoded.lengthTensor, targets: targets,
                                   targetLayout: .padded(maxLength: targets.shape[1]), targetLengths: Int32Tensor(shape: [b], scalars: lengths),
                                   blank: Int(model.config.bos), reduction: .sum, zeroInfinity: true)
            ctcValue = Double(ctc.value.item)
            loss = tape.add(loss, tape.affine(ctc, ctcWeight))
        }
        let (tokens, correct) = Self.accuracy(logits.value, target: batch.target, pad: pad)
        return Terms(loss: loss, lossValue: Double(loss.value.item), nll: nll, ctc: ctcValue, tokens: tokens, correct: correct)
    }

    /// Columns start..<start+count of t (B, S).
    func column(_ t: Int32Tensor, _ start: Int, _ count: Int) -> Int32Tensor {
        let (b, s) = (t.shape[0], t.shape[1])
        return Int32Tensor(shape: [b, count], scalars: (0..<b).flatMap { r in t.scalars[(r * s + start)..<(r * s + start + count)] })
    }

    /// Non-pad targets and how many of them are the logits' argmax: logits (B, S, V), target (B, S).
    static func accuracy(_ logits: Tensor, target: Int32Tensor, pad: Int32) -> (tokens: Int, correct: Int) {
        let v = logits.shape[2]
        var tokens = 0, correct = 0
        logits.withUnsafeBufferPointer { l in
            for (i, t) in target.scalars.enumerated() where t != pad {
                tokens += 1
                var best = 0
                for j in 1..<v where l[i * v + j] > l[i * v + best] { best = j }
                if best == Int(t) { correct += 1 }
            }
        }
        return (tokens, correct)
    }
}
