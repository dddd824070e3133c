import Foundation
import TensorCore

extension Module {
    /// Copies `tensors` into the parameters and buffers by path. Everything is checked before anything is
    /// assigned, so a failed load leaves the module unchanged.
    ///
    /// - Parameters:
    ///   - strict: when true (PyTorch's `strict=True`) a parameter without a tensor and a tensor
    ///     without a parameter are errors; when false both are skipped. A shape mismatch is always an error.
    ///   - file: names the source in errors.
    /// - Throws: `NNError.missingParameter` (first in parameter order), `.unexpectedParameter` (first
    ///   in name order), `.shapeMismatch`, `.tiedParameterDiffers` (a tied parameter's paths hold different tensors).
    public func load(_ tensors: [String: Tensor], file: String = "<memory>", strict: Bool = true) throws {
        let params = stateDictParameters() + namedBuffers()
        let known = Set(params.map(\.0))
        if strict {
            if let missing = params.first(where: { tensors[$0.0] == nil }) {
                throw NNError.missingParameter(path: missing.0, file: file)
            }
            if let extra = tensors.keys.sorted().first(where: { !known.contains($0) }) {
                throw NNError.unexpectedParameter(path: extra, file: file)
            }
        }
        for (path, p) in params {
            if let t = tensors[path], t.shape != p.shape {
                throw NNError.shapeMismatch(path: path, expected: p.shape, found: t.shape, file: file)
            }
        }
        var firstPath: [ObjectIdentifier: String] = [:]
        for (path, p) in params {
            guard let t = tensors[path] else { continue }
            if let other = firstPath[ObjectIdentifier(p)] {
                if let u = tensors[other], u != t { throw NNError.tiedParameterDiffers(path: path, tiedTo: other, file: file) }
            } else {
                firstPath[ObjectIdentifier(p)] = path
            }
        }
        for (path, p) in params { if let t = tensors[path] { p.value = t } }
    }

    /// Loads a safetensors file into the parameters (see `load(_:file:strict:)`).
    public func load(from url: URL, strict: Bool = true) throws {
        try load(SafeTensors.read(url).tensors, file: url.path, strict: strict)
    }

    /// Saves the parameters as an F32 safetensors file (temporary name, then rename).
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try SafeTensors.write(stateDict(), metadata: metadata, to: url)
    }
}
