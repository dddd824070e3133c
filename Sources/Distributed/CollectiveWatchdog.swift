import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Stops this process when one collective operation waits longer than `timeout` for the other
/// ranks (one of them has died, hangs, or diverged), so that a job never hangs: the process prints
/// what it was waiting in and exits with status 3; the launcher (`mpirun`, `srun`) then ends the
/// other ranks. A background thread checks once a second; starting and ending an operation only
/// takes a lock.
final class CollectiveWatchdog: @unchecked Sendable {
    let timeout: TimeInterval
    let who: String
    private let lock = NSLock()
    private var current: (operation: String, since: Date)?

    /// - Parameters:
    ///   - timeout: seconds a single collective may take (`MTLA_COLLECTIVE_TIMEOUT`).
    ///   - who: names this process in the message ("rank 1 of 4 on host").
    init(timeout: TimeInterval, who: String) {
        self.timeout = timeout
        self.who = who
        let thread = Thread { [weak self] in
            while let watchdog = self {
                watchdog.check()
                Thread.sleep(forTimeInterval: 1)
            }
        }
        thread.name = "mtla-collective-watchdog"
        thread.start()
    }

    /// Runs `body` (one collective) under the watchdog.
    func guarding<T>(_ operation: String, _ body: () throws -> T) rethrows -> T {
        lock.lock(); current = (operation, Date()); lock.unlock()
        defer { lock.lock(); current = nil; lock.unlock() }
        return try body()
    }

    private func check() {
        lock.lock()
        let waiting = current
        lock.unlock()
        guard let waiting, Date().timeIntervalSince(waiting.since) > timeout else { return }
        let message = "mtla \(who): '\(waiting.operation)' has waited \(Int(timeout)) s for the other ranks "
            + "(MTLA_COLLECTIVE_TIMEOUT); one of them has died or hangs: stopping the job\n"
        let bytes = Array(message.utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        _exit(3)
    }
}
