import CFFTW
import Foundation

/// FFTW's planner is not thread-safe: every plan creation and destruction goes through this lock.
private let fftwPlannerLock = NSLock()

/// A single-precision real-to-complex FFT of fixed length `n` with its own aligned buffers.
///
/// Planned with FFTW_ESTIMATE so that results are identical from run to run (FFTW_MEASURE may pick
/// a different algorithm each time). One instance per thread; the type is `@unchecked Sendable` only
/// so that it can be moved into a worker.
public final class RealFFT: @unchecked Sendable {
    public let n: Int
    /// Input: `n` real samples (64-byte aligned).
    public let input: UnsafeMutablePointer<Float>
    /// Output: `n/2 + 1` complex bins as interleaved (re, im) pairs.
    public let output: UnsafeMutablePointer<Float>
    private let plan: fftwf_plan

    public init(length n: Int) {
        self.n = n
        let inp = fftwf_alloc_real(n)!
        let out = fftwf_alloc_complex(n / 2 + 1)!
        fftwPlannerLock.lock()
        plan = fftwf_plan_dft_r2c_1d(Int32(n), inp, out, UInt32(FFTW_ESTIMATE))!
        fftwPlannerLock.unlock()
        input = inp
        output = UnsafeMutableRawPointer(out).bindMemory(to: Float.self, capacity: 2 * (n / 2 + 1))
        input.initialize(repeating: 0, count: n)
    }

    /// Transforms `input` into `output`.
    public func execute() { fftwf_execute(plan) }

    deinit {
        fftwPlannerLock.lock()
        fftwf_destroy_plan(plan)
        fftwPlannerLock.unlock()
        fftwf_free(input)
        fftwf_free(UnsafeMutableRawPointer(output))
    }
}
