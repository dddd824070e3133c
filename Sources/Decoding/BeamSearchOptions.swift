/// fairseq's generation options (spec §4.5) under their names: `beam`, `max_len_a`, `max_len_b`,
/// `min_len`, `lenpen`, `unkpen`, `temperature`; `max_positions` caps the length as the decoder's
/// `max_target_positions` does (max length = min(a·source length + b, max_positions − 1)).
public struct BeamSearchOptions: Sendable, Equatable, Codable {
    public var beam = 5
    public var maxLenA: Double = 0
    public var maxLenB = 200
    public var minLen = 1
    public var lenpen: Double = 1
    public var unkpen: Double = 0
    public var temperature: Double = 1
    public var maxPositions = 1024

    public init(beam: Int = 5, maxLenA: Double = 0, maxLenB: Int = 200, minLen: Int = 1, lenpen: Double = 1,
                unkpen: Double = 0, temperature: Double = 1, maxPositions: Int = 1024) {
        (self.beam, self.maxLenA, self.maxLenB, self.minLen) = (beam, maxLenA, maxLenB, minLen)
        (self.lenpen, self.unkpen, self.temperature, self.maxPositions) = (lenpen, unkpen, temperature, maxPositions)
    }

    /// The JSON/YAML keys (for unknown-key errors).
    public static let keys = Set(CodingKeys.allCases.map(\.rawValue))

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = BeamSearchOptions()
        self.init(beam: try c.decodeIfPresent(Int.self, forKey: .beam) ?? d.beam,
                  maxLenA: try c.decodeIfPresent(Double.self, forKey: .maxLenA) ?? d.maxLenA,
                  maxLenB: try c.decodeIfPresent(Int.self, forKey: .maxLenB) ?? d.maxLenB,
                  minLen: try c.decodeIfPresent(Int.self, forKey: .minLen) ?? d.minLen,
                  lenpen: try c.decodeIfPresent(Double.self, forKey: .lenpen) ?? d.lenpen,
                  unkpen: try c.decodeIfPresent(Double.self, forKey: .unkpen) ?? d.unkpen,
                  temperature: try c.decodeIfPresent(Double.self, forKey: .temperature) ?? d.temperature,
                  maxPositions: try c.decodeIfPresent(Int.self, forKey: .maxPositions) ?? d.maxPositions)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case beam, maxLenA = "max_len_a", maxLenB = "max_len_b", minLen = "min_len", lenpen, unkpen, temperature
        case maxPositions = "max_positions"
    }

    /// The longest hypothesis (tokens before the final EOS) for a source of `sourceLength` steps.
    public func maxLength(sourceLength: Int) -> Int {
        min(Int(maxLenA * Double(sourceLength) + Double(maxLenB)), maxPositions - 1)
    }

    /// - Throws: `DecodingError.invalidOption` for the first invalid setting.
    public func validated() throws -> BeamSearchOptions {
        func check(_ ok: Bool, _ name: String, _ value: Any, _ expected: String) throws {
            if !ok { throw DecodingError.invalidOption(name: name, value: "\(value)", expected: expected) }
        }
        try check(beam >= 1, "beam", beam, "≥ 1")
        try check(maxLenA >= 0 && maxLenB >= 1, "max_len_a/max_len_b", "\(maxLenA)/\(maxLenB)", "a ≥ 0 and b ≥ 1")
        try check(minLen >= 0, "min_len", minLen, "≥ 0")
        try check(temperature > 0, "temperature", temperature, "> 0")
        try check(maxPositions >= 2, "max_positions", maxPositions, "≥ 2")
        return self
    }
}

/// Errors of the Decoding target.
public enum DecodingError: Error, CustomStringConvertible, Equatable {
    case invalidOption(name: String, value: String, expected: String)

    public var description: String {
        switch self {
        case let .invalidOption(name, value, expected): "\(name) = \(value); expected \(expected)"
        }
    }
}

/// One finished hypothesis: `tokens` with the final EOS (fairseq's `hypo["tokens"]`), `score` the
/// summed log-probability divided by length^lenpen, `positionalScores` the log-probability of each token.
public struct Hypothesis: Sendable, Equatable {
    public var tokens: [Int32]
    public var score: Float
    public var positionalScores: [Float]
}
