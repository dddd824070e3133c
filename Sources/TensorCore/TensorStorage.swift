/// The buffer behind a `Tensor`: a 64-byte-aligned block of `Float`s (from `buffers`, the cache of the
/// context that made it, or from malloc), shared between tensor values until one of them writes
/// (copy-on-write, decided by `isKnownUniquelyReferenced` in `Tensor`). A copy comes from the same cache.
///
/// `@unchecked Sendable`: a storage shared by several values is only ever read; a write goes to a
/// uniquely referenced storage (or a fresh copy), so no two threads write one storage through `Tensor`.
public final class TensorStorage: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>
    /// The cache the buffer came from and goes back to (nil: malloc/free).
    public let buffers: BufferCache?

    /// Uninitialised storage of `count` floats (callers fill it before reading).
    init(uninitializedCount count: Int, buffers: BufferCache?) {
        self.count = count
        self.buffers = buffers
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let raw = buffers?.allocate(bytes: bytes) ?? UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        TensorMemory.allocated(bytes)
    }

    convenience init(repeating value: Float, count: Int, buffers: BufferCache?) {
        self.init(uninitializedCount: count, buffers: buffers)
        pointer.initialize(repeating: value, count: count)
    }

    @usableFromInline func copy() -> TensorStorage {
        let s = TensorStorage(uninitializedCount: count, buffers: buffers)
        s.pointer.update(from: pointer, count: count)
        return s
    }

    deinit {
        TensorMemory.freed(max(count, 1) * MemoryLayout<Float>.stride)
        if let buffers {
            buffers.release(UnsafeMutableRawPointer(pointer), bytes: max(count, 1) * MemoryLayout<Float>.stride)
        } else {
            pointer.deallocate()
        }
    }
}
