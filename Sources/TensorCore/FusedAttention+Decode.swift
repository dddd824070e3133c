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

/// Keys and values that come before each batch row's own keys in `FusedAttention.decode`: a prefix
/// kept once and shared by several rows (the beams of one sentence). Row b first attends to the
/// `lengths[b]` prefix rows starting `keyOffsets[b]` floats into `k` (`valueOffsets[b]` into `v`), then to its own keys; the
/// prefix storage is sequence-major, rows `keyRowStride` (`valueRowStride`) floats apart with kv head
/// h at `h·qkDim` (`h·vDim`) in a row. Every prefix key is visible to every query of the row.
public struct DecodePrefix: @unchecked Sendable {
    public let k: UnsafePointer<Float>, v: UnsafePointer<Float>
    public let keyRowStride: Int, valueRowStride: Int
    /// (B) float offsets of row b's first prefix row in `k` and in `v`.
    public let keyOffsets: [Int], valueOffsets: [Int]
    /// (B) prefix keys of row b (0: none).
    public let lengths: [Int]

    public init(k: UnsafePointer<Float>, v: UnsafePointer<Float>, keyRowStride: Int, valueRowStride: Int,
                keyOffsets: [Int], valueOffsets: [Int], lengths: [Int]) {
        precondition(keyOffsets.count == lengths.count && valueOffsets.count == lengths.count,
                     "prefix: \(keyOffsets.count)/\(valueOffsets.count) offsets for \(lengths.count) lengths")
        (self.k, self.v, self.keyRowStride, self.valueRowStride) = (k, v, keyRowStride, valueRowStride)
        (self.keyOffsets, self.valueOffsets, self.lengths) = (keyOffsets, valueOffsets, lengths)
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

    /// Floats of workspace `decode` needs for this shape and mask (it depends on the key lengths) and
    /// the prefix lengths (B) of a `DecodePrefix`, if any.
    public static func decodeWorkspaceCount(shape: AttentionShape, mask: AttentionMask, prefixLengths: [Int]? = nil) -> Int {
        max(1, DecodePlan(shape: shape, mask: mask, prefixLengths: prefixLengths).floats)
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
        instructionSet: DecodeInstructionSet? = nil, prefix: DecodePrefix? = nil
    ) {
        precondition(threads >= 1, "thread count must be at least 1")
        precondition(canDecode(shape: shape, mask: mask), "decode: \(shape) has too many rows per kv head or an elementwise mask")
        precondition(prefix.map { $0.lengths.count == shape.batch } ?? true, "decode: prefix lengths for \(shape.batch) rows")
        let plan = DecodePlan(shape: shape, mask: mask, prefixLengths: prefix?.lengths)
        let isa = Int32(instructionSet?.rawValue ?? -1)
        let ctx = KernelPointers(DecodeArgs(q: q, k: k, v: v, shape: shape, layout: layout, scale: scale, mask: mask,
                                            out: out, lse: logSumExp, workspace: workspace, isa: isa, plan: plan, prefix: prefix))
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
    /// keys each sees (its own keys' ends, or all `prefixKeys` of the prefix segment when given);
    /// calls `body(rows in this group, first row, q pointers, row ends)` per group of ≤ 8.
    @inline(__always)
    private static func withRowGroups(_ a: DecodeArgs, unit: Int, prefixKeys: Int? = nil,
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
                        ends[j] = prefixKeys ?? a.mask.keyEnd(batch: b, query: i, keyLength: s.keyLength)
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
        let state = a.workspace + a.plan.offsets[unit] + split * a.plan.stateFloats
        let prefixSplits = a.plan.prefixSplits[unit]
        if let p = a.prefix, split < prefixSplits {
            // The shared prefix segment first: every prefix key is visible to every query of the row.
            let n = p.lengths[b], begin = split * decodeSplit, end = min(n, begin + decodeSplit)
            let kBase = p.k + p.keyOffsets[b] + hk * s.qkDim, vBase = p.v + p.valueOffsets[b] + hk * s.vDim
            withRowGroups(a, unit: unit, prefixKeys: n) { rows, first, qp, ends in
                mtla_decode_partial(a.isa, Int32(rows), Int32(s.qkDim), Int32(s.vDim), a.scale, qp, kBase, p.keyRowStride,
                                    vBase, p.valueRowStride, begin, end, ends, state + first * (s.vDim + 2))
            }
            return
        }
        let own = split - prefixSplits
        let ks = a.layout.strides(heads: s.kvHeads, length: s.keyLength, dim: s.qkDim)
        let vs = a.layout.strides(heads: s.kvHeads, length: s.keyLength, dim: s.vDim)
        let kBase = a.k + b * ks.batch + hk * ks.head, vBase = a.v + b * vs.batch + hk * vs.head
        let begin = own * decodeSplit, end = min(a.plan.ends[unit], begin + decodeSplit)
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
    /// Per unit: own keys read (the largest row end), splits (prefix splits first), first workspace float.
    let ends: [Int], splits: [Int], offsets: [Int]
    /// Per unit: splits over the shared prefix (0 without one).
    let prefixSplits: [Int]
    /// (unit, split) in unit-major order.
    let items: [(unit: Int, split: Int)]
    /// Floats of one split's states of all rows of a unit: rows · (Dv + 2).
    let stateFloats: Int
    let floats: Int

    init(shape s: AttentionShape, mask: AttentionMask, prefixLengths: [Int]? = nil) {
        units = s.batch * s.kvHeads
        stateFloats = s.group * s.queryLength * (s.vDim + 2)
        var ends = [Int](), splits = [Int](), offsets = [Int](), items = [(unit: Int, split: Int)](), prefix = [Int]()
        ends.reserveCapacity(units)
        splits.reserveCapacity(units)
        offsets.reserveCapacity(units)
        var total = 0
        for unit in 0..<units {
            let b = unit / s.kvHeads
            // keyEnd grows with the query row, so the last one bounds the unit.
            let end = s.queryLength == 0 ? 0 : mask.keyEnd(batch: b, query: s.queryLength - 1, keyLength: s.keyLength)
            let np = ((prefixLengths?[b] ?? 0) + FusedAttention.decodeSplit - 1) / FusedAttention.decodeSplit
            let n = np + (end + FusedAttention.decodeSplit - 1) / FusedAttention.decodeSplit
            prefix.append(np)
            ends.append(end)
            splits.append(n)
            offsets.append(total)
            for split in 0..<n { items.append((unit, split)) }
            total += n * stateFloats
        }
        (self.ends, self.splits, self.offsets, self.items, floats) = (ends, splits, offsets, items, total)
        prefixSplits = prefix
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
    let prefix: DecodePrefix?
}
