import SeededRandom

/// Where a run stands, saved in every checkpoint so that `--resume` continues bit-identically: the
/// updates done, the epoch and the batches of it consumed (the data order is a function of seed and
/// epoch), and the state of every dropout generator of the model (in module order).
public struct TrainingProgress: Sendable, Equatable, Codable {
    public var updates = 0
    public var epoch = 1
    /// Batches of the current epoch already consumed (the loader resumes after them).
    public var batchesInEpoch = 0
    public var dropoutGenerators: [Xoshiro256] = []
    /// Validation metrics of the last validation, by name (e.g. `loss`, `accuracy`).
    public var lastValidation: [String: Double] = [:]
    /// The best value of the run's best metric so far, and validations since it (early stopping).
    public var bestMetricValue: Double? = nil
    public var validationsSinceBest = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case updates, epoch, batchesInEpoch = "batches_in_epoch", dropoutGenerators = "dropout_generators"
        case lastValidation = "last_validation", bestMetricValue = "best_metric_value", validationsSinceBest = "validations_since_best"
    }
}
