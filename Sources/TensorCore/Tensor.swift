import SeededRandom

/// A contiguous row-major tensor of `Float` with value semantics (copy-on-write storage).
///
/// Shapes are `[Int]`; a scalar has shape `[]`. `reshaped` shares the storage; the first write to a
/// shared storage copies it.
public struct Tensor: Sendable, CustomStringConvertible {
    public private(set) var shape: [Int]
    @usableFromInline var storage: TensorStorage

    /// Number of elements.
    public var count: Int { storage.count }
    public var rank: Int { shape.count }

    /// A tensor of `shape` whose memory the caller fills (through `withUnsafeMutableBufferPointer`)
    /// before reading it; used by kernels writing their output.
    /// Memory comes from `ctx.buffers` (none for the default `.serial`: malloc).
    public init(uninitializedShape shape: [Int], in ctx: ComputeContext = .serial) {
        self.init(uninitializedShape: shape, buffers: ctx.buffers)
    }

    /// Memory from `buffers` (nil: malloc).
    public init(uninitializedShape shape: [Int], buffers: BufferCache?) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        self.shape = shape
        storage = TensorStorage(uninitializedCount: Shape.count(shape), buffers: buffers)
    }

    public init(shape: [Int], repeating value: Float, in ctx: ComputeContext = .serial) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        self.shape = shape
        storage = TensorStorage(repeating: value, count: Shape.count(shape), buffers: ctx.buffers)
    }

    public init(zeros shape: [Int], in ctx: ComputeContext = .serial) { self.init(shape: shape, repeating: 0, in: ctx) }

    /// The cache this tensor's memory came from (nil: malloc).
    public var buffers: BufferCache? { storage.buffers }

    /// An uninitialised tensor for a kernel's output: from `ctx`'s cache, else from this tensor's.
    @inlinable
    public func output(_ shape: [Int], _ ctx: ComputeContext = .serial) -> Tensor {
        Tensor(uninitializedShape: shape, buffers: ctx.buffers ?? storage.buffers)
    }

    /// - Precondition: `scalars.count` equals the element count of `shape`.
    public init(shape: [Int], scalars: [Float]) {
        precondition(Shape.count(shape) == scalars.count,
                     "\(scalars.count) values do not fill shape \(shape) (\(Shape.count(shape)) elements)")
        self.init(uninitializedShape: shape)
        scalars.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: scalars.count) }
    }

    /// Validating form for user data. - Throws: `TensorError.invalidShape`, `.elementCountMismatch`.
    public init(validatingShape shape: [Int], scalars: [Float]) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw TensorError.invalidShape(shape) }
        guard Shape.count(shape) == scalars.count else {
            throw TensorError.elementCountMismatch(shape: shape, count: scalars.count)
        }
        self.init(shape: shape, scalars: scalars)
    }

    /// A scalar tensor (shape `[]`).
    public init(_ value: Float) { self.init(shape: [], repeating: value) }

    /// Samples from N(mean, std²) drawn in row-major order from `generator`.
    public static func randomNormal<G: RandomNumberGenerator>(
        _ shape: [Int], mean: Float = 0, std: Float = 1, using generator: inout G
    ) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        for i in 0..<t.count { t.storage.pointer[i] = mean + std * Float(generator.nextGaussian()) }
        return t
    }

    /// Samples from U[low, high) drawn in row-major order from `generator`.
    public static func randomUniform<G: RandomNumberGenerator>(
        _ shape: [Int], low: Float = 0, high: Float = 1, using generator: inout G
    ) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        for i in 0..<t.count { t.storage.pointer[i] = low + (high - low) * Float(generator.nextUnitDouble()) }
        return t
    }

    /// The elements in row-major order.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }

    /// The single element of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item needs one element, shape is \(shape)")
        return storage.pointer[0]
    }

    /// The element at a full multi-index.
    public subscript(_ index: Int...) -> Float {
        get { storage.pointer[flatIndex(index)] }
        set { let i = flatIndex(index); makeUnique(); storage.pointer[i] = newValue }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == rank, "index \(index) has \(index.count) components, tensor has rank \(rank)")
        var flat = 0
        for (i, d) in zip(index, shape) {
            precondition(i >= 0 && i < d, "index \(index) out of bounds for shape \(shape)")
            flat = flat * d + i
        }
        return flat
    }

    /// The same elements with another shape (one dimension may be -1); shares storage.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        do { return try reshaped(validating: newShape) } catch {
            preconditionFailure("cannot reshape \(shape) to \(newShape)")
        }
    }

    /// - Throws: `TensorError.invalidShape` or `.shapeMismatch` if `newShape` does not hold `count` elements.
    public func reshaped(validating newShape: [Int]) throws -> Tensor {
        var resolved = newShape
        let unknown = newShape.indices.filter { newShape[$0] == -1 }
        guard unknown.count <= 1, newShape.allSatisfy({ $0 >= -1 }) else { throw TensorError.invalidShape(newShape) }
        if let u = unknown.first {
            let known = newShape.filter { $0 != -1 }.reduce(1, *)
            guard known > 0, count % known == 0 else {
                throw TensorError.shapeMismatch(operation: "reshape", expected: newShape, got: shape)
            }
            resolved[u] = count / known
        }
        guard Shape.count(resolved) == count else {
            throw TensorError.shapeMismatch(operation: "reshape", expected: newShape, got: shape)
        }
        var t = self
        t.shape = resolved
        return t
    }

    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Gives write access, copying the storage first if another tensor value shares it.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
    }

    @inlinable
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// Whether two tensors share one storage (for tests of copy-on-write).
    public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }

    public var description: String {
        let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(count > 8 ? ", …" : "")])"
    }
}

extension Tensor: Equatable {
    /// Equal shapes and bit-for-bit equal elements (NaN ≠ NaN).
    public static func == (a: Tensor, b: Tensor) -> Bool { a.shape == b.shape && a.scalars == b.scalars }
}
