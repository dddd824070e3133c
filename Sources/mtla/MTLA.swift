import ArgumentParser
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The `mtla` command: one native binary for the whole speech pipeline.
@main
struct MTLA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mtla",
        abstract: "End-to-end speech toolkit: features, stores, tokenisation, models, training, decoding, scoring.",
        version: "0.1.0",
        subcommands: [FbankCommand.self, StoreCommand.self, ScoreCommand.self, AttentionCommand.self, ModelCommand.self,
                      SpmCommand.self, VocabCommand.self, TrainCommand.self, AverageCommand.self, DecodeCommand.self, PlotCommand.self,
                      BenchCommand.self, MakeCorpusCommand.self, PrepareCommand.self, SummarizeCommand.self])

    /// Line-buffered standard output, so that progress and log lines reach a file or a pipe as they
    /// are printed (`mtla train … > log`), then the usual argument parsing and dispatch.
    static func main() {
        setvbuf(stdout, nil, _IOLBF, 0)
        main(nil)
    }
}
