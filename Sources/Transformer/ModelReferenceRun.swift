import Autograd
import TensorCore

/// The procedure of the model goldens (Data/golden/model/README.md) on a set of inputs, with the
/// reference's tensor names and layouts, so our outputs can be held against PyTorch's both ways.
///
/// Input sets are the tensors under a prefix (`input.`, `input1.`): `features` (B, T, F) or `src_tokens`
/// (B, T), `src_lengths` (B), `prev_output_tokens` (B, S), optionally `target` (B, S). For input set
/// `input<k>.` the outputs are `output<k>.`: `encoder_out` (T', B, d) time-major as fairseq,
/// `ctc_logits` (T', B, V) with a CTC head, `projector` (B, T', d), `logits` (B, S, V) (teacher
/// forcing), `loss` and `nll_loss` (label-smoothed CE, ε = 0.1, padding ignored, summed) when `target`
/// is given, with a CTC head also `ctc_loss` (fairseq's criterion: blank = bos, targets with EOS, summed)
/// and `loss_total` = loss + ctc_weight · ctc_loss, and
/// for a one-row set `step_logits` (S, V): generation step 0 with the prefix, then one token per step.
public enum ModelReferenceRun {
    /// Runs every input set found in `tensors`.
    /// - Throws: `ModelError.invalidInput` naming a missing or malformed tensor.
    public static func run(_ model: PrefixDecoderModel, tensors: [String: Tensor], context: ComputeContext) throws -> [String: Tensor] {
        let prefixes = Set(tensors.keys.compactMap { k -> String? in
            guard k.hasPrefix("input"), let dot = k.firstIndex(of: ".") else { return nil }
            return String(k[..<dot])
        }).sorted()
        guard !prefixes.isEmpty else {
            throw ModelError.invalidInput(what: "no tensor named input.*", expected: "input.prev_output_tokens, input.src_lengths, …")
        }
        var out: [String: Tensor] = [:]
        for p in prefixes {
            let o = "output" + p.dropFirst("input".count) + "."
            for (k, v) in try run(model, set: p + ".", tensors: tensors, context: context) { out[o + k] = v }
        }
        return out
    }

    static func ids(_ t: Tensor) -> Int32Tensor { Int32Tensor(shape: t.shape, scalars: t.scalars.map { Int32($0.rounded()) }) }

    static func run(_ model: PrefixDecoderModel, set p: String, tensors: [String: Tensor],
                    context: ComputeContext) throws -> [String: Tensor] {
        func need(_ name: String) throws -> Tensor {
            guard let t = tensors[p + name] else { throw ModelError.invalidInput(what: "missing tensor \(p + name)", expected: "the golden input layout") }
            return t
        }
        let lengths = try need("src_lengths").scalars.map { Int32($0.rounded()) }
        let input: ModelInput
        switch model.config.inputMode {
        case .speech: input = .features(try need("features"), lengths: lengths)
        case .text: input = .tokens(ids(try need("src_tokens")), lengths: lengths)
        }
        let prev = ids(try need("prev_output_tokens"))
        let tape = Tape(context: context, mode: .inference)
        let (logits, encoded) = try model(input, prevTokens: prev, on: tape)
        let (prefix, prefixLengths) = model.decoder.prefix(encoded, on: tape)
        var out = ["encoder_out": encoded.states.value.permuted([1, 0, 2]), "projector": prefix.value, "logits": logits.value]
        if let ctc = model.ctcLogits(encoded, on: tape) { out["ctc_logits"] = ctc.value.permuted([1, 0, 2]) }
        if let target = tensors[p + "target"] {
            let targets = ids(target)
            let loss = tape.labelSmoothedCrossEntropy(logits, targets: targets, epsilon: 0.1, ignoreIndex: model.config.paddingIdx)
            out["loss"] = loss.loss.value.reshaped([1])
            out["nll_loss"] = Tensor(shape: [1], scalars: [loss.nllLoss])
            if let ctc = model.ctcLogits(encoded, on: tape) {
                // fairseq's CTC criterion: blank = bos (0), targets with their final EOS, sum, zero_infinity.
                let w = targets.shape[1]
                let targetLengths = (0..<targets.shape[0]).map { r in
                    Int32(targets.scalars[(r * w)..<((r + 1) * w)].filter { $0 != model.config.paddingIdx }.count)
                }
                let ctcLoss = tape.ctcLoss(ctc, layout: .batchMajor, inputLengths: encoded.lengthTensor, targets: targets,
                                           targetLayout: .padded(maxLength: w),
                                           targetLengths: Int32Tensor(shape: [targetLengths.count], scalars: targetLengths),
                                           blank: Int(model.config.bos), reduction: .sum, zeroInfinity: true)
                out["ctc_loss"] = ctcLoss.value.reshaped([1])
                out["loss_total"] = Tensor(shape: [1], scalars: [loss.loss.value.item + model.config.ctcWeight * ctcLoss.value.item])
            }
        }
        if input.batch == 1 {
            let s = prev.shape[1]
            var steps: [Tensor] = []
            let first = Int32Tensor(shape: [1], scalars: [prev.scalars[0]])
            let (state, logits0) = try model.decoder.startDecoding(prefix: prefix.value, prefixLengths: prefixLengths, tokens: first,
                                                                   context: context)
            steps.append(logits0)
            for j in 1..<s {
                steps.append(try model.decoder.decodeStep(Int32Tensor(shape: [1], scalars: [prev.scalars[j]]), state: state, context: context))
            }
            out["step_logits"] = Tensor.concat(steps, axis: 0)
        }
        return out
    }
}
