import Foundation

/// The parts of a serialized SentencePiece `ModelProto` (sentencepiece_model.proto) that callers
/// inspect: the pieces with their scores and types, the trainer spec (the options the model was
/// trained with) and the normaliser name. Read with a small protobuf wire-format reader, so no
/// protobuf library is needed; unknown fields are skipped.
public struct SentencePieceModelProto: Sendable, Equatable {
    /// `ModelProto.SentencePiece.Type`.
    public enum PieceType: Int, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    public struct Piece: Sendable, Equatable {
        public var piece: String
        public var score: Float
        public var type: PieceType
    }

    public var pieces: [Piece] = []
    public var trainerSpec = TrainerSpec()
    /// `normalizer_spec.name` (`nmt_nfkc` by default).
    public var normalizerName: String = ""
    /// `normalizer_spec.precompiled_charsmap`: the normalisation table, which differs between
    /// library versions (0.1.97 and 0.2.3 embed different tables for `nmt_nfkc`).
    public var precompiledCharsmap = Data()

    /// The trainer spec's fields that `SentencePieceTrainer.Options` has, with
    /// SentencePiece's defaults for fields the model does not store.
    public struct TrainerSpec: Sendable, Equatable {
        public var input: [String] = []
        public var modelPrefix = ""
        public var modelType: SentencePieceTrainer.ModelType = .unigram
        public var vocabSize = 8000
        public var characterCoverage: Float = 0.9995
        public var inputSentenceSize: UInt64 = 0
        public var shuffleInputSentence = true
        public var seedSentencepieceSize = 1_000_000
        public var shrinkingFactor: Float = 0.75
        public var maxSentenceLength = 4192
        public var numThreads = 16
        public var numSubIterations = 2
        public var maxSentencepieceLength = 16
        public var splitByUnicodeScript = true
        public var splitByNumber = true
        public var splitByWhitespace = true
        public var splitDigits = false
        public var controlSymbols: [String] = []
        public var userDefinedSymbols: [String] = []
        public var byteFallback = false
        public var hardVocabLimit = true
        public var useAllVocab = false
        public var unkId = 0
        public var bosId = 1
        public var eosId = 2
        public var padId = -1
        public var unkPiece = "<unk>"
        public var bosPiece = "<s>"
        public var eosPiece = "</s>"
        public var padPiece = "<pad>"
    }

    /// Parses serialized model bytes; `file` names the source in errors.
    public init(serialized data: Data, file: String = "<memory>") throws {
        var r = WireReader(bytes: [UInt8](data), file: file)
        while let (field, wire) = try r.nextKey() {
            switch (field, wire) {
            case (1, 2): pieces.append(try Self.parsePiece(r.subReader()))
            case (2, 2): trainerSpec = try Self.parseTrainerSpec(r.subReader())
            case (3, 2):
                var n = try r.subReader()
                while let (f, w) = try n.nextKey() {
                    switch (f, w) {
                    case (1, 2): normalizerName = try n.string()
                    case (2, 2): precompiledCharsmap = Data(try n.lengthDelimited())
                    default: try n.skip(w)
                    }
                }
            default: try r.skip(wire)
            }
        }
    }

    private static func parsePiece(_ reader: WireReader) throws -> Piece {
        var r = reader
        var p = Piece(piece: "", score: 0, type: .normal)
        while let (f, w) = try r.nextKey() {
            switch (f, w) {
            case (1, 2): p.piece = try r.string()
            case (2, 5): p.score = Float(bitPattern: try r.fixed32())
            case (3, 0): p.type = PieceType(rawValue: Int(try r.varint())) ?? .normal
            default: try r.skip(w)
            }
        }
        return p
    }

    private static func parseTrainerSpec(_ reader: WireReader) throws -> TrainerSpec {
        var r = reader
        var s = TrainerSpec()
        while let (f, w) = try r.nextKey() {
            switch (f, w) {
            case (1, 2): s.input.append(try r.string())
            case (2, 2): s.modelPrefix = try r.string()
            case (3, 0):
                let v = try r.varint()
                s.modelType = [1: .unigram, 2: .bpe, 3: .word, 4: .char][v] ?? .unigram
            case (4, 0): s.vocabSize = try r.int32()
            case (10, 5): s.characterCoverage = Float(bitPattern: try r.fixed32())
            case (11, 0): s.inputSentenceSize = try r.varint()
            case (19, 0): s.shuffleInputSentence = try r.varint() != 0
            case (14, 0): s.seedSentencepieceSize = try r.int32()
            case (15, 5): s.shrinkingFactor = Float(bitPattern: try r.fixed32())
            case (18, 0): s.maxSentenceLength = try r.int32()
            case (16, 0): s.numThreads = try r.int32()
            case (17, 0): s.numSubIterations = try r.int32()
            case (20, 0): s.maxSentencepieceLength = try r.int32()
            case (21, 0): s.splitByUnicodeScript = try r.varint() != 0
            case (23, 0): s.splitByNumber = try r.varint() != 0
            case (22, 0): s.splitByWhitespace = try r.varint() != 0
            case (25, 0): s.splitDigits = try r.varint() != 0
            case (30, 2): s.controlSymbols.append(try r.string())
            case (31, 2): s.userDefinedSymbols.append(try r.string())
            case (35, 0): s.byteFallback = try r.varint() != 0
            case (33, 0): s.hardVocabLimit = try r.varint() != 0
            case (34, 0): s.useAllVocab = try r.varint() != 0
            case (40, 0): s.unkId = try r.int32()
            case (41, 0): s.bosId = try r.int32()
            case (42, 0): s.eosId = try r.int32()
            case (43, 0): s.padId = try r.int32()
            case (45, 2): s.unkPiece = try r.string()
            case (46, 2): s.bosPiece = try r.string()
            case (47, 2): s.eosPiece = try r.string()
            case (48, 2): s.padPiece = try r.string()
            default: try r.skip(w)
            }
        }
        return s
    }
}

/// Protobuf wire format: keys, varints, fixed32/64 and length-delimited fields.
struct WireReader {
    let buffer: [UInt8]
    var position: Int
    let end: Int
    let file: String

    init(bytes: [UInt8], file: String) {
        self.buffer = bytes; position = 0; end = bytes.count; self.file = file
    }

    private init(bytes: [UInt8], start: Int, end: Int, file: String) {
        self.buffer = bytes; position = start; self.end = end; self.file = file
    }

    private func corrupt(_ what: String) -> TokenizerError {
        .invalidModel(file: file, reason: "not a SentencePiece model (\(what) at byte \(position))")
    }

    mutating func nextKey() throws -> (Int, Int)? {
        if position >= end { return nil }
        let key = try varint()
        let field = Int(key >> 3)
        guard field > 0 else { throw corrupt("field number 0") }
        return (field, Int(key & 7))
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end, shift < 64 else { throw corrupt("truncated varint") }
            let b = buffer[position]
            position += 1
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// An int32 field (negative values are sign-extended to 64 bits on the wire).
    mutating func int32() throws -> Int { Int(Int32(truncatingIfNeeded: Int64(bitPattern: try varint()))) }

    mutating func fixed32() throws -> UInt32 {
        guard position + 4 <= end else { throw corrupt("truncated fixed32") }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(buffer[position + i]) << (8 * UInt32(i)) }
        position += 4
        return v
    }

    mutating func length() throws -> Int {
        let n = try varint()
        guard n <= UInt64(end - position) else { throw corrupt("length past the end") }
        return Int(n)
    }

    mutating func lengthDelimited() throws -> ArraySlice<UInt8> {
        let n = try length()
        defer { position += n }
        return buffer[position..<position + n]
    }

    mutating func string() throws -> String { String(decoding: try lengthDelimited(), as: UTF8.self) }

    mutating func subReader() throws -> WireReader {
        let n = try length()
        defer { position += n }
        return WireReader(bytes: buffer, start: position, end: position + n, file: file)
    }

    mutating func skip(_ wire: Int) throws {
        switch wire {
        case 0: _ = try varint()
        case 1:
            guard position + 8 <= end else { throw corrupt("truncated fixed64") }
            position += 8
        case 2: position += try length()
        case 5:
            guard position + 4 <= end else { throw corrupt("truncated fixed32") }
            position += 4
        default: throw corrupt("wire type \(wire)")
        }
    }
}
