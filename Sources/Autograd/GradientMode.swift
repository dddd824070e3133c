/// Whether operations record themselves for the backward pass.
public enum GradientMode: Sendable, Equatable {
    /// Record every operation on tensors that require gradients (training).
    case recording
    /// Record nothing and keep nothing for backward (inference, evaluation).
    case inference
}
