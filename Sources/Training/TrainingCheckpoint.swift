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

    /// Writes the trainer's current state; returns the checkpoint directory. Older checkpoints beyond
    /// `keepLast` (0 = keep all) are removed after the new one is in place.
    @discardableResult
    public static func save(_ trainer: Trainer, experiment: URL, keepLast: Int = 0) throws -> URL {
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
        if fm.fileExists(atPath: pointer.path) { _ = try fm.replaceItemAt(pointer, withItemAt: pointerTmp) } else { try fm.moveItem(at: pointerTmp, to: pointer) }
        if keepLast > 0 { try prune(root, keep: keepLast) }
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
        guard state.options == trainer.options else {
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

    /// Removes all but the newest `keep` checkpoint directories under `root`.
    static func prune(_ root: URL, keep: Int) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix("checkpoint_u") }.sorted()
        for name in names.dropLast(keep) { try FileManager.default.removeItem(at: root.appendingPathComponent(name)) }
    }
}
