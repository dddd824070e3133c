import CSentencePiece
import Foundation

/// A loaded SentencePiece model (a `.model` file of the Python package or `spm_train`): encoding to
/// ids or pieces, decoding, and the vocabulary. Immutable once loaded and safe to share between
/// threads. Encoding and decoding are those of libsentencepiece; a given model encodes the same
/// with the system's 0.1.97 as with Python's 0.2.3.
public final class SentencePieceModel: @unchecked Sendable {
    private let handle: OpaquePointer
    /// Where the model came from (a path, or `<memory>`), for messages.
    public let source: String

    /// How to segment.
    public enum Sampling: Sendable, Equatable {
        /// The best segmentation (what fairseq and the goldens use).
        case none
        /// Subword regularisation: unigram samples from the `nbestSize` best segmentations
        /// (-1: all) with smoothing `alpha`; BPE applies BPE-dropout with probability `alpha`.
        /// Draws from SentencePiece's own thread-local generator, which cannot be re-seeded once a
        /// thread has sampled, so samples are not reproducible call by call.
        case sample(nbestSize: Int, alpha: Float)
    }

    /// Loads a `.model` file.
    public convenience init(contentsOf url: URL) throws {
        let data = try AtomicFile.read(url)
        try self.init(serialized: data, source: url.path)
    }

    /// Loads serialized model bytes.
    public init(serialized data: Data, source: String = "<memory>") throws {
        var error: UnsafeMutablePointer<CChar>?
        let h = data.withUnsafeBytes { spm_load_bytes($0.baseAddress, $0.count, &error) }
        guard let h else {
            let message = Self.take(error) ?? ""
            let reason = message.contains("ParseFromArray") ? "not a SentencePiece model (the protobuf does not parse)"
                                                             : Self.readable(message)
            throw TokenizerError.invalidModel(file: source, reason: reason)
        }
        handle = h
        self.source = source
    }

    deinit { spm_processor_free(handle) }

    /// The serialized model: the bytes of a `.model` file.
    public var serializedData: Data {
        var bytes: UnsafeMutablePointer<CChar>?
        var n = 0
        var error: UnsafeMutablePointer<CChar>?
        guard spm_serialized_model(handle, &bytes, &n, &error) == 0, let bytes else {
            _ = Self.take(error)
            return Data()
        }
        defer { spm_free(bytes) }
        return Data(bytes: bytes, count: n)
    }

    /// The parsed model: pieces with scores and types, trainer spec, normaliser.
    public func modelProto() throws -> SentencePieceModelProto {
        try SentencePieceModelProto(serialized: serializedData, file: source)
    }

    // MARK: Vocabulary

    /// Number of pieces.
    public var vocabularySize: Int { Int(spm_vocab_size(handle)) }

    /// The piece of `id`, or nil when `id` is outside the vocabulary.
    public func piece(forID id: Int32) -> String? {
        var n = 0
        guard let p = spm_id_to_piece(handle, id, &n) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: n), as: UTF8.self)
    }

    /// The id of `piece`, or `unknownID` when it is not in the vocabulary.
    public func id(forPiece piece: String) -> Int32 {
        var p = piece
        return p.withUTF8 { spm_piece_to_id(handle, UnsafeRawPointer($0.baseAddress)?.assumingMemoryBound(to: CChar.self), $0.count) }
    }

    /// The score of `id` (log probability for unigram, minus the merge rank for BPE).
    public func score(forID id: Int32) -> Float { spm_score(handle, id) }

    /// All pieces in id order.
    public var pieces: [String] { (0..<Int32(vocabularySize)).map { piece(forID: $0) ?? "" } }

    /// The special ids defined by the model; nil when the model has none (id -1).
    public var unknownID: Int32? { Self.optional(spm_unk_id(handle)) }
    public var bosID: Int32? { Self.optional(spm_bos_id(handle)) }
    public var eosID: Int32? { Self.optional(spm_eos_id(handle)) }
    public var padID: Int32? { Self.optional(spm_pad_id(handle)) }

    // MARK: Encoding

    /// Encodes `text` to ids, optionally with the model's BOS/EOS ids around them
    /// (Python's `encode(text, add_bos=, add_eos=)`).
    public func encode(_ text: String, addBOS: Bool = false, addEOS: Bool = false, sampling: Sampling = .none) throws -> [Int32] {
        var s = text
        var ids: UnsafeMutablePointer<Int32>?
        var count = 0
        var error: UnsafeMutablePointer<CChar>?
        let rc = s.withUTF8 { buf in
            buf.withMemoryRebound(to: CChar.self) { spm_encode_ids(handle, $0.baseAddress, $0.count, Self.options(sampling), &ids, &count, &error) }
        }
        guard rc == 0, let ids else { throw TokenizerError.sentencePiece(operation: "encode", message: Self.take(error) ?? "failed") }
        defer { spm_free(ids) }
        var out = [Int32]()
        out.reserveCapacity(count + 2)
        if addBOS, let b = bosID { out.append(b) }
        out.append(contentsOf: UnsafeBufferPointer(start: ids, count: count))
        if addEOS, let e = eosID { out.append(e) }
        return out
    }

    /// Encodes `text` to pieces (Python's `encode(text, out_type=str)`). Unknown characters come
    /// out as their surface text (a run of them as one piece), not as `<unk>`.
    public func encodeAsPieces(_ text: String, sampling: Sampling = .none) throws -> [String] {
        var s = text
        var bytes: UnsafeMutablePointer<CChar>?
        var lengths: UnsafeMutablePointer<Int>?
        var count = 0
        var error: UnsafeMutablePointer<CChar>?
        let rc = s.withUTF8 { buf in
            buf.withMemoryRebound(to: CChar.self) {
                spm_encode_pieces(handle, $0.baseAddress, $0.count, Self.options(sampling), &bytes, &lengths, &count, &error)
            }
        }
        guard rc == 0, let bytes, let lengths else {
            throw TokenizerError.sentencePiece(operation: "encode", message: Self.take(error) ?? "failed")
        }
        defer { spm_free(bytes); spm_free(lengths) }
        var out = [String]()
        out.reserveCapacity(count)
        var offset = 0
        for i in 0..<count {
            let n = lengths[i]
            out.append(String(decoding: UnsafeRawBufferPointer(start: bytes + offset, count: n), as: UTF8.self))
            offset += n
        }
        return out
    }

    // MARK: Decoding

    /// Decodes ids to text (unknown ids decode to ` ⁇ `). An id outside the vocabulary is an error.
    public func decode(ids: [Int32]) throws -> String {
        var text: UnsafeMutablePointer<CChar>?
        var n = 0
        var error: UnsafeMutablePointer<CChar>?
        let rc = ids.withUnsafeBufferPointer { spm_decode_ids(handle, $0.baseAddress, $0.count, &text, &n, &error) }
        return try Self.takeText(rc, text, n, error)
    }

    /// Decodes pieces to text.
    public func decode(pieces: [String]) throws -> String {
        let utf8 = pieces.map { Array($0.utf8) }
        var text: UnsafeMutablePointer<CChar>?
        var n = 0
        var error: UnsafeMutablePointer<CChar>?
        let lengths = utf8.map(\.count)
        let rc: Int32 = Self.withPointers(utf8) { pointers in
            lengths.withUnsafeBufferPointer { l in
                spm_decode_pieces(handle, pointers.baseAddress, l.baseAddress, pointers.count, &text, &n, &error)
            }
        }
        return try Self.takeText(rc, text, n, error)
    }

    /// Writes the model (`.model` bytes) atomically.
    public func write(to url: URL, overwrite: Bool = false) throws {
        try AtomicFile.write(serializedData, to: url, overwrite: overwrite)
    }

    /// The `.vocab` text `spm_train` writes: `piece<TAB>score` per line, the score printed as C++
    /// streams print a float (6 significant digits, e.g. `-0`, `-2.31554`).
    public var vocabText: String {
        var s = ""
        for id in 0..<Int32(vocabularySize) {
            s += (piece(forID: id) ?? "") + "\t" + String(format: "%g", Double(score(forID: id))) + "\n"
        }
        return s
    }

    // MARK: Helpers

    private static func options(_ s: Sampling) -> spm_encode_options {
        switch s {
        case .none: spm_encode_options(sample: 0, nbest_size: 0, alpha: 0)
        case let .sample(n, a): spm_encode_options(sample: 1, nbest_size: Int32(clamping: n), alpha: a)
        }
    }

    private static func optional(_ id: Int32) -> Int32? { id < 0 ? nil : id }

    /// Takes ownership of a C error message.
    static func take(_ error: UnsafeMutablePointer<CChar>?) -> String? {
        guard let error else { return nil }
        defer { spm_free(error) }
        return readable(String(cString: error))
    }

    /// Drops the source location of a failed library check, keeping its explanation:
    /// `cannot train: Internal: ./src/trainer_interface.cc(660) [(a) == (b)] Vocabulary size too high`
    /// becomes `cannot train: Vocabulary size too high`.
    static func readable(_ message: String) -> String {
        guard let src = message.range(of: "./src/"), let close = message.range(of: "] ", range: src.upperBound..<message.endIndex)
        else { return message }
        let explanation = message[close.upperBound...].trimmingCharacters(in: .whitespaces)
        guard !explanation.isEmpty else { return message }
        var head = message[..<src.lowerBound]
        for code in ["Internal: ", "Invalid argument: ", "Out of range: ", "Failed precondition: "] where head.hasSuffix(code) {
            head = head.dropLast(code.count)
        }
        return head + explanation
    }

    private static func takeText(_ rc: Int32, _ text: UnsafeMutablePointer<CChar>?, _ n: Int,
                                 _ error: UnsafeMutablePointer<CChar>?) throws -> String {
        guard rc == 0, let text else {
            throw TokenizerError.sentencePiece(operation: "decode", message: take(error) ?? "failed")
        }
        defer { spm_free(text) }
        return String(decoding: UnsafeRawBufferPointer(start: text, count: n), as: UTF8.self)
    }

    /// Calls `body` with C pointers to each byte array (valid only during the call).
    static func withPointers<R>(_ arrays: [[UInt8]], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) -> R) -> R {
        let storage = arrays.map { bytes -> UnsafeMutablePointer<CChar> in
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
            bytes.withUnsafeBufferPointer { b in
                if let base = b.baseAddress {
                    UnsafeMutableRawPointer(p).copyMemory(from: base, byteCount: bytes.count)
                }
            }
            return p
        }
        defer { for p in storage { p.deallocate() } }
        let pointers: [UnsafePointer<CChar>?] = storage.map { UnsafePointer($0) }
        return pointers.withUnsafeBufferPointer(body)
    }
}
