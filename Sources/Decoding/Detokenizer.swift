import Foundation

/// Token ids → text as fairseq's `Dictionary.string` + `post_process` do: special symbols dropped,
/// symbols joined by spaces, then the subword marks removed (`sentencepiece`: spaces dropped and ▁
/// turned into spaces; `subword_nmt`: "@@ " joins removed; `none`).
public struct Detokenizer: Sendable, Equatable {
    public enum PostProcess: String, Sendable, Codable, CaseIterable { case sentencepiece, subwordNMT = "subword_nmt", none }

    public let symbols: [String]
    public let postProcess: PostProcess
    /// Ids that never appear in text (bos, pad, eos).
    public let ignored: Set<Int32>

    public init(symbols: [String], postProcess: PostProcess, ignored: Set<Int32> = [0, 1, 2]) {
        (self.symbols, self.postProcess, self.ignored) = (symbols, postProcess, ignored)
    }

    /// The symbols of `ids` (specials kept), for n-best lists.
    public func pieces(_ ids: [Int32]) -> [String] { ids.map { Int($0) < symbols.count && $0 >= 0 ? symbols[Int($0)] : "<\($0)>" } }

    public func text(_ ids: [Int32]) -> String {
        let joined = pieces(ids.filter { !ignored.contains($0) }).joined(separator: " ")
        switch postProcess {
        case .sentencepiece:
            return joined.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\u{2581}", with: " ")
                .trimmingCharacters(in: .whitespaces)
        case .subwordNMT:
            return (joined + " ").replacingOccurrences(of: "@@ ", with: "").trimmingCharacters(in: .whitespaces)
        case .none:
            return joined
        }
    }
}
