import ArgumentParser
import Foundation
import NN
import SeededRandom
import TensorCore
import Transformer

/// `mtla model`: create, describe and run encoder-prefix decoder-only models.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Create, inspect and run models (fairseq-named safetensors checkpoints with a JSON config).",
        subcommands: [ModelInitCommand.self, ModelInfoCommand.self, ModelRunCommand.self])
}

struct ModelInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a freshly initialised model for a config.",
        discussion: """
            CONFIG.json uses the reference hyper-parameter names (decoder_att_type, decoder_layers,
            decoder_kv_lora_rank, decoder_down_rate, …; see Sources/Transformer/ModelConfig.swift);
            missing keys take the speech-translation defaults. Writes OUT.safetensors (parameters
            under fairseq's names, config in the metadata) and OUT.json.
            """)

    @Option(help: "Model config JSON.") var config: String
    @Option(help: "Seed of the initialisation.") var seed: UInt64 = 1
    @Option(name: .shortAndLong, help: "Output checkpoint (.safetensors).") var output: String
    @Flag(help: "Replace existing files.") var overwrite = false

    func run() throws {
        let cfg = try ModelCheckpoint.readConfig(URL(fileURLWithPath: config))
        var g = Xoshiro256(seed: seed)
        let model = try PrefixDecoderModel(config: cfg, generator: &g)
        try ModelCheckpoint.save(model, to: URL(fileURLWithPath: output), overwrite: overwrite)
        Console.info("\(cfg.decoderAttType): \(model.parameterCount) parameters -> \(output)")
    }
}

struct ModelInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Describe a checkpoint: sizes and KV-cache cost.")

    @Argument(help: "Checkpoint (.safetensors).") var checkpoint: String

    func run() throws {
        let m = try ModelCheckpoint.load(URL(fileURLWithPath: checkpoint))
        let c = m.config
        let perToken = m.decoder.layers.items.reduce(0) { $0 + $1.selfAttention.cacheFloatsPerToken }
        print("input:            \(c.inputMode.rawValue)\(c.inputMode == .speech ? " (\(c.inputFeatPerChannel)-d features, conv \(c.convKernelSizes))" : "")")
        print("encoder:          \(c.encoderLayers) × \(c.encoderType.rawValue), d \(c.encoderEmbedDim), ffn \(c.encoderFfnEmbedDim), \(c.encoderAttentionHeads) heads")
        print("decoder:          \(c.decoderLayers) × \(c.decoderAttType.uppercased()), d \(c.decoderEmbedDim), ffn \(c.decoderFfnEmbedDim), \(c.decoderAttentionHeads) heads")
        let tie = c.shareAllEmbeddings ? " (one table: encoder input, decoder input and output)"
            : c.shareDecoderInputOutputEmbed ? " (tied input/output embedding)" : ""
        print("vocabulary:       \(c.vocabSize)\(tie)")
        print("parameters:       \(m.parameterCount)")
        print("KV cache / token: \(perToken) floats = \(perToken * 4) bytes per row (all layers)")
    }
}

struct ModelRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a checkpoint on golden-layout inputs and write the outputs under the reference names.",
        discussion: """
            INPUTS.safetensors holds input sets `input.*`, `input1.*`, …: `features` (B, T, F) or
            `src_tokens` (B, T), `src_lengths` (B), `prev_output_tokens` (B, S), optionally `target`.
            Writes `output.*`, `output1.*`, …: `encoder_out` (T', B, d), `ctc_logits`, `projector`,
            `logits` (B, S, V), `loss`, and for one-row sets `step_logits` (S, V) from incremental
            decoding — the layout of Data/golden/model, which Tools/golden/check_model_interchange.py reads.
            """)

    @Argument(help: "Checkpoint (.safetensors).") var checkpoint: String
    @Option(help: "Input sets (.safetensors).") var inputs: String
    @Option(name: .shortAndLong, help: "Output .safetensors.") var output: String
    @Option(help: "Threads.") var threads: Int = 1
    @Flag(help: "Replace an existing output.") var overwrite = false

    func run() throws {
        if FileManager.default.fileExists(atPath: output) && !overwrite { throw CLIError.outputExists(path: output) }
        let model = try ModelCheckpoint.load(URL(fileURLWithPath: checkpoint))
        model.setTraining(false)
        let context = ComputeContext(threads: threads)
        context.activate()
        let outputs = try ModelReferenceRun.run(model, tensors: try SafeTensors.read(URL(fileURLWithPath: inputs)).tensors,
                                                context: context)
        try SafeTensors.write(outputs, to: URL(fileURLWithPath: output))
        Console.info("\(outputs.count) tensors -> \(output)")
    }
}
