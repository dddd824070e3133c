import ArgumentParser

/// The `mtla` command: one native binary for the whole speech pipeline.
@main
struct MTLA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mtla",
        abstract: "End-to-end speech toolkit: features, stores, scoring (and, later, training and decoding).",
        version: "0.1.0",
        subcommands: [FbankCommand.self, StoreCommand.self, ScoreCommand.self, AttentionCommand.self, ModelCommand.self,
                      AverageCommand.self, PlotCommand.self, BenchCommand.self, TrainCommand.self, DecodeCommand.self,
                      MakeCorpusCommand.self])
}
