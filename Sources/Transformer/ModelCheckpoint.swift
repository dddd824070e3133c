import Foundation
import NN
import SeededRandom
import TensorCore

/// Model checkpoints: safetensors with fairseq's parameter names (spec §3.3) and the config as JSON,
/// in the file's metadata under `model_config` and, for people and PyTorch scripts, beside it as
/// `<name>.json`. fairseq's `version` buffers are written as the reference has them and ignored on
/// load, so a file moves both ways with `load_state_dict(strict=True)`.
public enum ModelCheckpoint {
    static let configKey = "model_config"

    /// Buffers the reference model's state dict holds besides parameters.
    static func buffers(for config: ModelConfig) -> [String: Tensor] {
        var b = ["decoder.version": Tensor(shape: [1], scalars: [3])]
        if config.inputMode == .text { b["encoder.version"] = Tensor(shape: [1], scalars: [3]) }
        return b
    }

    /// Whether a state-dict key is a buffer rather than a parameter.
    static func isBuffer(_ key: String) -> Bool { key.hasSuffix(".version") || key.hasSuffix("._float_tensor") }

    /// The config as indented JSON with sorted keys.
    public static func json(_ config: ModelConfig) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(config)
    }

    /// Reads a config JSON file. - Throws: `ModelError.unreadableConfig` naming the file.
    public static func readConfig(_ url: URL) throws -> ModelConfig {
        do { return try decodeConfig(try Data(contentsOf: url), file: url.path) } catch let e as ModelError { throw e } catch {
            throw ModelError.unreadableConfig(file: url.path, reason: "\(error.localizedDescription)")
        }
    }

    static func decodeConfig(_ data: Data, file: String) throws -> ModelConfig {
        do { return try JSONDecoder().decode(ModelConfig.self, from: data).validated() } catch let e as ModelError { throw e } catch {
            throw ModelError.unreadableConfig(file: file, reason: "\(error)")
        }
    }

    /// Writes `model` to `url` (safetensors, temporary name then rename) and its config to `url`
    /// with extension `.json`. Refuses to replace existing files unless `overwrite`.
    /// - Throws: `ModelError.checkpoint` for an existing file, or the writer's error.
    public static func save(_ model: PrefixDecoderModel, to url: URL, overwrite: Bool = false) throws {
        let sidecar = url.deletingPathExtension().appendingPathExtension("json")
        for u in [url, sidecar] where !overwrite && FileManager.default.fileExists(atPath: u.path) {
            throw ModelError.checkpoint(file: u.path, reason: "exists (pass --overwrite to replace it)")
        }
        let config = try json(model.config)
        var tensors = model.stateDict()
        tensors.merge(buffers(for: model.config)) { a, _ in a }
        try SafeTensors.write(tensors, metadata: [configKey: String(decoding: config, as: UTF8.self)], to: url)
        let tmp = sidecar.appendingPathExtension("tmp")
        try config.write(to: tmp)
        _ = try? FileManager.default.removeItem(at: sidecar)
        try FileManager.default.moveItem(at: tmp, to: sidecar)
    }

    /// Loads a checkpoint: the config from `config` if given, else the file's metadata, else the
    /// `.json` beside it; then every parameter by its fairseq name (strict: a missing, unexpected or
    /// mis-shaped tensor is an error naming it).
    /// - Throws: `ModelError` or `NNError` naming the file.
    public static func load(_ url: URL, config: ModelConfig? = nil) throws -> PrefixDecoderModel {
        let file = try SafeTensors.read(url)
        let resolved: ModelConfig
        if let config {
            resolved = try config.validated()
        } else if let text = file.metadata[configKey] {
            resolved = try decodeConfig(Data(text.utf8), file: "\(url.path) (metadata \(configKey))")
        } else {
            let sidecar = url.deletingPathExtension().appendingPathExtension("json")
            guard FileManager.default.fileExists(atPath: sidecar.path) else {
                throw ModelError.checkpoint(file: url.path, reason: "no model config: neither metadata \"\(configKey)\" nor \(sidecar.lastPathComponent)")
            }
            resolved = try readConfig(sidecar)
        }
        var generator = Xoshiro256(seed: 0)
        let model = try PrefixDecoderModel(config: resolved, generator: &generator)
        try model.load(file.tensors.filter { !isBuffer($0.key) }, file: url.path, strict: true)
        return model
    }
}
