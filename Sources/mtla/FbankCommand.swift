import ArgumentParser

struct FbankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fbank", abstract: "(being built)")
    func run() throws { throw ValidationError("mtla fbank is not built yet") }
}
