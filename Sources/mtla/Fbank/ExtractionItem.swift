import AudioIO
import FeatureStore
import Foundation

/// Where an utterance's audio comes from.
enum AudioSource: Sendable, Equatable {
    /// A file libsndfile reads.
    case file(String)
    /// A `wav.scp` shell pipeline (the command without its trailing `|`) from line `line` of `table`;
    /// run only with `--allow-pipes`.
    case pipe(String, table: String, line: Int)
    /// An audio file stored in a zip (fairseq `zip:offset:length`).
    case zipEntry(zip: String, offset: Int, length: Int)
    /// A Kaldi wave entry or a kaldiio `AUDIO` entry in an ark (`ark:offset`).
    case arkEntry(ark: String, offset: Int)

    /// What to name in error messages and skipped.tsv.
    var displayName: String {
        switch self {
        case let .file(p): p
        case let .pipe(c, _, _): c + " |"
        case let .zipEntry(z, o, l): "\(z):\(o):\(l)"
        case let .arkEntry(a, o): "\(a):\(o)"
        }
    }
}

/// One utterance to extract: its audio, optional segment, and the metadata the output manifest keeps.
struct ExtractionItem: Sendable {
    var id: String
    var source: AudioSource
    var segment: TimeSegment?
    /// The input TSV row (TSV manifests), whose other columns are carried to the output TSV.
    var row: FairseqManifestRow?
    var text: String?
    var speaker: String?
    /// Extra output TSV columns (`--extra-column NAME=FILE`), by name.
    var extra: [String: String] = [:]
}

/// A failed utterance (for `--skip-bad` and the error message).
struct ExtractionFailure: Error, CustomStringConvertible {
    let id: String
    let file: String
    let error: any Error
    var description: String { "utterance \(id) (\(file)): \(error)" }
}
