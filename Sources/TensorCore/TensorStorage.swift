/// The buffer behind a `Tensor`: a 64-byte-aligned block of `Float`s (from `BufferCache.shared`), shared between tensor values
/// until one of them writes (copy-on-write, decided by `isKnownUniquelyReferenced` in `Tensor`).
///
/// `@unchecked Sendable`: a storage shared by several values is only ever read; a write goes to a
/// uniquely referenced storage (or a fresh copy), so no two threads write one storage through `Tensor`.
public final class TensorStorage: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    /// Uninitialised storage of `count` floats (callers fill it before reading).
    init(uninitializedCount count: Int) {
        self.count = count
        let raw = BufferCache.shared.allocate(bytes: max(count, 1) * MemoryLayout<Float>.stride)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    convenience init(repeating value: Float, count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    @usableFromInline func copy() -> TensorStorage {
        let s = TensorStorage(uninitializedCount: count)
        s.pointer.update(from: pointer, count: count)
        return s
    }

    deinit { BufferCache.shared.release(UnsafeMutableRawPointer(pointer), bytes: max(count, 1) * MemoryLayout<Float>.stride) }
}
