import Foundation

/// Progress of a long job: a bar with rate and ETA on a terminal, plain lines every `interval`
/// seconds otherwise (logs, CI).
final class ProgressReporter {
    let label: String
    let total: Int
    let unit: String
    /// Items done before this process started (a resumed job): not counted in the rate.
    let initial: Int
    private let start = Date()
    private var lastPrint = Date.distantPast
    private let interval: TimeInterval
    private let terminal: Bool

    init(label: String, total: Int, unit: String = "utt", initial: Int = 0, interval: TimeInterval = 10,
         terminal: Bool = Console.isTerminal) {
        self.label = label
        self.total = total
        self.unit = unit
        self.initial = initial
        self.interval = terminal ? 0.2 : interval
        self.terminal = terminal
    }

    /// Reports `done` items out of `total`; prints only when the interval has passed (or at the end).
    func update(_ done: Int, extra: String = "") {
        let now = Date()
        guard done >= total || now.timeIntervalSince(lastPrint) >= interval else { return }
        lastPrint = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done - initial) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let pct = total > 0 ? 100 * Double(done) / Double(total) : 100
        let stats = String(format: "%d/%d %@ %.1f%% %.1f %@/s ETA %@", done, total, unit, pct, rate, unit, Self.clock(eta))
        if terminal {
            let width = 30
            let filled = total > 0 ? min(width, width * done / total) : width
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            Console.write("\r\(label) [\(bar)] \(stats) \(extra)\u{1B}[K" + (done >= total ? "\n" : ""))
        } else {
            Console.write("\(label): \(stats) \(extra)\n")
        }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
