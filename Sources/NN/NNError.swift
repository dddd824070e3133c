/// Errors of modules and checkpoints: each names the parameter path or file and what was expected.
public enum NNError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A checkpoint lacks a parameter the module has.
    case missingParameter(path: String, file: String)
    /// A checkpoint has a parameter the module does not.
    case unexpectedParameter(path: String, file: String)
    /// A checkpoint tensor has another shape than the module's parameter.
    case shapeMismatch(path: String, expected: [Int], found: [Int], file: String)
    /// The file cannot be read or written.
    case io(file: String, message: String)
    /// The file is shorter than its 8-byte header length plus the header it announces.
    case truncatedHeader(file: String, headerLength: UInt64, fileSize: Int)
    /// The JSON header is not valid (not JSON, not an object, or an entry lacks dtype/shape/data_offsets).
    case invalidHeader(file: String, reason: String)
    /// A tensor has a dtype other than F32, F16, BF16.
    case unsupportedDType(tensor: String, dtype: String, file: String)
    /// A tensor's data offsets lie outside the data section or are reversed.
    case offsetsOutOfBounds(tensor: String, begin: Int, end: Int, dataSize: Int, file: String)
    /// A tensor's byte range does not hold shape × element size bytes.
    case byteCountMismatch(tensor: String, shape: [Int], bytes: Int, file: String)
    /// The tensors' byte ranges overlap or leave holes in the data section.
    case dataNotContiguous(tensor: String, file: String)
    /// Checkpoints to average have different parameter names (the first differing one).
    case checkpointKeysDiffer(path: String, file: String)
    /// One (tied) parameter of the model is listed under two paths whose tensors in the checkpoint differ:
    /// it was saved by a model without that tie.
    case tiedParameterDiffers(path: String, tiedTo: String, file: String)

    public var description: String {
        switch self {
        case let .missingParameter(path, file): "\(file): no tensor '\(path)' (the model has this parameter)"
        case let .unexpectedParameter(path, file): "\(file): tensor '\(path)' is not a parameter of the model"
        case let .shapeMismatch(path, expected, found, file):
            "\(file): '\(path)' has shape \(found), the model expects \(expected)"
        case let .io(file, message): "\(file): \(message)"
        case let .truncatedHeader(file, headerLength, fileSize):
            "\(file): header of \(headerLength) bytes announced, file has \(fileSize) bytes"
        case let .invalidHeader(file, reason): "\(file): invalid safetensors header: \(reason)"
        case let .unsupportedDType(tensor, dtype, file):
            "\(file): tensor '\(tensor)' has dtype \(dtype) (F32, F16, BF16 and integers up to 2^24 are read)"
        case let .offsetsOutOfBounds(tensor, begin, end, dataSize, file):
            "\(file): tensor '\(tensor)' data offsets [\(begin), \(end)) outside the \(dataSize)-byte data section"
        case let .byteCountMismatch(tensor, shape, bytes, file):
            "\(file): tensor '\(tensor)' of shape \(shape) has \(bytes) bytes of data"
        case let .dataNotContiguous(tensor, file):
            "\(file): tensor '\(tensor)' data overlaps another tensor or leaves a gap"
        case let .checkpointKeysDiffer(path, file): "\(file): parameter '\(path)' differs from the first checkpoint's names"
        case let .tiedParameterDiffers(path, tiedTo, file):
            "\(file): '\(path)' and '\(tiedTo)' are one tied parameter of the model but differ in the file (saved without the tie?)"
        }
    }
}
