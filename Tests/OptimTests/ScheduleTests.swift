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

@Suite struct LinearAndCosineScheduleTests {
    @Test func linearWarmupThenDecay() {
        let s = LinearSchedule(peakLR: 1e-3, warmupUpdates: 10, totalUpdates: 110, warmupInitLR: 0, endLR: 1e-5)
        #expect(s.learningRate(update: 0) == 0)
        #expect(abs(s.learningRate(update: 5) - 5e-4) < 1e-15)
        #expect(abs(s.learningRate(update: 10) - 1e-3) < 1e-15)
        #expect(abs(s.learningRate(update: 60) - (1e-3 + (1e-5 - 1e-3) * 0.5)) < 1e-15)
        #expect(s.learningRate(update: 110) == 1e-5 && s.learningRate(update: 500) == 1e-5)
    }

    @Test func cosineWarmupThenHalfCosine() {
        let s = CosineSchedule(peakLR: 1e-3, warmupUpdates: 10, totalUpdates: 110, endLR: 1e-5)
        #expect(abs(s.learningRate(update: 10) - 1e-3) < 1e-15)
        #expect(abs(s.learningRate(update: 60) - (1e-5 + (1e-3 - 1e-5) / 2)) < 1e-15)
        #expect(abs(s.learningRate(update: 35) - (1e-5 + (1e-3 - 1e-5) * (1 + 0.5.squareRoot()) / 2)) < 1e-15)
        #expect(s.learningRate(update: 110) == 1e-5)
        let schedules: [any LearningRateSchedule] = [s, InverseSquareRootSchedule(peakLR: 1, warmupUpdates: 4)]
        #expect(schedules.map { $0.learningRate(update: 4) } == [s.learningRate(update: 4), 1])
    }
}
