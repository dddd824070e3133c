import TensorCore

/// The reverse-mode tape: operations append a node (op, inputs, output) in execution order, so the
/// reversed list is a valid order for the backward pass; no graph search is needed.
///
/// An operation is recorded only in `.recording` mode and when one of its inputs requires a gradient;
/// otherwise nothing is kept (in `.inference` mode no buffer for backward is even allocated: the
/// forward wrappers ask `isRecording` before saving statistics or masks). The derivative rules are
/// all in `Derivatives.swift`. The tape holds the compute context (thread count) its ops run with.
public final class Tape {
    public let context: ComputeContext
    public private(set) var mode: GradientMode

    struct Node {
        let op: Op
        let inputs: [Variable]
        let output: Variable
    }
    private(set) var nodes: [Node] = []

    public init(context: ComputeContext = .serial, mode: GradientMode = .recording) {
        self.context = context
        self.mode = mode
    }

    /// Number of recorded operations (0 in inference mode).
    public var recordedCount: Int { nodes.count }

    /// Runs `body` in inference mode (nothing recorded), then restores the previous mode.
    public func noGrad<R>(_ body: () throws -> R) rethrows -> R {
        let saved = mode
        mode = .inference
        defer { mode = saved }
        return try body()
    }

    /// Whether an operation on `inputs` would be recorded now.
    public func isRecording(_ inputs: [Variable]) -> Bool {
        mode == .recording && inputs.contains { $0.requiresGrad }
    }

    /// Wraps `output` of `op` applied to `inputs` in a variable, recording a node when `isRecording`.
    func record(_ op: @autoclosure () -> Op, _ inputs: [Variable], _ output: Tensor) -> Variable {
        guard isRecording(inputs) else { return Variable(result: output, requiresGrad: false) }
        let v = Variable(result: output, requiresGrad: true)
        nodes.append(Node(op: op(), inputs: inputs, output: v))
        return v
    }

    /// Back-propagates from `root`, seeded with `gradient` (default: ones, e.g. 1 for a scalar loss).
    /// Leaf gradients accumulate; the tape is cleared afterwards (its saved tensors are freed).
    public func backward(_ root: Variable, gradient: Tensor? = nil) {
        precondition(root.requiresGrad, "backward: the root does not require a gradient (nothing was recorded)")
        let seed = gradient ?? Tensor(shape: root.shape, repeating: 1, in: context)
        precondition(seed.shape == root.shape, "backward: seed \(seed.shape) for root \(root.shape)")
        root.accumulateGrad(seed)
        for node in nodes.reversed() {
            guard let g = node.output.grad else { continue }
            let needs = node.inputs.map(\.requiresGrad)
            let grads = Derivatives.gradients(of: node.op, inputs: node.inputs.map(\.value),
                                              output: node.output.value, outputGrad: g,
                                              needs: needs, ctx: context)
            for (input, grad) in zip(node.inputs, grads) where input.requiresGrad {
                if let grad { input.accumulateGrad(grad) }
            }
            if !node.output.isLeaf { node.output.grad = nil }
        }
        nodes.removeAll()
    }

    /// Forgets every recorded node (a step that ends without backward).
    public func reset() { nodes.removeAll() }
}
