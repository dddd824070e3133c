import ArgumentParser
import Distributed
import Foundation
import TensorCore
import Training

/// `mtla train CONFIG.yaml --exp-dir DIR`: one training run.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model from a YAML experiment config.",
        discussion: """
            CONFIG.yaml has the sections task, seed, threads, model (ModelConfig keys such as
            decoder_att_type, decoder_layers, decoder_down_rate), data (format, root, train, valid, dict,
            cmvn, spec_augment, max_tokens, …), optimization (lr, warmup_updates, clip_norm, update_freq,
            max_update, …), criterion (label_smoothing, ctc_weight, intent_weight), checkpoint
            (log/validate/save intervals, keep_last, keep_best, best_metric, patience) and generation.
            `--set section.key=value` overrides a key. `--ranks N` trains data-parallel on N threads of
            this process, as `mpirun -np N mtla train …` does on N processes; with `--split-batches` the
            ranks share each batch's sentences and make the same updates as one process (without
            dropout, up to float rounding). DIR receives config.yaml (resolved), metrics.jsonl,
            plots/*.svg and checkpoints/; an existing run continues only with --resume (and the same
            resolved config), bit-identically to an uninterrupted run with the same thread count.
            """)

    @Argument(help: "Experiment config (YAML).") var config: String
    @Option(help: "Experiment directory.") var expDir: String
    @Option(name: .customLong("set"), help: "Override: section.key=value (repeatable).") var overrides: [String] = []
    @Flag(help: "Continue the run in --exp-dir from its last checkpoint.") var resume = false
    @Option(help: "Stop (with a checkpoint) once this many updates are done; continue later with --resume.") var stopAfter: Int?
    @Option(help: ArgumentHelp("Data-parallel ranks as threads of this process (as mpirun -np N on one machine, without MPI).",
                               discussion: "Each rank computes with the config's `threads` (set threads=1 so that ranks × threads fits the cores); an update takes ranks × update_freq batches."))
    var ranks = 1
    @Flag(help: ArgumentHelp("Split each batch by sentences over the ranks (threads or MPI), so that N ranks make one process's updates.",
                             discussion: "Without it each rank takes whole batches: an update takes ranks × update_freq batches. The same updates up to float rounding when there is no dropout (each rank draws its own masks)."))
    var splitBatches = false

    func validate() throws {
        guard ranks >= 1 else { throw ValidationError("--ranks must be at least 1, got \(ranks)") }
        if ranks > 1 && DistributedLaunch.launchedByMPI(ProcessInfo.processInfo.environment) {
            throw ValidationError("--ranks \(ranks) under mpirun: each MPI process is one rank (use mpirun -np N, or --ranks without mpirun)")
        }
        if splitBatches && ranks == 1 && !DistributedLaunch.launchedByMPI(ProcessInfo.processInfo.environment) {
            throw ValidationError("--split-batches shares batches between ranks: give --ranks N (N > 1) or run under mpirun")
        }
    }

    func run() throws {
        let cfg = try ExperimentConfig.load(URL(fileURLWithPath: config), overrides: overrides)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if ranks * cfg.threads > cores {
            Console.warn("--ranks \(ranks) × threads \(cfg.threads) = \(ranks * cfg.threads) compute threads on \(cores) cores: "
                + "they will slow each other down (--set threads=\(max(1, cores / ranks)))")
        }
        try DistributedJob.run(ranks: ranks) { [self] communicator in try train(cfg, communicator) }
    }

    private func train(_ cfg: ExperimentConfig, _ communicator: any Communicator) throws {
        let main = communicator.isMain
        if communicator.size > 1 && main { Console.info("mtla train: \(communicator.size) ranks (\(communicator.summary))") }
        // The kernel family can halve the speed (Tools/openblas-kernels.sh), so the log names it.
        if main { Console.info("mtla train: \(cfg.threads) threads, OpenBLAS kernels \(ComputeContext.blasCoreName)") }
        let run = try TrainingRun(config: cfg, experiment: URL(fileURLWithPath: expDir), resume: resume,
                                  communicator: communicator, splitBatches: splitBatches) { line in Console.info(line) }
        let maxUpdate = cfg.optimization.maxUpdate
        let startUpdates = run.trainer.progress.updates
        let bar = ProgressReporter(label: "train", total: maxUpdate, unit: "updates", initial: startUpdates, interval: 30)
        if startUpdates > 0 && main { Console.info("resuming at update \(startUpdates), epoch \(run.trainer.progress.epoch)") }
        if main {
            run.onUpdate = { done, _, stats in
                bar.update(done, extra: String(format: "loss %.3f lr %.2e", stats.lossPerToken, stats.learningRate))
            }
        }
        let last = try run.run(stopAfter: stopAfter)
        let summary = last.keys.sorted().map { String(format: "%@ %.4f", $0, last[$0]!) }.joined(separator: ", ")
        if main { print("last validation: \(summary)") }
    }
}
