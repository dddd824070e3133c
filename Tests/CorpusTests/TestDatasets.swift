import Corpus
import Fbank
import Foundation

/// A dataset with given sizes whose samples are made from the index (for plan and loader tests).
struct SizedDataset: SampleDataset {
    var sources: [Int]
    var targets: [Int]
    var order: BatchOrdering = .descendingSource
    /// numTokens = max(source, target + 1), as fairseq's LanguagePairDataset.
    var pairTokens = false
    /// Feature width of the generated samples.
    var width = 4
    /// Indices whose loading fails.
    var failing: Set<Int> = []

    var count: Int { sources.count }
    func id(_ index: Int) -> String { "utt\(index)" }
    func sourceLength(_ index: Int) -> Int { sources[index] }
    func targetLength(_ index: Int) -> Int { targets[index] }
    func numTokens(_ index: Int, epoch: Int) -> Int { pairTokens ? max(sources[index], targets[index] + 1) : sources[index] }
    var ordering: BatchOrdering { order }

    func sample(_ index: Int) throws -> Sample {
        if failing.contains(index) {
            throw CorpusError.sample(id: id(index), location: "sized.tsv:\(index + 2)", reason: "fails on purpose")
        }
        let t = sources[index]
        let values = (0..<t * width).map { Float(index * 1000 + $0) * 0.01 }
        return Sample(id: id(index), source: .features(FeatureMatrix(rows: t, cols: width, values: values)),
                      target: (0..<targets[index]).map { Int32(4 + ($0 + index) % 20) })
    }
}

/// Writes `text` to `dir/name` and returns the path.
@discardableResult
func write(_ text: String, _ dir: URL, _ name: String) throws -> String {
    let url = dir.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// Features with distinct, non-round values: frame t, dim d of utterance u.
func features(_ u: Int, rows: Int, cols: Int) -> FeatureMatrix {
    FeatureMatrix(rows: rows, cols: cols, values: (0..<rows * cols).map { Float(u) + Float($0) * 0.37 - 11.13 })
}
