import Foundation
import NN
import TensorCore

/// fairseq's `scripts/average_checkpoints.py`: the element-wise mean of several parameter sets with
/// the same names and shapes (summed in file order in Float32, then divided by the count).
public enum CheckpointAveraging {
    /// - Parameter names: names the sets in errors (defaults to `#0`, `#1`, …).
    /// - Throws: `NNError.checkpointKeysDiffer` when a set's names differ from the first set's,
    ///   `NNError.shapeMismatch` when a shape differs.
    public static func average(_ states: [[String: Tensor]], names: [String]? = nil) throws -> [String: Tensor] {
        precondition(!states.isEmpty, "average: no checkpoints")
        let label = { (i: Int) in names?[i] ?? "#\(i)" }
        var sum = states[0]
        let keys = Set(sum.keys)
        for (i, s) in states.enumerated().dropFirst() {
            if let k = (Set(s.keys).symmetricDifference(keys)).sorted().first {
                throw NNError.checkpointKeysDiffer(path: k, file: label(i))
            }
            for (k, t) in s {
                guard t.shape == sum[k]!.shape else {
                    throw NNError.shapeMismatch(path: k, expected: sum[k]!.shape, found: t.shape, file: label(i))
                }
                sum[k]!.accumulate(t)
            }
        }
        let n = Float(states.count)
        return sum.mapValues { t in
            var t = t
            t.withUnsafeMutableBufferPointer { b in for j in 0..<b.count { b[j] /= n } }
            return t
        }
    }

    /// Averages safetensors files; the result keeps the first file's metadata.
    public static func average(files: [URL]) throws -> SafeTensors.File {
        let loaded = try files.map { try SafeTensors.read($0) }
        let avg = try average(loaded.map(\.tensors), names: files.map(\.path))
        return SafeTensors.File(tensors: avg, names: avg.keys.sorted(), metadata: loaded[0].metadata)
    }
}
