// The buffer cache is owned by a ComputeContext (no process-wide instance): tensors made through a
// context reuse that context's buffers; kernels called with `.serial` take the cache of their input.
import SeededRandom
import TensorCore
import Testing

@Suite struct ContextBuffersTests {
    @Test func tensorsMadeThroughAContextReuseItsBuffers() throws {
        let ctx = ComputeContext(threads: 1)
        let cache = try #require(ctx.buffers)
        var a: Tensor? = Tensor(uninitializedShape: [1 << 16], in: ctx)
        let address = a!.withUnsafeBufferPointer { $0.baseAddress }
        #expect(a!.buffers === cache)
        a = nil
        #expect(cache.cachedBytes == 1 << 18, "the freed buffer went back to the context's cache")
        let b = Tensor(zeros: [1 << 16], in: ctx)
        #expect(b.withUnsafeBufferPointer { $0.baseAddress } == address && cache.cachedBytes == 0)
    }

    @Test func kernelOutputsComeFromTheGivenContextElseFromTheirInput() {
        var g = Xoshiro256(seed: 1)
        let ctx = ComputeContext(threads: 2)
        let x = Tensor.randomNormal([64, 32], using: &g)
        #expect(x.buffers == nil, "made without a context: malloc")
        #expect(x.matmul(x, transposeB: true, in: ctx).buffers === ctx.buffers)
        #expect(x.matmul(x, transposeB: true).buffers == nil)
        let y = x.softmax(in: ctx)
        #expect(y.affine(2).buffers === ctx.buffers, "a .serial call takes its input's cache")
        #expect(ComputeContext.serial.buffers == nil, "the shared default context holds no cache")
    }

    @Test func separateContextsHaveSeparateCaches() {
        let a = ComputeContext(threads: 1), b = ComputeContext(threads: 1)
        #expect(a.buffers !== b.buffers && a != b)
        let copy = a
        #expect(copy == a, "copies of a context share its cache")
    }

    @Test func aTensorOutlivingItsContextKeepsItsCacheAlive() {
        var t: Tensor
        do {
            let ctx = ComputeContext(threads: 1)
            t = Tensor(shape: [1 << 15], repeating: 3, in: ctx)
        }
        t[0] = 4
        #expect(t[1] == 3 && t[0] == 4)
    }
}
