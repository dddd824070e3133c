/// sacreBLEU's signature strings (`Signature.format()`): `nrefs`, then `bs` and `seed` when
/// bootstrap resampling was used, then the metric's fields, then `version`.
public enum SacreBLEUSignature {
    /// The sacreBLEU version whose numbers this module reproduces.
    public static let version = "2.6.0"

    public static func format(nrefs: Int, bootstrap: Int? = nil, seed: String? = nil,
                              fields: [(String, String)]) -> String {
        var parts = ["nrefs:\(nrefs)"]
        if let bootstrap { parts.append("bs:\(bootstrap)") }
        if let seed { parts.append("seed:\(seed)") }
        for (k, v) in fields { parts.append("\(k):\(v)") }
        parts.append("version:\(version)")
        return parts.joined(separator: "|")
    }
}
