import Foundation
import NN
import TensorCore
import _TestSupport

/// Loads `Data/golden/nn/<name>` (written by Tools/golden/make_nn_goldens.py).
func golden(_ name: String) throws -> [String: Tensor] {
    try SafeTensors.read(TestData.url("golden/nn/" + name)).tensors
}

/// True when every |a − b| ≤ atol + rtol·|b| (shapes equal); prints the worst element otherwise.
func allClose(_ a: Tensor, _ b: Tensor, atol: Float, rtol: Float = 0, _ label: String = "") -> Bool {
    guard a.shape == b.shape else { print("\(label): shape \(a.shape) vs \(b.shape)"); return false }
    let ok = zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) <= atol + rtol * abs($1) }
    if !ok { print("\(label): \(DifferenceStats(a.scalars, b.scalars))") }
    return ok
}
