import ArgumentParser

/// A boolean option in Kaldi's form: `--name=true|false` (also accepts 1/0, yes/no).
struct KaldiBool: ExpressibleByArgument, Sendable {
    let value: Bool
    init(_ value: Bool) { self.value = value }
    init?(argument: String) {
        switch argument.lowercased() {
        case "true", "1", "yes", "t": value = true
        case "false", "0", "no", "f": value = false
        default: return nil
        }
    }
    static var allValueStrings: [String] { ["true", "false"] }
    var defaultValueDescription: String { value ? "true" : "false" }
}

/// `WindowType` as an argument (the library type stays free of ArgumentParser).
enum WindowTypeArgument: String, CaseIterable, Sendable, ExpressibleByArgument {
    case povey, hamming, hanning, rectangular, blackman
}
