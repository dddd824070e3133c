/// One step of an alignment between a reference (`s1`) and a hypothesis (`s2`).
public enum AlignmentStep: Equatable, Sendable {
    case match(ref: Int, hyp: Int)
    case substitution(ref: Int, hyp: Int)
    case deletion(ref: Int)
    case insertion(hyp: Int)
}

/// Edit-operation counts of an alignment.
public struct EditCounts: Equatable, Sendable {
    public var hits = 0, substitutions = 0, deletions = 0, insertions = 0
    public init(hits: Int = 0, substitutions: Int = 0, deletions: Int = 0, insertions: Int = 0) {
        self.hits = hits; self.substitutions = substitutions; self.deletions = deletions; self.insertions = insertions
    }
    public var errors: Int { substitutions + deletions + insertions }
    public static func += (a: inout EditCounts, b: EditCounts) {
        a.hits += b.hits; a.substitutions += b.substitutions; a.deletions += b.deletions; a.insertions += b.insertions
    }
}

/// Levenshtein alignment that chooses, among equally cheap alignments, the one RapidFuzz's
/// `Levenshtein.editops`/`opcodes` returns (what jiwer 4 counts): the common prefix and suffix are
/// matched first, then the bit-parallel matrix of Hyyrö (2003) over the rest is recorded and walked
/// back from the end preferring a deletion, then an insertion, then the diagonal.
///
/// RapidFuzz switches to Hirschberg's divide and conquer when `2·band·|s2|/8 ≥ 2^20` (and
/// `|s1| ≥ 65`, `|s2| ≥ 10`), i.e. for pairs of several thousand very different symbols; there the
/// split among S/D/I may differ from ours (the total never does).
public struct LevenshteinAligner {
    private var vp: [UInt64] = [], vn: [UInt64] = []
    private var pm: [UInt64] = []
    private var curVP: [UInt64] = [], curVN: [UInt64] = []
    private var symbols = SymbolMap()

    public init() {}

    /// Counts (and, if `steps` is given, the full alignment) of `s1` (reference) against `s2`.
    public mutating func align(_ s1: UnsafeBufferPointer<Int32>, _ s2: UnsafeBufferPointer<Int32>,
                               steps: UnsafeMutablePointer<[AlignmentStep]>? = nil) -> EditCounts {
        var counts = EditCounts()
        let len1 = s1.count, len2 = s2.count
        var pre = 0
        while pre < len1 && pre < len2 && s1[pre] == s2[pre] { pre += 1 }
        var suf = 0
        while suf < len1 - pre && suf < len2 - pre && s1[len1 - 1 - suf] == s2[len2 - 1 - suf] { suf += 1 }
        counts.hits = pre + suf
        let m = len1 - pre - suf, n = len2 - pre - suf
        var rev: [AlignmentStep] = []
        let record = steps != nil
        if record { for k in 0..<suf { rev.append(.match(ref: len1 - 1 - k, hyp: len2 - 1 - k)) } }
        if m == 0 || n == 0 {
            counts.deletions = m; counts.insertions = n
            if record {
                for k in stride(from: n - 1, through: 0, by: -1) { rev.append(.insertion(hyp: pre + k)) }
                for k in stride(from: m - 1, through: 0, by: -1) { rev.append(.deletion(ref: pre + k)) }
            }
        } else {
            let words = (m + 63) / 64
            // pattern-match vectors of s1'
            symbols.clear(expected: m)
            pm.removeAll(keepingCapacity: true)
            for i in 0..<m {
                let (slot, isNew) = symbols.slot(s1[pre + i])
                if isNew { pm.append(contentsOf: repeatElement(0, count: words)) }
                pm[slot * words + i / 64] |= UInt64(1) << UInt64(i % 64)
            }
            if vp.count < n * words { vp = [UInt64](repeating: 0, count: n * words); vn = vp }
            if curVP.count < words { curVP = [UInt64](repeating: 0, count: words); curVN = curVP }
            for w in 0..<words { curVP[w] = ~0; curVN[w] = 0 }
            let lastBit = UInt64(1) << UInt64((m - 1) % 64)
            pm.withUnsafeBufferPointer { PM in
                vp.withUnsafeMutableBufferPointer { VPm in
                    vn.withUnsafeMutableBufferPointer { VNm in
                        for row in 0..<n {
                            let slot = symbols.find(s2[pre + row])
                            var hpCarry: UInt64 = 1, hnCarry: UInt64 = 0
                            for w in 0..<words {
                                let pmj = slot >= 0 ? PM[slot * words + w] : 0
                                let VPw = curVP[w], VNw = curVN[w]
                                let X = pmj | hnCarry
                                let D0 = (((X & VPw) &+ VPw) ^ VPw) | X | VNw
                                var HP = VNw | ~(D0 | VPw)
                                var HN = D0 & VPw
                                let hpT = hpCarry, hnT = hnCarry
                                if w < words - 1 { hpCarry = HP >> 63; hnCarry = HN >> 63 }
                                else { hpCarry = (HP & lastBit) != 0 ? 1 : 0; hnCarry = (HN & lastBit) != 0 ? 1 : 0 }
                                HP = (HP << 1) | hpT
                                HN = (HN << 1) | hnT
                                curVP[w] = HN | ~(D0 | HP)
                                curVN[w] = HP & D0
                                VPm[row * words + w] = curVP[w]
                                VNm[row * words + w] = curVN[w]
                            }
                        }
                    }
                }
            }
            @inline(__always) func bit(_ a: [UInt64], _ row: Int, _ col: Int) -> Bool {
                (a[row * words + col / 64] >> UInt64(col % 64)) & 1 != 0
            }
            var col = m, row = n
            while row > 0 && col > 0 {
                if bit(vp, row - 1, col - 1) {
                    col -= 1; counts.deletions += 1
                    if record { rev.append(.deletion(ref: pre + col)) }
                } else {
                    row -= 1
                    if row > 0 && bit(vn, row - 1, col - 1) {
                        counts.insertions += 1
                        if record { rev.append(.insertion(hyp: pre + row)) }
                    } else {
                        col -= 1
                        if s1[pre + col] != s2[pre + row] {
                            counts.substitutions += 1
                            if record { rev.append(.substitution(ref: pre + col, hyp: pre + row)) }
                        } else {
                            counts.hits += 1
                            if record { rev.append(.match(ref: pre + col, hyp: pre + row)) }
                        }
                    }
                }
            }
            while col > 0 { col -= 1; counts.deletions += 1; if record { rev.append(.deletion(ref: pre + col)) } }
            while row > 0 { row -= 1; counts.insertions += 1; if record { rev.append(.insertion(hyp: pre + row)) } }
        }
        if record {
            for k in stride(from: pre - 1, through: 0, by: -1) { rev.append(.match(ref: k, hyp: k)) }
            steps!.pointee = rev.reversed()
        }
        return counts
    }

    /// Convenience on arrays.
    public mutating func align(_ s1: [Int32], _ s2: [Int32]) -> EditCounts {
        s1.withUnsafeBufferPointer { a in s2.withUnsafeBufferPointer { b in align(a, b) } }
    }

    /// Counts and the alignment steps.
    public mutating func alignment(_ s1: [Int32], _ s2: [Int32]) -> (EditCounts, [AlignmentStep]) {
        var steps: [AlignmentStep] = []
        let c = s1.withUnsafeBufferPointer { a in s2.withUnsafeBufferPointer { b in align(a, b, steps: &steps) } }
        return (c, steps)
    }

    /// Plain Levenshtein distance (unit costs).
    public mutating func distance(_ s1: [Int32], _ s2: [Int32]) -> Int { align(s1, s2).errors }
}

/// A reusable map from symbols to dense slots, cleared in O(1).
struct SymbolMap {
    private var keys: [Int32] = Array(repeating: 0, count: 256)
    private var vals: [Int32] = Array(repeating: 0, count: 256)
    private var stamp: [UInt32] = Array(repeating: 0, count: 256)
    private var epoch: UInt32 = 1
    private var mask = 255
    private var count = 0

    mutating func clear(expected: Int) {
        if expected * 2 > keys.count {
            var cap = keys.count
            while cap < expected * 2 { cap <<= 1 }
            keys = Array(repeating: 0, count: cap); vals = keys; stamp = Array(repeating: 0, count: cap)
            mask = cap - 1; epoch = 1
        } else { epoch &+= 1; if epoch == 0 { for i in stamp.indices { stamp[i] = 0 }; epoch = 1 } }
        count = 0
    }

    @inline(__always) private func h(_ k: Int32) -> Int {
        Int(truncatingIfNeeded: (UInt64(UInt32(bitPattern: k)) &* 0x9E3779B97F4A7C15) >> 32) & mask
    }

    @inline(__always) mutating func slot(_ k: Int32) -> (Int, Bool) {
        var s = h(k)
        while stamp[s] == epoch {
            if keys[s] == k { return (Int(vals[s]), false) }
            s = (s + 1) & mask
        }
        stamp[s] = epoch; keys[s] = k; vals[s] = Int32(count); count += 1
        return (count - 1, true)
    }

    @inline(__always) func find(_ k: Int32) -> Int {
        var s = h(k)
        while stamp[s] == epoch {
            if keys[s] == k { return Int(vals[s]) }
            s = (s + 1) & mask
        }
        return -1
    }
}
