import ArgumentParser

/// Output store formats of corpus extraction.
enum StoreFormatArgument: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// fairseq: DIR/fbank80.zip of <id>.npy + DIR/<name>.tsv.
    case zip
    /// Kaldi: DIR/feats.ark + DIR/feats.scp + DIR/utt2num_frames.
    case ark
}

/// CMVN applied while extracting (fairseq applies it when loading, hence the default `none`).
enum CMVNArgument: String, CaseIterable, ExpressibleByArgument, Sendable {
    case none, utterance, global
}

/// Options of corpus mode (`--manifest`).
struct CorpusOptionGroup: ParsableArguments {
    @Option(help: "A wav.scp, a Kaldi/ESPnet data dir (wav.scp [+ segments, text, utt2spk]), or a fairseq TSV (id, audio, …).")
    var manifest: String?
    @Option(help: "Output directory.") var outDir: String?
    @Option(help: "Store: zip (fairseq fbank80.zip + TSV) or ark (Kaldi feats.ark + feats.scp).")
    var format: StoreFormatArgument = .zip
    @Option(help: "Name of the output TSV (zip format); default: the manifest's base name.")
    var name: String?
    @Option(help: "Worker threads computing features (output order and bytes do not depend on it).")
    var jobs: Int = 1
    @Option(help: "CMVN applied before storing: none, utterance, global (global also writes gcmvn.npz). Recorded in DIR/extraction.json.")
    var cmvn: CMVNArgument = .none
    @Flag(help: "Continue past bad utterances, listing them in DIR/skipped.tsv (id, file, error).")
    var skipBad = false
    @Flag(help: "Run wav.scp entries that are shell pipelines (ending in '|').")
    var allowPipes = false
    @Option(name: .customLong("extra-column"),
            help: "Data dirs: add TSV column NAME from the table FILE of the data dir (`utt text`), e.g. src_text=text.en (repeatable).")
    var extraColumns: [String] = []

    /// `--extra-column` as (column, file) pairs. - Throws: `ValidationError` for a malformed one.
    func parsedExtraColumns() throws -> [(column: String, file: String)] {
        try extraColumns.map { spec in
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--extra-column expects NAME=FILE, got '\(spec)'")
            }
            return (parts[0], parts[1])
        }
    }
}
