/// One paraphrase template of a SLURP intent, parsed (syntax in `SLURPIntentData`).
public struct SLURPTemplate: Sendable, Hashable {
    public indirect enum Node: Sendable, Hashable {
        case word(String)
        /// A filler from `list`; an entity of `type` when `type` is not nil.
        case slot(type: String?, list: String)
        case choice([[Node]])
    }

    public var source: String
    public var nodes: [Node]
    /// Starts with a verb addressed to the assistant: may get a polite opening or closing.
    public var imperative: Bool

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case unbalanced(template: String)
        case badSlot(template: String, slot: String)

        public var description: String {
            switch self {
            case let .unbalanced(t): "SLURP template \"\(t)\": unbalanced parentheses"
            case let .badSlot(t, s): "SLURP template \"\(t)\": bad slot \"\(s)\""
            }
        }
    }

    public init(_ source: String) throws(ParseError) {
        self.source = source
        imperative = source.hasPrefix("!")
        var chars = Array(imperative ? source.dropFirst() : source[...])[...]
        let (nodes, closedBy) = try Self.parseSequence(&chars, source: source)
        guard closedBy == nil else { throw .unbalanced(template: source) }
        self.nodes = nodes
    }

    /// Parses until the end, `|` or `)`; returns the nodes and the character that stopped it (nil at the end).
    private static func parseSequence(_ s: inout ArraySlice<Character>, source: String) throws(ParseError) -> ([Node], Character?) {
        var nodes: [Node] = []
        var word = ""
        func flush() { if !word.isEmpty { nodes.append(.word(word)); word = "" } }
        while let c = s.popFirst() {
            switch c {
            case " ": flush()
            case "|", ")": flush(); return (nodes, c)
            case "(":
                flush()
                var alternatives: [[Node]] = []
                while true {
                    let (alt, stop) = try parseSequence(&s, source: source)
                    alternatives.append(alt)
                    if stop == ")" { break }
                    if stop == nil { throw .unbalanced(template: source) }
                }
                nodes.append(.choice(alternatives))
            case "{", "<":
                flush()
                let close: Character = c == "{" ? "}" : ">"
                guard let end = s.firstIndex(of: close) else { throw .unbalanced(template: source) }
                let body = String(s[s.startIndex..<end])
                s = s[(end + 1)...]
                let parts = body.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && !$0.contains(" ") }) else {
                    throw .badSlot(template: source, slot: body)
                }
                nodes.append(c == "{" ? .slot(type: parts[0], list: parts.last!) : .slot(type: nil, list: parts.last!))
            default: word.append(c)
            }
        }
        flush()
        return (nodes, nil)
    }

    /// The lists the template's slots draw from.
    public var lists: Set<String> {
        func walk(_ n: [Node]) -> Set<String> {
            n.reduce(into: Set<String>()) { acc, node in
                switch node {
                case .word: break
                case let .slot(_, list): acc.insert(list)
                case let .choice(alts): for a in alts { acc.formUnion(walk(a)) }
                }
            }
        }
        return walk(nodes)
    }
}
