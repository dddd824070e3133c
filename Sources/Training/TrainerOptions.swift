import Optim

/// The optimisation settings of a run under fairseq's option names (spec §4.4): Adam with the
/// inverse-square-root schedule (linear warm-up from `warmup_init_lr` to `lr` over `warmup_updates`,
/// then lr·√W/√step), gradient clipping by total L2 norm (`clip_norm`, 0 = off), and `update_freq`
/// batches accumulated per update. Gradients are divided by the update's summed sample size (target
/// tokens), as fairseq's trainer does.
public struct TrainerOptions: Sendable, Equatable, Codable {
    public var lr: Double = 2e-3
    public var warmupUpdates: Int = 10_000
    public var warmupInitLR: Double = 0
    public var clipNorm: Double = 10
    public var adamBetas: [Double] = [0.9, 0.999]
    public var adamEps: Double = 1e-8
    public var weightDecay: Double = 0
    public var updateFreq: Int = 1
    public var loss = SequenceLoss()

    public init() {}

    enum CodingKeys: String, CodingKey {
        case lr, warmupUpdates = "warmup_updates", warmupInitLR = "warmup_init_lr", clipNorm = "clip_norm"
        case adamBetas = "adam_betas", adamEps = "adam_eps", weightDecay = "weight_decay", updateFreq = "update_freq", loss
    }

    public var schedule: InverseSquareRootSchedule {
        InverseSquareRootSchedule(peakLR: lr, warmupUpdates: warmupUpdates, warmupInitLR: warmupInitLR)
    }

    /// Whether a checkpoint written with `other` may continue under these options: equal but for
    /// `update_freq` (see `ExperimentConfig.continuesRun`).
    public func continuesRun(_ other: TrainerOptions) -> Bool {
        var a = self, b = other
        (a.updateFreq, b.updateFreq) = (1, 1)
        return a == b
    }

    /// - Throws: `TrainingError.invalidOption` for the first invalid setting.
    public func validated() throws -> TrainerOptions {
        func check(_ ok: Bool, _ name: String, _ value: Any, _ expected: String) throws {
            if !ok { throw TrainingError.invalidOption(name: name, value: "\(value)", expected: expected) }
        }
        try check(lr > 0, "lr", lr, "a positive learning rate")
        try check(warmupUpdates >= 0, "warmup_updates", warmupUpdates, "≥ 0")
        try check(clipNorm >= 0, "clip_norm", clipNorm, "≥ 0 (0 = no clipping)")
        try check(adamBetas.count == 2 && adamBetas.allSatisfy { (0..<1).contains($0) }, "adam_betas", adamBetas, "two values in [0, 1)")
        try check(adamEps > 0, "adam_eps", adamEps, "> 0")
        try check(weightDecay >= 0, "weight_decay", weightDecay, "≥ 0")
        try check(updateFreq >= 1, "update_freq", updateFreq, "≥ 1")
        try check((0..<1).contains(loss.labelSmoothing), "label_smoothing", loss.labelSmoothing, "in [0, 1)")
        try check(loss.ctcWeight >= 0, "ctc_weight", loss.ctcWeight, "≥ 0")
        try check(loss.intentWeight > 0, "intent_weight", loss.intentWeight, "> 0")
        return self
    }
}
