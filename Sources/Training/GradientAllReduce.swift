import Autograd
import Distributed
import Foundation
import TensorCore

/// Sums the parameters' gradients over the ranks of a job in buckets (PyTorch DDP's scheme, 25 MB
/// by default): consecutive gradients are packed into a bucket, every bucket's all-reduce is put in
/// flight at once, and the sums are copied back. A parameter without a gradient on this rank (not
/// used by its batches, or no batch at all in the epoch's last update) contributes zeros, so every
/// rank ends with the same gradients and, after the same optimiser step, the same parameters.
///
/// Ranks that share one process's memory (`Communicator.sharesMemory`) sum the gradients where they
/// are instead: no packing, no buckets.
///
/// The reduce runs after the backward pass rather than overlapped with it: on this machine it takes
/// a few percent of an update (BENCHMARKS.md "Data-parallel training"), which bounds what an overlap
/// could gain.
final class GradientAllReduce {
    let parameters: [Variable]
    /// Parameter index ranges, one per bucket.
    let buckets: [Range<Int>]
    /// One buffer per bucket, allocated at the first packed reduce (never for ranks that share memory).
    private var packed: [UnsafeMutableBufferPointer<Float>]?

    /// - Parameter bucketBytes: the largest bucket (a parameter larger than it gets a bucket of its own).
    init(parameters: [Variable], bucketBytes: Int = 25 << 20) {
        self.parameters = parameters
        let capacity = max(1, bucketBytes / MemoryLayout<Float>.size)
        var ranges: [Range<Int>] = [], start = 0, filled = 0
        for (i, p) in parameters.enumerated() {
            if filled > 0 && filled + p.value.count > capacity {
                ranges.append(start..<i)
                (start, filled) = (i, 0)
            }
            filled += p.value.count
        }
        if start < parameters.count { ranges.append(start..<parameters.count) }
        buckets = ranges
    }

    deinit { packed?.forEach { $0.deallocate() } }

    /// Replaces every gradient by its sum over `communicator`'s ranks.
    func reduce(over communicator: any Communicator, operation: String) throws {
        if communicator.sharesMemory {
            var buffers: [UnsafeMutableBufferPointer<Float>] = []
            buffers.reserveCapacity(parameters.count)
            try withGradients(from: 0, &buffers) { try communicator.allReduceSum(buckets: $0, operation: operation) }
            return
        }
        let storage = packed ?? buckets.map { r in
            let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: r.reduce(0) { $0 + parameters[$1].value.count })
            b.initialize(repeating: 0)
            return b
        }
        packed = storage
        for (b, range) in buckets.enumerated() {
            do {
                let bucket = storage[b]
                var offset = 0
                for i in range {
                    let n = parameters[i].value.count
                    if let g = parameters[i].grad, g.count == n {
                        g.withUnsafeBufferPointer { src in (bucket.baseAddress! + offset).update(from: src.baseAddress!, count: n) }
                    } else {
                        (bucket.baseAddress! + offset).update(repeating: 0, count: n)
                    }
                    offset += n
                }
            }
        }
        try communicator.allReduceSum(buckets: storage, operation: operation)
        for (b, range) in buckets.enumerated() {
            do {
                let bucket = storage[b]
                var offset = 0
                for i in range {
                    let p = parameters[i], n = p.value.count
                    var g = p.grad.flatMap { $0.count == n ? $0 : nil } ?? Tensor(zeros: p.value.shape)
                    p.grad = nil   // so that the write below does not copy the storage
                    g.withUnsafeMutableBufferPointer { dst in dst.baseAddress!.update(from: bucket.baseAddress! + offset, count: n) }
                    p.grad = g
                    offset += n
                }
            }
        }
    }

    /// Runs `body` with every parameter's gradient as a mutable buffer (zeros for a parameter without
    /// one), in parameter order: the ranks of one process sum them where they are, without packing.
    private func withGradients(from i: Int, _ buffers: inout [UnsafeMutableBufferPointer<Float>],
                               _ body: ([UnsafeMutableBufferPointer<Float>]) throws -> Void) throws {
        guard i < parameters.count else { return try body(buffers) }
        let p = parameters[i], n = p.value.count
        var g = p.grad.flatMap { $0.count == n ? $0 : nil } ?? Tensor(zeros: p.value.shape)
        p.grad = nil   // so that the buffer below is the tensor's own (no copy on write)
        defer { p.grad = g }
        try g.withUnsafeMutableBufferPointer { b in
            buffers.append(b)
            try withGradients(from: i + 1, &buffers, body)
        }
    }
}
