import Foundation

/// A job of one process: rank 0 of 1, where every collective leaves its data as it is.
public final class SingleProcessCommunicator: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public var summary: String { "single process" }
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>, operation: String) throws {}
    public func allReduceSum(buckets: [UnsafeMutableBufferPointer<Float>], operation: String) throws {}
    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int, operation: String) throws {
        precondition(root == 0, "a single process has only rank 0")
    }
    public func allGather(_ bytes: [UInt8], operation: String) throws -> [[UInt8]] { [bytes] }
    public func barrier(operation: String) throws {}
    public func abort(message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(code)
    }
    public func finish() {}
}
