import Autograd
import TensorCore
import Testing

@Suite struct GradientModeTests {
    /// A tape created in inference mode (decoding, evaluation) records no operation even on parameters
    /// that require gradients, and its outputs do not require gradients.
    @Test func inferenceTapeRecordsNothing() {
        let tape = Tape(mode: .inference)
        let w = Variable(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), requiresGrad: true)
        let x = Variable(Tensor(shape: [1, 2], scalars: [1, 1]))
        let y = tape.relu(tape.matmul(x, w))
        #expect(tape.recordedCount == 0)
        #expect(!y.requiresGrad)
        #expect(y.value.scalars == [4, 6])
    }
}
