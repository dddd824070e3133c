import Foundation

/// A learning rate as a function of the update number (1-based, as fairseq's `step_update(num_updates)`
/// is called after the counter has been incremented; 0 gives the initial rate).
public protocol LearningRateSchedule: Sendable {
    func learningRate(update: Int) -> Double
}

/// fairseq's inverse square root schedule: linear warm-up from `warmupInitLR` to `peakLR` over
/// `warmupUpdates`, then `peakLR * sqrt(warmupUpdates / update)`.
public struct InverseSquareRootSchedule: LearningRateSchedule, Equatable, Codable {
    public var peakLR: Double
    public var warmupUpdates: Int
    public var warmupInitLR: Double

    public init(peakLR: Double, warmupUpdates: Int, warmupInitLR: Double = 0) {
        precondition(warmupUpdates >= 0)
        self.peakLR = peakLR
        self.warmupUpdates = warmupUpdates
        self.warmupInitLR = warmupInitLR
    }

    /// The learning rate for update number `update` (1-based, as fairseq's `step_update(num_updates)`
    /// is called after the update counter has been incremented; 0 gives the initial rate).
    public func learningRate(update: Int) -> Double {
        if update < warmupUpdates {
            return warmupInitLR + Double(update) * (peakLR - warmupInitLR) / Double(warmupUpdates)
        }
        return peakLR * (Double(max(warmupUpdates, 1)) / Double(max(update, 1))).squareRoot()
    }
}

/// Linear warm-up from `warmupInitLR` to `peakLR` over `warmupUpdates`, then linear decay to `endLR`
/// at `totalUpdates`, constant `endLR` afterwards (fairseq's `polynomial_decay` with power 1).
public struct LinearSchedule: WarmupDecaySchedule, Equatable, Codable {
    public var peakLR: Double, warmupUpdates: Int, totalUpdates: Int, warmupInitLR: Double, endLR: Double

    public init(peakLR: Double, warmupUpdates: Int, totalUpdates: Int, warmupInitLR: Double = 0, endLR: Double = 0) {
        precondition(warmupUpdates >= 0 && totalUpdates >= warmupUpdates)
        self.peakLR = peakLR; self.warmupUpdates = warmupUpdates; self.totalUpdates = totalUpdates
        self.warmupInitLR = warmupInitLR; self.endLR = endLR
    }

    /// Linear from `peakLR` (progress 0) to `endLR` (progress 1).
    public func decayed(progress: Double) -> Double { peakLR + (endLR - peakLR) * progress }
}

/// Linear warm-up as above, then half a cosine from `peakLR` down to `endLR` at `totalUpdates`:
/// `endLR + (peakLR − endLR)·(1 + cos(π·progress))/2`, constant `endLR` afterwards (no restarts).
public struct CosineSchedule: WarmupDecaySchedule, Equatable, Codable {
    public var peakLR: Double, warmupUpdates: Int, totalUpdates: Int, warmupInitLR: Double, endLR: Double

    public init(peakLR: Double, warmupUpdates: Int, totalUpdates: Int, warmupInitLR: Double = 0, endLR: Double = 0) {
        precondition(warmupUpdates >= 0 && totalUpdates >= warmupUpdates)
        self.peakLR = peakLR; self.warmupUpdates = warmupUpdates; self.totalUpdates = totalUpdates
        self.warmupInitLR = warmupInitLR; self.endLR = endLR
    }

    /// Half a cosine from `peakLR` (progress 0) to `endLR` (progress 1).
    public func decayed(progress: Double) -> Double { endLR + (peakLR - endLR) * (1 + cos(Double.pi * progress)) / 2 }
}

/// Linear warm-up from `warmupInitLR` to `peakLR` over `warmupUpdates`, then a decay shape from
/// `peakLR` to `endLR` at `totalUpdates`, constant `endLR` afterwards. Conformers give the shape.
public protocol WarmupDecaySchedule: LearningRateSchedule {
    var peakLR: Double { get }
    var warmupUpdates: Int { get }
    var totalUpdates: Int { get }
    var warmupInitLR: Double { get }
    var endLR: Double { get }
    /// The rate at `progress` in [0, 1] of the decay phase.
    func decayed(progress: Double) -> Double
}

extension WarmupDecaySchedule {
    public func learningRate(update: Int) -> Double {
        if update < warmupUpdates {
            return warmupInitLR + Double(update) * (peakLR - warmupInitLR) / Double(warmupUpdates)
        }
        if update >= totalUpdates { return update == warmupUpdates ? peakLR : endLR }
        return decayed(progress: Double(update - warmupUpdates) / Double(totalUpdates - warmupUpdates))
    }
}
