// Harness cases for the tape ops over raw-buffer kernels: fused attention (every mask kind, GQA, both
// layouts), label-smoothed cross-entropy from logits, CTC. References are in Double: NaiveAttention<Double>,
// fairseq's formula written out, and CTC by summing over every alignment path (tiny T and C).
import Autograd
import Foundation
import TensorCore

extension OpCase {
    static let fused: [OpCase] = attentionCases + lossCases

    /// Attention case: inputs q, k, v (+ a constant additive mask as input 3 when `additiveShape` is set).
    static func attention(_ name: String, _ s: AttentionShape, layout: AttentionLayout = .headsMajor,
                          causal: Bool = false, keyLengths: [Int32]? = nil, additiveShape: [Int]? = nil,
                          predicate: (@Sendable (Int, Int) -> Bool)? = nil) -> OpCase {
        func dims(_ h: Int, _ t: Int, _ d: Int) -> [Int] { layout == .headsMajor ? [s.batch, h, t, d] : [s.batch, t, h, d] }
        let shapes = [dims(s.queryHeads, s.queryLength, s.qkDim), dims(s.kvHeads, s.keyLength, s.qkDim),
                      dims(s.kvHeads, s.keyLength, s.vDim)] + (additiveShape.map { [$0] } ?? [])
        let lengths = keyLengths.map { Int32Tensor(shape: [s.batch], scalars: $0) }
        return OpCase(
            name: "scaledDotProductAttention \(name)", shapes: shapes, constant: additiveShape == nil ? [] : [3],
            forward: { t, x in
                t.scaledDotProductAttention(x[0], x[1], x[2], layout: layout, causal: causal, keyLengths: lengths,
                                            additiveMask: x.count > 3 ? x[3].value : nil, predicate: predicate)
            },
            reference: { x in
                let additive = x.count > 3 ? x[3].map { Float($0) } : [Float(0)]
                var out = [Double](repeating: 0, count: s.batch * s.queryHeads * s.queryLength * s.vDim)
                let lens = keyLengths ?? [0]
                additive.withUnsafeBufferPointer { ap in lens.withUnsafeBufferPointer { lp in
                    var add: AttentionMaskBuffer<Float>?
                    if let a = additiveShape {
                        let base = ap.baseAddress!
                        add = a.count == 2 ? .shared(base, keyLength: s.keyLength)
                            : a[1] == 1 ? .perBatch(base, queryLength: s.queryLength, keyLength: s.keyLength)
                            : .perHead(base, queryHeads: s.queryHeads, queryLength: s.queryLength, keyLength: s.keyLength)
                    }
                    let mask = AttentionMask(causal: causal, keyLengths: keyLengths == nil ? nil : lp.baseAddress!, additive: add,
                                             predicate: predicate)
                    NaiveAttention.forward(q: x[0], k: x[1], v: x[2], shape: s, layout: layout,
                                           scale: 1 / Double(Float(s.qkDim).squareRoot()), mask: mask, out: &out)
                } }
                return out
            })
    }

    static let attentionCases: [OpCase] = [
        attention("no mask", AttentionShape(batch: 2, queryHeads: 2, queryLength: 3, keyLength: 4, qkDim: 4)),
        attention("causal", AttentionShape(batch: 1, queryHeads: 2, queryLength: 5, keyLength: 5, qkDim: 4), causal: true),
        attention("key padding (one row fully padded)", AttentionShape(batch: 3, queryHeads: 1, queryLength: 3, keyLength: 4, qkDim: 3),
                  keyLengths: [4, 2, 0]),
        attention("additive (Tq,Tk) + causal", AttentionShape(batch: 2, queryHeads: 2, queryLength: 4, keyLength: 4, qkDim: 4),
                  causal: true, additiveShape: [4, 4]),
        attention("additive (B,1,Tq,Tk) + padding", AttentionShape(batch: 2, queryHeads: 2, queryLength: 3, keyLength: 4, qkDim: 4),
                  keyLengths: [3, 4], additiveShape: [2, 1, 3, 4]),
        attention("additive (B,Hq,Tq,Tk)", AttentionShape(batch: 1, queryHeads: 2, queryLength: 3, keyLength: 3, qkDim: 2),
                  additiveShape: [1, 2, 3, 3]),
        attention("GQA Hq 4 Hkv 2, Dv ≠ Dk, causal", AttentionShape(batch: 2, queryHeads: 4, kvHeads: 2, queryLength: 4,
                                                              keyLength: 4, qkDim: 4, vDim: 3), causal: true),
        attention("sequenceMajor GQA + padding", AttentionShape(batch: 2, queryHeads: 2, kvHeads: 1, queryLength: 3,
                                                          keyLength: 5, qkDim: 4), layout: .sequenceMajor, keyLengths: [5, 3]),
        attention("MTLA stride-aware causal predicate (s = 2)", AttentionShape(batch: 1, queryHeads: 2, queryLength: 5,
                                                                          keyLength: 5, qkDim: 4),
                  predicate: AttentionMask.strideAwareCausal(stride: 2)),
    ]

    static let lossCases: [OpCase] = [
        lsce("ε 0.1", rows: 5, vocab: 7, targets: [0, 6, 3, 3, 1], epsilon: 0.1, ignore: nil),
        lsce("ε 0.1, ignore index 1, V 37", rows: 4, vocab: 37, targets: [1, 36, 5, 1], epsilon: 0.1, ignore: 1),
        lsce("ε 0 (plain NLL)", rows: 3, vocab: 4, targets: [2, 0, 3], epsilon: 0, ignore: nil),
        ctc("mean, padded targets", reduction: .mean, layout: .timeMajor),
        ctc("sum, batch-major", reduction: .sum, layout: .batchMajor),
        ctc("none (per sequence)", reduction: .none, layout: .timeMajor),
    ]

    static func lsce(_ name: String, rows: Int, vocab v: Int, targets: [Int32], epsilon: Float, ignore: Int32?) -> OpCase {
        OpCase(name: "labelSmoothedCrossEntropy \(name)", shapes: [[rows, v]],
               forward: { t, x in
                   t.labelSmoothedCrossEntropy(x[0], targets: Int32Tensor(shape: [rows], scalars: targets),
                                               epsilon: epsilon, ignoreIndex: ignore).loss
               },
               reference: { x in
                   let lp = Reference.softmax(x[0], cols: v, log: true)
                   let eps = Double(epsilon), epsI = eps / Double(v - 1)
                   var loss = 0.0
                   for i in 0..<rows where targets[i] != ignore {
                       let row = lp[(i * v)..<((i + 1) * v)]
                       loss += (1 - eps - epsI) * -row[i * v + Int(targets[i])] + epsI * -row.reduce(0, +)
                   }
                   return [loss]
               })
    }

    /// T 4, N 2, C 3 (blank 0); targets [1, 2] (length 2) and [2] (length 1), input lengths 4 and 3.
    static func ctc(_ name: String, reduction: CTCLoss.Reduction, layout: CTCLoss.Layout) -> OpCase {
        let (t, n, c) = (4, 2, 3)
        let targets: [[Int32]] = [[1, 2], [2]], inputLengths: [Int32] = [4, 3]
        return OpCase(
            name: "ctcLoss \(name)", shapes: [layout == .timeMajor ? [t, n, c] : [n, t, c]],
            forward: { tape, x in
                tape.ctcLoss(x[0], layout: layout, inputLengths: Int32Tensor(shape: [n], scalars: inputLengths),
                             targets: Int32Tensor(shape: [n, 2], scalars: [1, 2, 2, 0]), targetLayout: .padded(maxLength: 2),
                             targetLengths: Int32Tensor(shape: [n], scalars: [2, 1]), reduction: reduction)
            },
            reference: { x in
                let lp = Reference.softmax(x[0], cols: c, log: true)
                let losses = (0..<n).map { b in
                    -bruteForceCTC(length: Int(inputLengths[b]), classes: c, target: targets[b]) { ti, k in
                        lp[(layout == .timeMajor ? ti * n + b : b * t + ti) * c + k]
                    }
                }
                switch reduction {
                case .none: return losses
                case .sum: return [losses.reduce(0, +)]
                case .mean: return [zip(losses, targets).map { $0 / Double($1.count) }.reduce(0, +) / Double(n)]
                }
            })
    }

    /// log Σ over every length-`length` path over `classes` labels that collapses (merge repeats, drop
    /// blank 0) to `target`, of Σ_t logProb(t, label_t).
    static func bruteForceCTC(length: Int, classes: Int, target: [Int32], logProb: (Int, Int) -> Double) -> Double {
        var total = 0.0
        var path = [Int](repeating: 0, count: length)
        for code in 0..<Int(pow(Double(classes), Double(length))) {
            var rest = code
            for i in 0..<length { path[i] = rest % classes; rest /= classes }
            var collapsed: [Int32] = []
            for i in 0..<length where path[i] != 0 && (i == 0 || path[i] != path[i - 1]) { collapsed.append(Int32(path[i])) }
            guard collapsed == target else { continue }
            total += exp((0..<length).reduce(0.0) { $0 + logProb($1, path[$1]) })
        }
        return log(total)
    }
}
