import CAttentionKernels
import Dispatch

// The decode path of FusedAttention (shape notation: FusedAttention.swift). In a decode step each kv head
// is read by few query rows (Tq · Hq/Hkv: 1 for MHA, 4 for GQA g = 2, 8 for MQA and for MLA/MTLA's
// absorbed heads over the one latent head). `forward` would multiply each 128-key tile by those rows
// with `cblas_sgemm`, which packs the tile to use it a few times (OpenBLAS's copy routines took more
// time than its kernel there). `decode` instead reads every cached key row once for all the rows of
// its kv head, as dot products straight over the row, with an online softmax and the weighted value
// sum in registers (C kernel `mtla_decode_partial`, in Sources/CAttentionKernels, built for baseline,
// AVX2 and AVX-512 and chosen at run time).
//
// Work: the keys of each (b, hkv) are cut in splits of `decodeSplit` keys; each (unit, split) gives a
// partial softmax state (max, sum, unnormalised output per row), merged per unit in key order
// (flash-decoding), so a single batch row uses every thread. The splits do not depend on the thread
// count, so results are identical for any thread count.

/// The instruction sets of the decode kernel.
public enum DecodeInstructionSet: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// Portable C (4-float vectors; baseline x86-64 or any other CPU).
    case portable = 0
    /// AVX2 with FMA, 8-float vectors.
    case avx2 = 1
    /// AVX-512F, 16-float vectors.
    case avx512 = 2

    /// The best one this CPU runs (what `decode` uses by default).
    public static var best: DecodeInstructionSet { DecodeInstructionSet(rawValue: Int(mtla_decode_best_isa())) ?? .portable }

    /// Those this CPU runs.
    public static var available: [DecodeInstructionSet] { allCases.filter { $0.rawValue <= best.rawValue } }

    public var description: String {
        switch self {
        case .portable: return "portable"
        case .avx2: return "AVX2"
        case .avx512: return "AVX-512"
        }
    }
}

extension FusedAttention {
    /// Keys per split of `decode`.
    public static let decodeSplit = 256
    /// Query rows per kv head (Tq · Hq/Hkv) up to which `decode` applies.
    public static let decodeMaxRows = 16

    /// Whether `decode` handles this call: at most `decodeMaxRows` query rows per kv head, and a mask of
    /// causal and key-length rules only (no additive, keep or predicate buffers).
    public static func canDecode(shape: AttentionShape, mask: AttentionMask) -> Bool {
        shape.queryLength * shape.group <= decodeMaxRows && !mask.hasElementwiseRules
    }

    /// Floats of workspace `decode` needs for this shape and mask (it depends on the key lengths).
    public static func decodeWorkspaceCount(shape: AttentionShape, mask: AttentionMask) -> Int {
        max(1, DecodePlan(shape: shape, mask: mask).floats)
    }

    /// `forward` for `canDecode` calls, without backward: out = softmax(scale · q·kᵀ + masks) · v.
    ///
    /// Same arguments and results as `forward` (a row that sees no key gets 0 and log-sum-exp −∞), but
    /// `workspace` holds `decodeWorkspaceCount(shape:mask:)` floats. `instructionSet` (default: the best
    /// this CPU runs) is lowered to one the CPU has. Results are identical for any `threads`.
    public static func decode(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        shape: AttentionShape, layout: AttentionLayout = .headsMajor, scale: Float,
        mask: AttentionMask = .none,
        out: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>?,
        workspace: UnsafeMutablePointer<Float>, threads: Int,
        instructionSet: DecodeInstructionSet? = nil
    ) {
        precondition(threads >= 1, "thread count must be at least 1")
        precondition(canDecode(shape: shape, mask: mask), "decode: \(shape) has too many rows per kv head or an elementwise mask")
        let plan = DecodePlan(shape: shape, mask: mask)
        let isa = Int32(instructionSet?.rawValue ?? -1)
        let ctx = KernelPointers(DecodeArgs(q: q, k: k, v: v, shape: shape, layout: layout, scale: scale, mask: mask,
                                            out: out, lse: logSumExp, workspace: workspace, isa: isa, plan: plan))
        let units = plan.units, items = plan.items.count
        let workers = min(threads, max(1, items))
        if workers <= 1 {
            for unit in 0..<units {
                for split in 0..<plan.splits[unit] { partialUnit(ctx.value, unit: unit, split: split) }
                mergeUnit(ctx.value, unit: unit)
            }
        } else if units % workers == 0 || units >= 4 * workers {
            // Whole units per worker: each merges its own, one parallel region.
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var unit = w
                while unit < units {
                    for split in 0..<plan.splits[unit] { partialUnit(ctx.value, unit: unit, split: split) }
                    mergeUnit(ctx.value, unit: unit)
                    unit += workers
                }
            }
        } else {
            // Few units (e.g. batch 1): the splits are shared out, then the units merged.
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var item = w
                while item < items {
                    let (unit, split) = plan.items[item]
                    partialUnit(ctx.value, unit: unit, split: split)
                    item += workers
                }
            }
            for unit in 0..<units { mergeUnit(ctx.value, unit: unit) }
        }
    }

    /// Query rows of unit (b, hk) in kernel order r = g·Tq + i (head hk·group + g, query i), with the
    /// keys each sees; calls `body(rows in this group, first row, q pointers, row ends)` per group of ≤ 8.
    @inline(__always)
    private static func withRowGroups(_ a: DecodeArgs, unit: Int,
                                      _ body: (Int, Int, UnsafePointer<UnsafePointer<Float>?>, UnsafePointer<Int>) -> Void) {
        let s = a.shape
        let b = unit / s.kvHeads, hk = unit % s.kvHeads
        let qs = a.layout.strides(heads: s.queryHeads, length: s.queryLength, dim: s.qkDim)
        let rows = s.group * s.queryLength
        let maxRows = Int(MTLA_DECODE_MAX_ROWS)
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: maxRows) { qp in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: maxRows) { ends in
                var first = 0
                while first < rows {
                    let n = min(maxRows, rows - first)
                    for j in 0..<n {
                        let r = first + j, g = r / s.queryLength, i = r % s.queryLength
                        qp[j] = a.q + b * qs.batch + (hk * s.group + g) * qs.head + i * qs.row
                        ends[j] = a.mask.keyEnd(batch: b, query: i, keyLength: s.keyLength)
                    }
                    body(n, first, UnsafePointer(qp.baseAddress!), UnsafePointer(ends.baseAddress!))
                    first += n
                }
            }
        }
    }

    private static func partialUnit(_ a: DecodeArgs, unit: Int, split: Int) {
        let s = a.shape
        let b = unit / s.kvHeads, hk = unit % s.kvHeads
        let ks = a.layout.strides(heads: s.kvHeads, length: s.keyLength, dim: s.qkDim)
        let vs = a.layout.strides(heads: s.kvHeads, length: s.keyLength, dim: s.vDim)
        let kBase = a.k + b * ks.batch + hk * ks.head, vBase = a.v + b * vs.batch + hk * vs.head
        let begin = split * decodeSplit, end = min(a.plan.ends[unit], begin + decodeSplit)
        let state = a.workspace + a.plan.offsets[unit] + split * a.plan.stateFloats
        withRowGroups(a, unit: unit) { n, first, qp, ends in
            mtla_decode_partial(a.isa, Int32(n), Int32(s.qkDim), Int32(s.vDim), a.scale, qp, kBase, ks.row, vBase, vs.row,
                                begin, end, ends, state + first * (s.vDim + 2))
        }
    }

    private static func mergeUnit(_ a: DecodeArgs, unit: Int) {
        let s = a.shape
        let b = unit / s.kvHeads, hk = unit % s.kvHeads
        let os = a.layout.strides(heads: s.queryHeads, length: s.queryLength, dim: s.vDim)
        let rows = s.group * s.queryLength
        let lseBase = a.lse.map { $0 + (b * s.queryHeads + hk * s.group) * s.queryLength }
        let states = a.workspace + a.plan.offsets[unit]
        withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<Float>?.self, capacity: Int(MTLA_DECODE_MAX_ROWS)) { op in
            var first = 0
            while first < rows {
                let n = min(Int(MTLA_DECODE_MAX_ROWS), rows - first)
                for j in 0..<n {
                    let r = first + j, g = r / s.queryLength, i = r % s.queryLength
                    op[j] = a.out + b * os.batch + (hk * s.group + g) * os.head + i * os.row
                }
                mtla_decode_merge(Int32(n), Int32(s.vDim), Int32(a.plan.splits[unit]), states + first * (s.vDim + 2),
                                  a.plan.stateFloats, UnsafePointer(op.baseAddress!), lseBase.map { $0 + first })
                first += n
            }
        }
    }
}

/// Where each unit's partial states live in the workspace.
struct DecodePlan {
    let units: Int
    /// Per unit: keys read (the largest row end), splits, first workspace float.
    let ends: [Int], splits: [Int], offsets: [Int]
    /// (unit, split) in unit-major order.
    let items: [(unit: Int, split: Int)]
    /// Floats of one split's states of all rows of a unit: rows · (Dv + 2).
    let stateFloats: Int
    let floats: Int

    init(shape s: AttentionShape, mask: AttentionMask) {
        units = s.batch * s.kvHeads
        stateFloats = s.group * s.queryLength * (s.vDim + 2)
        var ends = [Int](), splits = [Int](), offsets = [Int](), items = [(unit: Int, split: Int)]()
        ends.reserveCapacity(units)
        splits.reserveCapacity(units)
        offsets.reserveCapacity(units)
        var total = 0
        for unit in 0..<units {
            let b = unit / s.kvHeads
            // keyEnd grows with the query row, so the last one bounds the unit.
            let end = s.queryLength == 0 ? 0 : mask.keyEnd(batch: b, query: s.queryLength - 1, keyLength: s.keyLength)
            let n = (end + FusedAttention.decodeSplit - 1) / FusedAttention.decodeSplit
            ends.append(end)
            splits.append(n)
            offsets.append(total)
            for split in 0..<n { items.append((unit, split)) }
            total += n * stateFloats
        }
        (self.ends, self.splits, self.offsets, self.items, floats) = (ends, splits, offsets, items, total)
    }
}

struct DecodeArgs {
    let q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>
    let shape: AttentionShape
    let layout: AttentionLayout
    let scale: Float
    let mask: AttentionMask
    let out: UnsafeMutablePointer<Float>
    let lse: UnsafeMutablePointer<Float>?
    let workspace: UnsafeMutablePointer<Float>
    let isa: Int32
    let plan: DecodePlan
}
