import ArgumentParser

struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "store", abstract: "(being built)")
    func run() throws { throw ValidationError("mtla store is not built yet") }
}
