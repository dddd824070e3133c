import Distributed
import Foundation
import NN
import TensorCore

extension Trainer {
    /// Makes every rank's trainer state rank 0's: parameters, buffers, Adam's moments and the progress
    /// (dropout generators included), sent as one safetensors blob. Called once at the start of a job,
    /// after rank 0 has initialised, resumed or loaded `init_from`, so that only rank 0 needs the
    /// experiment directory. Nothing to do for a single process.
    /// - Throws: `DistributedError`; `TrainingError.badCheckpoint` for a blob that does not fit.
    public func synchronise() throws {
        guard communicator.size > 1 else { return }
        let blob = communicator.isMain ? Array(try stateBlob()) : []
        let received = try communicator.broadcast(blob, root: 0, operation: "broadcast rank 0's initial state")
        guard !communicator.isMain else { return }
        try loadStateBlob(Data(received), source: "rank 0's state")
    }

    /// Parameters and buffers under their names, Adam's state under `optimizer.`, the progress as
    /// JSON in the metadata.
    func stateBlob() throws -> Data {
        var tensors = model.stateDict().filter { !$0.key.hasSuffix(".version") }
        for (name, t) in optimizer.stateTensors() { tensors["optimizer." + name] = t }
        let progress = String(decoding: try JSONEncoder().encode(progressSnapshot), as: UTF8.self)
        return SafeTensors.encode(tensors, metadata: ["progress": progress])
    }

    func loadStateBlob(_ data: Data, source: String) throws {
        do {
            let file = try SafeTensors.decode(data, file: source)
            let weights = file.tensors.filter { !$0.key.hasPrefix("optimizer.") }
            let moments = Dictionary(uniqueKeysWithValues: file.tensors.filter { $0.key.hasPrefix("optimizer.") }
                .map { (String($0.key.dropFirst("optimizer.".count)), $0.value) })
            guard let json = file.metadata["progress"] else {
                throw TrainingError.badCheckpoint(path: source, reason: "no progress record")
            }
            let snapshot = try JSONDecoder().decode(TrainingProgress.self, from: Data(json.utf8))
            try model.load(weights, file: source, strict: true)
            try optimizer.loadState(moments, file: source)
            try restore(snapshot, from: source)
        } catch let error as TrainingError {
            throw error
        } catch {
            throw TrainingError.badCheckpoint(path: source, reason: "\(error)")
        }
    }
}
