/// A contiguous row-major tensor of `Int32` (token ids, lengths, masks); value semantics through `Array`.
public struct Int32Tensor: Sendable, Equatable, CustomStringConvertible {
    public private(set) var shape: [Int]
    public var scalars: [Int32]

    public var count: Int { scalars.count }
    public var rank: Int { shape.count }

    /// - Precondition: `scalars.count` equals the element count of `shape`.
    public init(shape: [Int], scalars: [Int32]) {
        precondition(Shape.count(shape) == scalars.count,
                     "\(scalars.count) values do not fill shape \(shape) (\(Shape.count(shape)) elements)")
        self.shape = shape
        self.scalars = scalars
    }

    public init(shape: [Int], repeating value: Int32) {
        self.init(shape: shape, scalars: [Int32](repeating: value, count: Shape.count(shape)))
    }

    /// Validating form for user data. - Throws: `TensorError.elementCountMismatch`.
    public init(validatingShape shape: [Int], scalars: [Int32]) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw TensorError.invalidShape(shape) }
        guard Shape.count(shape) == scalars.count else {
            throw TensorError.elementCountMismatch(shape: shape, count: scalars.count)
        }
        self.init(shape: shape, scalars: scalars)
    }

    public func reshaped(_ newShape: [Int]) -> Int32Tensor {
        precondition(Shape.count(newShape) == count, "cannot reshape \(shape) to \(newShape)")
        return Int32Tensor(shape: newShape, scalars: scalars)
    }

    /// - Throws: `TensorError.indexOutOfRange` for the first value outside `0..<bound`
    ///   (check token ids from data before an embedding lookup, whose kernel only has a precondition).
    public func validate(below bound: Int, operation: String = "index check") throws {
        if let bad = scalars.first(where: { $0 < 0 || Int($0) >= bound }) {
            throw TensorError.indexOutOfRange(operation: operation, index: Int(bad), bound: bound)
        }
    }

    public var description: String {
        "Int32Tensor(shape: \(shape), \(Array(scalars.prefix(8)))\(count > 8 ? "…" : ""))"
    }
}
