import ArgumentParser
import Foundation

/// `mtla summarize DECODE_DIR --score SCORE.json -o SUMMARY.json`: the one-line efficiency summary a
/// recipe prints after its score, and a JSON file with the score and the efficiency report.
struct SummarizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summarize",
        abstract: "Print decode_time_s, rtf, avg_rss_mib and kv_bytes_per_token of a decode; write them with the score as JSON.")

    @Argument(help: "Decode directory (with efficiency.json).") var decodeDir: String
    @Option(help: "Score JSON (mtla score … --json).") var score: String?
    @Option(name: .shortAndLong, help: "Summary JSON to write.") var output: String?

    func run() throws {
        let effURL = URL(fileURLWithPath: decodeDir).appendingPathComponent("efficiency.json")
        guard let data = try? Data(contentsOf: effURL),
              let e = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CLIError.badManifest(path: effURL.path, reason: "no efficiency report (run mtla decode first)")
        }
        func number(_ key: String) -> Double { (e[key] as? NSNumber)?.doubleValue ?? 0 }
        let line = String(format: "decode_time_s=%.2f rtf=%.4f avg_rss_mib=%.1f kv_bytes_per_token=%.0f", number("inference_seconds"),
                          number("real_time_factor"), number("average_rss_bytes") / 1_048_576, number("kv_cache_floats_per_token_per_row") * 4)
        print(line)
        guard let output else { return }
        var summary: [String: Any] = ["efficiency": e, "summary": line]
        if let score {
            guard let s = try? Data(contentsOf: URL(fileURLWithPath: score)), let j = try? JSONSerialization.jsonObject(with: s) else {
                throw CLIError.badManifest(path: score, reason: "not a score JSON")
            }
            summary["score"] = j
        }
        let out = try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])
        try out.write(to: URL(fileURLWithPath: output), options: .atomic)
    }
}
