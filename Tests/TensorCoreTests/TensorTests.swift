import SeededRandom
import TensorCore
import Testing

@Suite struct TensorTests {
    @Test func copyOnWrite() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        var b = a
        #expect(b.sharesStorage(with: a))
        b[0, 1] = 20
        #expect(!b.sharesStorage(with: a))
        #expect(a[0, 1] == 2 && b[0, 1] == 20)
        let r = a.reshaped([3, -1])
        #expect(r.shape == [3, 2] && r.sharesStorage(with: a))
    }

    @Test func validatingInitialisersThrowTypedErrors() {
        #expect(throws: TensorError.elementCountMismatch(shape: [2, 2], count: 3)) {
            try Tensor(validatingShape: [2, 2], scalars: [1, 2, 3])
        }
        #expect(throws: TensorError.invalidShape([-2, 2])) { try Tensor(validatingShape: [-2, 2], scalars: []) }
        #expect(throws: TensorError.shapeMismatch(operation: "reshape", expected: [4, 2], got: [2, 3])) {
            try Tensor(zeros: [2, 3]).reshaped(validating: [4, 2])
        }
        #expect(throws: TensorError.indexOutOfRange(operation: "embedding", index: 7, bound: 5)) {
            try Int32Tensor(shape: [3], scalars: [0, 7, 2]).validate(below: 5, operation: "embedding")
        }
    }

    @Test func scalarTensor() {
        let s = Tensor(3)
        #expect(s.shape == [] && s.count == 1 && s.item == 3)
        #expect((Tensor(shape: [2], scalars: [1, 2]) * s).scalars == [3, 6])
    }

    @Test func parallelForCoversEveryIndexOnce() {
        for threads in 1...4 {
            let ctx = ComputeContext(threads: threads)
            for n in [0, 1, 3, 17, 1000] {
                var hits = [Int](repeating: 0, count: n)
                hits.withUnsafeMutableBufferPointer { h in
                    let p = h.baseAddress
                    ctx.parallelFor(n) { r in for i in r { p![i] += 1 } }
                }
                #expect(hits.allSatisfy { $0 == 1 }, "threads \(threads), n \(n)")
            }
        }
    }

    @Test func twoThreadsGiveBitIdenticalResults() {
        var g = Xoshiro256(seed: 3)
        let x = Tensor.randomNormal([64, 200], using: &g)
        let w = Tensor.randomNormal([200], using: &g)
        let one = ComputeContext.serial, two = ComputeContext(threads: 2)
        #expect(x.softmax(in: one) == x.softmax(in: two))
        #expect(x.logSoftmax(in: one) == x.logSoftmax(in: two))
        #expect(x.layerNorm(weight: w, bias: w, in: one) == x.layerNorm(weight: w, bias: w, in: two))
        #expect(x.activated(.geluTanh, in: one) == x.activated(.geluTanh, in: two))
        #expect(x.elementwise(.mul, w, in: one) == x.elementwise(.mul, w, in: two))
        let a = x.reshaped([8, 8, 200]), b = Tensor.randomNormal([8, 200, 16], using: &g)
        // (BLAS's thread count is process-wide and other suites set it concurrently, so it is not asserted here.)
        #expect(a.batchedMatmul(b, in: one) == a.batchedMatmul(b, in: two))
    }
}

@Suite struct MaskTests {
    @Test func paddingMaskMarksPositionsBeyondEachLength() {
        let m = Int32Tensor.paddingMask(lengths: [3, 1], maxLength: 3)
        #expect(m.shape == [2, 3] && m.scalars == [0, 0, 0, 0, 1, 1])
    }

    @Test func causalMaskHidesTheFuture() {
        #expect(Int32Tensor.causalMask(queries: 3, keys: 3).scalars == [0, 1, 1, 0, 0, 1, 0, 0, 0])
        #expect(Int32Tensor.causalMask(queries: 1, keys: 3, offset: 2).scalars == [0, 0, 0])
    }

    @Test func maskedSoftmaxOverKeyPadding() {
        // scores (B=2, H=1, T=1, S=3) with key padding (B, 1, 1, S) broadcast over heads and queries.
        let scores = Tensor(shape: [2, 1, 1, 3], repeating: 0)
        let mask = Int32Tensor.paddingMask(lengths: [3, 2], maxLength: 3).reshaped([2, 1, 1, 3])
        let p = scores.maskedFill(mask, with: -.infinity).softmax().scalars
        #expect(p.map { ($0 * 1e6).rounded() / 1e6 } == [0.333333, 0.333333, 0.333333, 0.5, 0.5, 0])
    }
}

@Suite struct BufferCacheTests {
    @Test func largeBuffersAreReusedAndTheLimitHolds() {
        let cache = BufferCache(limitBytes: 1 << 20)
        let a = cache.allocate(bytes: 1 << 18)
        cache.release(a, bytes: 1 << 18)
        #expect(cache.cachedBytes == 1 << 18)
        let b = cache.allocate(bytes: 1 << 18)
        #expect(a == b && cache.cachedBytes == 0, "same-size allocation reuses the freed buffer")
        let many = (0..<6).map { _ in cache.allocate(bytes: 1 << 18) }
        many.forEach { cache.release($0, bytes: 1 << 18) }
        #expect(cache.cachedBytes == 1 << 20, "never more than the limit kept")
        cache.setLimit(bytes: 1 << 18)
        #expect(cache.cachedBytes == 1 << 18)
        cache.trim()
        #expect(cache.cachedBytes == 0)
        cache.release(b, bytes: 1 << 18)
        cache.trim()
    }

    /// Requests share a buffer within a size class (a quarter of a power of two), and the statistics
    /// count fresh and reused large requests; small requests bypass the cache.
    @Test func sizeClassesLetNearbySizesShareBuffers() {
        #expect(BufferCache.sizeClass(1 << 16) == 1 << 16 && BufferCache.sizeClass(65_537) == 81_920)
        #expect(BufferCache.sizeClass(100_000) == 114_688 && BufferCache.sizeClass(114_688) == 114_688)
        #expect(BufferCache.sizeClass(3 << 20) == 3 << 20 && BufferCache.sizeClass((3 << 20) + 1) == (7 << 19))
        let cache = BufferCache(limitBytes: 1 << 22)
        let a = cache.allocate(bytes: 110_000)
        a.storeBytes(of: 1, toByteOffset: 114_687, as: UInt8.self)   // the whole class is usable
        cache.release(a, bytes: 110_000)
        let b = cache.allocate(bytes: 100_000)
        #expect(a == b && cache.statistics == BufferCache.Statistics(fresh: 1, reused: 1))
        let c = cache.allocate(bytes: 120_000)   // the next class: fresh
        let small = cache.allocate(bytes: 1_000)
        #expect(c != b && cache.statistics == BufferCache.Statistics(fresh: 2, reused: 1))
        cache.release(b, bytes: 100_000); cache.release(c, bytes: 120_000); cache.release(small, bytes: 1_000)
        #expect(cache.cachedBytes == 114_688 + 131_072)
        cache.trim()
    }
}
