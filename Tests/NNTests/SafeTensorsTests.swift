import Foundation
import NN
import SeededRandom
import TensorCore
import Testing
import _TestSupport

@Suite struct SafeTensorsTests {
    @Test func roundTripIsExact() throws {
        let dir = try TestData.temporaryDirectory("nn-st")
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = Xoshiro256(seed: 11)
        let tensors = ["a.weight": Tensor.randomNormal([3, 5], using: &g), "b": Tensor(shape: [], repeating: -0.0),
                       "empty": Tensor(zeros: [0, 4]), "quote\"name": Tensor(shape: [2], scalars: [.infinity, .leastNormalMagnitude / 4])]
        let url = dir.appendingPathComponent("t.safetensors")
        try SafeTensors.write(tensors, metadata: ["format": "pt"], to: url)
        try SafeTensors.write(tensors, metadata: ["format": "pt"], to: url)  // overwrite through rename
        let back = try SafeTensors.read(url)
        #expect(back.tensors == tensors)
        #expect(back.metadata == ["format": "pt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["t.safetensors"])  // no temporary left
    }

    /// F16 and BF16 written by PyTorch decode exactly to PyTorch's `.float()` values. The file was
    /// written by the script's own header writer (the `safetensors` package is not in the venv).
    @Test func readsF16AndBF16() throws {
        let g = try golden("dtypes.safetensors")
        #expect(g["f16"]! == g["f16.as_f32"]!)
        #expect(g["bf16"]! == g["bf16.as_f32"]!)
        #expect(g["f32"]!.scalars == [0, 1, -2.5, 3.140625, 65504, 1e-3])
        #expect(g["f16"]!.shape == [2, 3] && g["bf16"]!.shape == [2, 2])
    }

    @Test func moduleSaveAndLoad() throws {
        let dir = try TestData.temporaryDirectory("nn-st")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = TinyModel(), url = dir.appendingPathComponent("m.safetensors")
        try a.save(to: url)
        var g = Xoshiro256(seed: 99)
        let b = TinyModel()
        b.layers[0].fc1.weight.value = Tensor.randomNormal([8, 4], using: &g)
        try b.load(from: url)
        #expect(b.stateDict() == a.stateDict())
    }

    // MARK: Bad files

    private func header(_ json: String, data: [UInt8] = []) -> Data {
        var d = Data()
        withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { d.append(contentsOf: $0) }
        d.append(contentsOf: Array(json.utf8))
        d.append(contentsOf: data)
        return d
    }

    @Test func truncatedHeader() {
        var d = header(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])
        d = d.prefix(20)
        #expect(throws: NNError.truncatedHeader(file: "bad", headerLength: 54, fileSize: 20)) {
            try SafeTensors.decode(d, file: "bad")
        }
        #expect(throws: NNError.truncatedHeader(file: "bad", headerLength: 0, fileSize: 3)) {
            try SafeTensors.decode(Data([1, 2, 3]), file: "bad")
        }
    }

    @Test func offsetsPastEnd() {
        let d = header(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0])
        #expect(throws: NNError.offsetsOutOfBounds(tensor: "a", begin: 0, end: 8, dataSize: 4, file: "bad")) {
            try SafeTensors.decode(d, file: "bad")
        }
    }

    @Test func unknownDType() {
        let d = header(#"{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8))
        #expect(throws: NNError.unsupportedDType(tensor: "a", dtype: "F64", file: "bad")) {
            try SafeTensors.decode(d, file: "bad")
        }
    }

    /// Integer tensors (token ids, lengths, counters) read exactly; beyond 2^24 is an error, not a rounding.
    @Test func integerTensorsReadExactlyOrFail() throws {
        let ids: [Int64] = [-3, 0, 16_777_216]
        let bytes = ids.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        let f = try SafeTensors.decode(header(#"{"a":{"dtype":"I64","shape":[3],"data_offsets":[0,24]}}"#, data: bytes), file: "ok")
        #expect(f.tensors["a"]?.scalars == [-3, 0, 16_777_216])
        let big = withUnsafeBytes(of: Int64(16_777_217).littleEndian) { Array($0) }
        #expect(throws: NNError.self) {
            try SafeTensors.decode(header(#"{"a":{"dtype":"I64","shape":[],"data_offsets":[0,8]}}"#, data: big), file: "big")
        }
        let small = try SafeTensors.decode(header(#"{"b":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}"#, data: [1, 255]), file: "u8")
        #expect(small.tensors["b"]?.scalars == [1, 255])
    }

    @Test func byteCountGapAndJSONErrors() {
        let wrongCount = header(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])
        #expect(throws: NNError.byteCountMismatch(tensor: "a", shape: [2], bytes: 4, file: "bad")) {
            try SafeTensors.decode(wrongCount, file: "bad")
        }
        let huge = header(#"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])
        #expect(throws: NNError.byteCountMismatch(tensor: "a", shape: [4611686018427387904, 4], bytes: 4, file: "bad")) {
            try SafeTensors.decode(huge, file: "bad")
        }
        let gap = header(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: Array(repeating: 0, count: 8))
        #expect(throws: NNError.dataNotContiguous(tensor: "a", file: "bad")) { try SafeTensors.decode(gap, file: "bad") }
        #expect(throws: NNError.invalidHeader(file: "bad", reason: "not JSON")) {
            try SafeTensors.decode(header("{nope"), file: "bad")
        }
        let error = #expect(throws: NNError.self) {
            _ = try SafeTensors.read(URL(fileURLWithPath: "/nonexistent/x.safetensors"))
        }
        if case let .io(file, _) = error { #expect(file == "/nonexistent/x.safetensors") } else { Issue.record("\(String(describing: error))") }
    }
}

@Suite struct LoadTests {
    private func state() -> [String: Tensor] { TinyModel().stateDict() }

    @Test func missingExtraAndMisShaped() {
        var s = state()
        s["layers.1.fc2.bias"] = nil
        #expect(throws: NNError.missingParameter(path: "layers.1.fc2.bias", file: "f")) { try TinyModel().load(s, file: "f") }
        #expect(throws: Never.self) { try TinyModel().load(s, file: "f", strict: false) }
        s = state()
        s["layers.2.fc1.weight"] = Tensor(zeros: [8, 4])
        #expect(throws: NNError.unexpectedParameter(path: "layers.2.fc1.weight", file: "f")) { try TinyModel().load(s, file: "f") }
        #expect(throws: Never.self) { try TinyModel().load(s, file: "f", strict: false) }
        s = state()
        s["layers.0.fc1.weight"] = Tensor(zeros: [4, 8])
        #expect(throws: NNError.shapeMismatch(path: "layers.0.fc1.weight", expected: [8, 4], found: [4, 8], file: "f")) {
            try TinyModel().load(s, file: "f", strict: false)
        }
    }

    @Test func failedLoadChangesNothing() {
        let m = TinyModel(), before = m.stateDict()
        var s = state().mapValues { Tensor(shape: $0.shape, repeating: 3) }
        s["layer_norm.bias"] = Tensor(zeros: [5])
        #expect(throws: NNError.self) { try m.load(s) }
        #expect(m.stateDict() == before)
    }
}

/// The reference attention files in Data/reference/attention were written by the Python `safetensors`
/// 0.8.0 package (Data/reference/README.md §2): reading them checks interchange with it.
@Suite struct SafeTensorsInteropTests {
    @Test(arguments: ["mha", "gqa", "mqa", "mla", "mtla_s2"])
    func readsFilesWrittenByThePythonPackage(_ name: String) throws {
        let url = TestData.reference("attention/\(name).safetensors")
        let file = try SafeTensors.read(url)
        // Cross-check names, shapes and the first values against the header parsed independently.
        let raw = try Data(contentsOf: url)
        let n = raw.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        let header = try #require(try JSONSerialization.jsonObject(with: raw.subdata(in: 8..<8 + n)) as? [String: Any])
        let names = header.keys.filter { $0 != "__metadata__" }
        #expect(Set(file.tensors.keys) == Set(names))
        #expect(file.metadata["config"] != nil)
        for key in names {
            let entry = try #require(header[key] as? [String: Any])
            let shape = try #require(entry["shape"] as? [Int])
            let offsets = try #require(entry["data_offsets"] as? [Int])
            let t = try #require(file.tensors[key])
            #expect(t.shape == shape, "\(key)")
            if offsets[1] > offsets[0] {
                let first = raw.withUnsafeBytes { Float(bitPattern: UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 8 + n + offsets[0], as: UInt32.self))) }
                #expect(t.scalars.first == first, "\(key)")
            }
        }
    }
}
