import ArgumentParser
import Foundation
import NN
import Optim
import Training
import Transformer

/// `mtla average`: fairseq's average_checkpoints.py over model checkpoints.
struct AverageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "average",
        abstract: "Average the parameters of model checkpoints (fairseq's average_checkpoints).",
        discussion: """
            Give model files (.safetensors) or training checkpoint directories (their model.safetensors
            is used), or --exp-dir with --last N to take the newest N checkpoints of an experiment, or
            with --best N the N best by their last validation's --metric (accuracy, loss, nll_loss, bleu,
            wer, cer; lower is better for losses and error rates).
            Every input must have the same parameter names and shapes. Buffers (BatchNorm statistics)
            are averaged as fairseq does; the output keeps the first input's model config.
            """)

    @Argument(help: "Model files or checkpoint directories.") var inputs: [String] = []
    @Option(help: "Experiment directory (with --last).") var expDir: String?
    @Option(help: "Average the newest N checkpoints of --exp-dir.") var last: Int?
    @Option(help: "Average the N best checkpoints of --exp-dir by --metric.") var best: Int?
    @Option(help: "Validation metric of --best.") var metric = "accuracy"
    @Option(name: .shortAndLong, help: "Output model (.safetensors).") var output: String
    @Flag(help: "Replace an existing output.") var overwrite = false

    func run() throws {
        var files = inputs.map { path -> URL in
            var isDir: ObjCBool = false
            let url = URL(fileURLWithPath: path)
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
                ? url.appendingPathComponent("model.safetensors") : url
        }
        if let expDir, let last {
            let root = URL(fileURLWithPath: expDir).appendingPathComponent("checkpoints")
            let names = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix("checkpoint_u") }.sorted()
            guard names.count >= last else {
                throw CLIError.badManifest(path: root.path, reason: "\(names.count) checkpoints, --last \(last) requested")
            }
            files += names.suffix(last).map { root.appendingPathComponent($0).appendingPathComponent("model.safetensors") }
        }
        if let expDir, let best {
            guard ExperimentConfig.CheckpointConfig.metricDirections[metric] != nil else {
                throw ValidationError("--metric must be one of \(ExperimentConfig.CheckpointConfig.metricDirections.keys.sorted().joined(separator: ", "))")
            }
            let ranked = try TrainingCheckpoint.best(URL(fileURLWithPath: expDir), metric: metric, count: best)
            guard ranked.count == best else {
                throw CLIError.badManifest(path: expDir, reason: "\(ranked.count) checkpoints with a validation \(metric), --best \(best) requested")
            }
            files += ranked.map { $0.appendingPathComponent("model.safetensors") }
        }
        guard !files.isEmpty else { throw ValidationError("give checkpoints, or --exp-dir with --last N or --best N") }
        if FileManager.default.fileExists(atPath: output) && !overwrite { throw CLIError.outputExists(path: output) }
        let averaged = try CheckpointAveraging.average(files: files)
        try SafeTensors.write(averaged.tensors, metadata: averaged.metadata, to: URL(fileURLWithPath: output))
        let sidecar = files[0].deletingPathExtension().appendingPathExtension("json")
        let outSidecar = URL(fileURLWithPath: output).deletingPathExtension().appendingPathExtension("json")
        if FileManager.default.fileExists(atPath: sidecar.path) {
            try? FileManager.default.removeItem(at: outSidecar)
            try FileManager.default.copyItem(at: sidecar, to: outSidecar)
        }
        Console.info("averaged \(files.count) checkpoints -> \(output)")
    }
}

/// `mtla plot`: training curves of an experiment as SVG.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot", abstract: "Write an experiment's training curves (loss, accuracy) as SVG files.")

    @Argument(help: "Experiment directory (with metrics.jsonl).") var expDir: String

    func run() throws {
        let dir = URL(fileURLWithPath: expDir)
        let metrics = dir.appendingPathComponent("metrics.jsonl")
        guard FileManager.default.fileExists(atPath: metrics.path) else {
            throw CLIError.badManifest(path: metrics.path, reason: "no metrics file (is this an experiment directory?)")
        }
        let urls = try SVGPlot.writeTrainingCurves(try MetricsLog.read(metrics), to: dir.appendingPathComponent("plots"))
        for u in urls { print(u.path) }
    }
}
