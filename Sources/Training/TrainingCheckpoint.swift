import Foundation
import NN
import TensorCore
import Transformer

/// Training checkpoints in an experiment directory: `checkpoints/checkpoint_u<updates>/` holds
/// `model.safetensors` (+ `model.json`, fairseq names: loadable on its own and by PyTorch),
/// `optimizer.safetensors` (Adam's moments as `torch.optim` names them) and `trainer_state.json`
/// (progress with the dropout generators, the options, the model config). A checkpoint is written
/// into a temporary directory and renamed when complete, then `checkpoint_last.json` is replaced
/// atomically, so a kill or a full disk at any moment leaves the previous checkpoint intact.
public enum TrainingCheckpoint {
    struct TrainerState: Codable {
        var format = "mtla-trainer-1"
        var progress: TrainingProgress
        var options: TrainerOptions
        var model: ModelConfig
    }

    struct LastPointer: Codable { var checkpoint: String; var updates: Int }

    /// The checkpoint directory of `updates` under `experiment`.
    public static func directory(_ experiment: URL, updates: Int) -> URL {
        experiment.appendingPathComponent("checkpoints").appendingPathComponent(String(format: "checkpoint_u%08d", updates))
    }

    /// Writes the trainer's current state; returns the checkpoint directory. Afterwards only the newest
    /// `keepLast` checkpoints (0 = all) and the `keepBest` best by the last validation's `bestMetric`
    /// (`accuracy`: higher is better; `loss`: lower) are kept.
    @discardableResult
    public static func save(_ trainer: Trainer, experiment: URL, keepLast: Int = 0, keepBest: Int = 0,
                            bestMetric: String = "accuracy") throws -> URL {
        let fm = FileManager.default
        let final = directory(experiment, updates: trainer.progress.updates)
        let root = final.deletingLastPathComponent()
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        let tmp = root.appendingPathComponent(".tmp-" + final.lastPathComponent + "-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: tmp)
        try fm.createDirectory(at: tmp, withIntermediateDirectories: true)
        do {
            try ModelCheckpoint.save(trainer.model, to: tmp.appendingPathComponent("model.safetensors"))
            try SafeTensors.write(trainer.optimizer.stateTensors(), to: tmp.appendingPathComponent("optimizer.safetensors"))
            let state = TrainerState(progress: trainer.progressSnapshot, options: trainer.options, model: trainer.model.config)
            try encoder.encode(state).write(to: tmp.appendingPathComponent("trainer_state.json"))
            if fm.fileExists(atPath: final.path) { try fm.removeItem(at: final) }
            try fm.moveItem(at: tmp, to: final)
        } catch {
            try? fm.removeItem(at: tmp)
            throw error
        }
        let pointer = experiment.appendingPathComponent("checkpoint_last.json")
        let pointerTmp = experiment.appendingPathComponent(".checkpoint_last.json.tmp")
        try encoder.encode(LastPointer(checkpoint: "checkpoints/" + final.lastPathComponent, updates: trainer.progress.updates))
            .write(to: pointerTmp)
        guard rename(pointerTmp.path, pointer.path) == 0 else {   // atomic replacement
            throw TrainingError.badCheckpoint(path: pointer.path, reason: "cannot replace: \(String(cString: strerror(errno)))")
        }
        if keepLast > 0 { try prune(root, keepLast: keepLast, keepBest: keepBest, metric: bestMetric) }
        return final
    }

    /// The latest complete checkpoint of `experiment`, or nil when there is none yet.
    public static func latest(_ experiment: URL) throws -> URL? {
        let pointer = experiment.appendingPathComponent("checkpoint_last.json")
        guard FileManager.default.fileExists(atPath: pointer.path) else { return nil }
        do {
            let p = try JSONDecoder().decode(LastPointer.self, from: Data(contentsOf: pointer))
            return experiment.appendingPathComponent(p.checkpoint)
        } catch {
            throw TrainingError.badCheckpoint(path: pointer.path, reason: "unreadable pointer: \(error)")
        }
    }

    /// Restores `trainer` (parameters, optimiser moments, progress, dropout generators) from `checkpoint`.
    /// - Throws: `TrainingError.badCheckpoint` for missing or damaged files, `.incompatibleCheckpoint`
    ///   when the model config or the options differ from the trainer's, `NNError` naming a tensor.
    public static func restore(_ trainer: Trainer, from checkpoint: URL) throws {
        let statePath = checkpoint.appendingPathComponent("trainer_state.json")
        let state: TrainerState
        do { state = try JSONDecoder().decode(TrainerState.self, from: Data(contentsOf: statePath)) } catch {
            throw TrainingError.badCheckpoint(path: statePath.path, reason: "\(error)")
        }
        guard state.model == trainer.model.config else {
            throw TrainingError.incompatibleCheckpoint(path: checkpoint.path, reason: "the model config differs from this run's")
        }
        guard state.options.continuesRun(trainer.options) else {
            throw TrainingError.incompatibleCheckpoint(path: checkpoint.path, reason: "the optimisation options differ from this run's")
        }
        let modelFile = checkpoint.appendingPathComponent("model.safetensors")
        let optimizerFile = checkpoint.appendingPathComponent("optimizer.safetensors")
        let weights = try SafeTensors.read(modelFile).tensors.filter { !$0.key.hasSuffix(".version") }
        let moments = try SafeTensors.read(optimizerFile).tensors
        try trainer.model.load(weights, file: modelFile.path, strict: true)
        try trainer.optimizer.loadState(moments, file: optimizerFile.path)
        try trainer.restore(state.progress, from: checkpoint.path)
    }

    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return e
    }

    /// Removes the checkpoint directories under `root` that are neither among the newest `keepLast`
    /// nor among the best `keepBest` by `metric` (read from each checkpoint's state).
    static func prune(_ root: URL, keepLast: Int, keepBest: Int, metric: String) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix("checkpoint_u") }.sorted()
        var keep = Set(names.suffix(keepLast))
        if keepBest > 0 {
            keep.formUnion(ranked(names.map { root.appendingPathComponent($0) }, metric: metric).prefix(keepBest).map(\.lastPathComponent))
        }
        for name in names where !keep.contains(name) { try FileManager.default.removeItem(at: root.appendingPathComponent(name)) }
    }

    /// The best checkpoints of an experiment by the validation `metric`, best first.
    public static func best(_ experiment: URL, metric: String, count: Int) throws -> [URL] {
        let root = experiment.appendingPathComponent("checkpoints")
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix("checkpoint_u") }
        return Array(ranked(names.map { root.appendingPathComponent($0) }, metric: metric).prefix(count))
    }

    /// The checkpoint directories whose last validation has `metric`, best first (lower first for
    /// losses and error rates), ties by name.
    static func ranked(_ directories: [URL], metric: String) -> [URL] {
        let lowerIsBetter = ExperimentConfig.CheckpointConfig.metricDirections[metric] ?? false
        let scored: [(URL, Double)] = directories.compactMap { dir in
            guard let data = try? Data(contentsOf: dir.appendingPathComponent("trainer_state.json")),
                  let state = try? JSONDecoder().decode(TrainerState.self, from: data),
                  let value = state.progress.lastValidation[metric] else { return nil }
            return (dir, value)
        }
        return scored.sorted { $0.1 != $1.1 ? (lowerIsBetter ? $0.1 < $1.1 : $0.1 > $1.1) : $0.0.lastPathComponent < $1.0.lastPathComponent }
            .map(\.0)
    }
}
