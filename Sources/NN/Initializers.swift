import SeededRandom
import TensorCore

/// PyTorch's default initialisations, drawn from an explicit seeded generator (the values differ
/// from PyTorch's, the distributions are the same).
public enum Initializers {
    /// `kaiming_uniform_(w, a=√5)` as `nn.Linear` / `nn.Conv1d` use it: gain √(2/(1+a²)) = √(1/3),
    /// bound = gain·√3/√fan_in = 1/√fan_in, so U(−1/√fan_in, 1/√fan_in). `fanIn` = in (× kernel).
    public static func kaimingUniformA5<G: RandomNumberGenerator>(_ shape: [Int], fanIn: Int, using g: inout G) -> Tensor {
        let bound = fanIn > 0 ? Float(1 / Double(fanIn).squareRoot()) : 0
        return Tensor.randomUniform(shape, low: -bound, high: bound, using: &g)
    }

    /// The bias of `nn.Linear` / `nn.Conv1d`: U(−1/√fan_in, 1/√fan_in).
    public static func fanInUniform<G: RandomNumberGenerator>(_ shape: [Int], fanIn: Int, using g: inout G) -> Tensor {
        kaimingUniformA5(shape, fanIn: fanIn, using: &g)
    }
}
