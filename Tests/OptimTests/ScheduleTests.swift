import Testing
import Optim

@Suite struct ScheduleTests {
    /// fairseq inverse_sqrt: lr = warmup_init + step·(peak − warmup_init)/warmup during warm-up,
    /// then peak·sqrt(warmup/step).
    @Test func inverseSquareRootWarmupAndDecay() {
        let s = InverseSquareRootSchedule(peakLR: 2e-3, warmupUpdates: 100, warmupInitLR: 1e-7)
        #expect(abs(s.learningRate(update: 0) - 1e-7) < 1e-15)
        #expect(abs(s.learningRate(update: 50) - (1e-7 + 50 * (2e-3 - 1e-7) / 100)) < 1e-15)
        #expect(abs(s.learningRate(update: 100) - 2e-3) < 1e-15)
        #expect(abs(s.learningRate(update: 400) - 1e-3) < 1e-15)
    }
}
