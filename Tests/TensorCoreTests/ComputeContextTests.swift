import Testing
import TensorCore

@Suite struct ComputeContextTests {
    /// The engine splits GEMMs over its own workers; OpenBLAS's threads (which spin when idle) stay unused.
    @Test func activatePutsOpenBLASOnOneThread() {
        ComputeContext(threads: 2).activate()
        #expect(ComputeContext.blasThreads == 1)
        ComputeContext(threads: 1).activate()
        #expect(ComputeContext.blasThreads == 1)
        #expect(!ComputeContext.blasCoreName.isEmpty)
    }
}
