import Foundation

/// A JSON value with ordered keys and doubles printed at full precision (shortest round-trip form).
indirect enum JSONValue {
    case number(Double), int(Int), string(String), bool(Bool), null
    case array([JSONValue]), object([(String, JSONValue)])

    func render(_ indent: Int = 0) -> String {
        let pad = String(repeating: " ", count: indent + 1), end = String(repeating: " ", count: indent)
        switch self {
        case let .number(x): return x.isFinite ? (x == x.rounded() && abs(x) < 1e16 ? String(format: "%.1f", x) : "\(x)") : "null"
        case let .int(i): return "\(i)"
        case let .string(s): return Self.quote(s)
        case let .bool(b): return b ? "true" : "false"
        case .null: return "null"
        case let .array(a):
            if a.isEmpty { return "[]" }
            if a.allSatisfy({ if case .object = $0 { return false }; if case .array = $0 { return false }; return true }) {
                return "[" + a.map { $0.render() }.joined(separator: ", ") + "]"
            }
            return "[\n" + a.map { pad + $0.render(indent + 1) }.joined(separator: ",\n") + "\n" + end + "]"
        case let .object(o):
            if o.isEmpty { return "{}" }
            return "{\n" + o.map { pad + Self.quote($0.0) + ": " + $0.1.render(indent + 1) }.joined(separator: ",\n") + "\n" + end + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
