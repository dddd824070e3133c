import ArgumentParser
import Attention
import Foundation
import NN
import TensorCore

/// `mtla attention`: the attention variants on their own, for holding our numerics against the
/// reference modules.
struct AttentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attention",
        abstract: "Run one attention layer on a reference case (MHA, GQA, MQA, MLA, MTLA).",
        subcommands: [AttentionRunCommand.self])
}

struct AttentionRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Compute a reference case's outputs and caches under the reference's names.",
        discussion: """
            CASE.safetensors holds the weights under the reference state-dict names, `x` (B, T, d) and
            `position`; CASE.json gives `variant` (matched case-insensitively), `constructor_kwargs` and
            `prompt_length`. Writes float32 `y_full`, `y_incremental`, `y_prefill` and the caches
            `cache_prompt.<name>` / `cache_final.<name>` (MTLA also `y_prefill_recompute` and
            `cache_prompt_recompute.<name>`), in the layout of Data/reference/attention.
            """)

    @Argument(help: "The case's tensors (.safetensors).") var tensors: String
    @Option(help: "The case's JSON (variant, constructor_kwargs, prompt_length).") var config: String
    @Option(name: .shortAndLong, help: "Output .safetensors.") var output: String
    @Option(help: "Threads.") var threads: Int = 1
    @Flag(help: "Replace an existing output.") var overwrite = false

    func run() throws {
        if FileManager.default.fileExists(atPath: output) && !overwrite { throw CLIError.outputExists(path: output) }
        let json: Data
        do { json = try Data(contentsOf: URL(fileURLWithPath: config)) } catch {
            throw CLIError.badManifest(path: config, reason: "cannot read: \(error.localizedDescription)")
        }
        let referenceCase: AttentionReferenceCase
        do { referenceCase = try JSONDecoder().decode(AttentionReferenceCase.self, from: json) } catch {
            throw CLIError.badManifest(path: config, reason: "not a reference case description: \(error)")
        }
        let file = try SafeTensors.read(URL(fileURLWithPath: tensors))
        let context = ComputeContext(threads: threads)
        context.activate()
        let outputs = try referenceCase.run(file.tensors, file: tensors, context: context)
        try SafeTensors.write(outputs, metadata: ["variant": referenceCase.variant], to: URL(fileURLWithPath: output))
        Console.info("\(referenceCase.variant): \(outputs.count) tensors -> \(output)")
    }
}
