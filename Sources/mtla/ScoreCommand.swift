import ArgumentParser

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "score", abstract: "(being built)")
    func run() throws { throw ValidationError("mtla score is not built yet") }
}
