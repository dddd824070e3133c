import Testing
import Autograd

@Suite struct GradientModeTests {
    @Test func modesDiffer() {
        #expect(GradientMode.recording != GradientMode.inference)
    }
}
