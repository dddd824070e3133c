/// fairseq's inverse square root schedule: linear warm-up from `warmupInitLR` to `peakLR` over
/// `warmupUpdates`, then `peakLR * sqrt(warmupUpdates / update)`.
public struct InverseSquareRootSchedule: Sendable, Equatable, Codable {
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
