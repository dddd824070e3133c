import Testing
import TensorCore

@Suite struct ComputeContextTests {
    @Test func setsOpenBLASThreads() {
        ComputeContext(threads: 1).activate()
        #expect(ComputeContext.blasThreads == 1)
        ComputeContext(threads: 2).activate()
        #expect(ComputeContext.blasThreads == 2)
        #expect(!ComputeContext.blasCoreName.isEmpty)
    }
}
