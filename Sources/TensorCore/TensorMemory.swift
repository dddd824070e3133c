import Synchronization

/// Bytes held by live tensor storages in this process (the engine-tracked memory of the efficiency
/// report): every `TensorStorage` adds its size when made and subtracts it when freed. A counter of
/// what exists, not a setting: nothing reads it to decide anything.
public enum TensorMemory {
    private static let live = Atomic<Int>(0)
    private static let peak = Atomic<Int>(0)

    /// Bytes in live tensors now.
    public static var liveBytes: Int { live.load(ordering: .relaxed) }
    /// The most bytes live at once since the last `resetPeak()`.
    public static var peakBytes: Int { peak.load(ordering: .relaxed) }
    /// Starts a new peak measurement from the current level.
    public static func resetPeak() { peak.store(live.load(ordering: .relaxed), ordering: .relaxed) }

    static func allocated(_ bytes: Int) {
        let now = live.wrappingAdd(bytes, ordering: .relaxed).newValue
        var seen = peak.load(ordering: .relaxed)
        while now > seen {
            let (exchanged, original) = peak.compareExchange(expected: seen, desired: now, ordering: .relaxed)
            if exchanged { break }
            seen = original
        }
    }

    static func freed(_ bytes: Int) { live.wrappingSubtract(bytes, ordering: .relaxed) }
}
