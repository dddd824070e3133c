import Foundation
import Fbank
import FeatureStore
import _TestSupport

/// The golden `kaldi/index.json` (written by kaldiio 2.18.1; see Data/reference/README.md §4).
struct KaldiGoldenIndex: @unchecked Sendable {
    struct Entry {
        var key: String
        var scpOffset: Int
        var kaldiType: String
        var shape: [Int]
        var dtype: String
        var sha256: String
        var sha256AsFloat32: String?
        var int16Sha256: String?
        var sum: Double
        var min: Double?
        var max: Double?
        var layout: [String: Any]?
    }

    struct Ark {
        var name: String
        var ark: String
        var scp: String
        var arkBytes: Int
        var sha256Ark: String
        var entries: [Entry]
    }

    var arks: [String: Ark]

    static let shared: KaldiGoldenIndex = {
        let data = try! Data(contentsOf: TestData.reference("kaldi/index.json"))
        let json = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        var arks: [String: Ark] = [:]
        for (name, value) in json["arks"] as! [String: Any] {
            let a = value as! [String: Any]
            let entries = (a["entries"] as! [[String: Any]]).map { e in
                Entry(key: e["key"] as! String, scpOffset: e["scp_offset"] as! Int, kaldiType: e["kaldi_type"] as! String,
                      shape: e["shape"] as! [Int], dtype: e["dtype"] as! String, sha256: e["sha256"] as! String,
                      sha256AsFloat32: e["sha256_as_float32"] as? String, int16Sha256: e["int16_sha256"] as? String,
                      sum: (e["sum"] as! NSNumber).doubleValue, min: (e["min"] as? NSNumber)?.doubleValue,
                      max: (e["max"] as? NSNumber)?.doubleValue, layout: e["layout"] as? [String: Any])
            }
            arks[name] = Ark(name: name, ark: a["ark"] as! String, scp: a["scp"] as! String, arkBytes: a["ark_bytes"] as! Int,
                             sha256Ark: a["sha256_ark"] as! String, entries: entries)
        }
        return KaldiGoldenIndex(arks: arks)
    }()

    static var arkNames: [String] { shared.arks.keys.sorted() }
}

enum KaldiTestFiles {
    static var dir: String { TestData.reference("kaldi").path }
    static func path(_ name: String) -> String { TestData.reference("kaldi/" + name).path }
    static func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: TestData.reference("kaldi/" + name))) }
    /// `inputs/<group>.<key>.npy` as a matrix (any stored dtype converted to Float32; vectors n × 1).
    static func input(_ group: String, _ key: String) throws -> FeatureMatrix {
        try Npy.readMatrix(path: path("inputs/\(group).\(key).npy"), allowConversion: true)
    }
    /// The raw little-endian values of an input `.npy` and its header.
    static func inputRaw(_ group: String, _ key: String) throws -> (Npy.Header, [UInt8]) {
        let b = try bytes("inputs/\(group).\(key).npy")
        let h = try b.withUnsafeBytes { try Npy.parseHeader($0, name: key) }
        return (h, Array(b[h.dataOffset...]))
    }
}

/// sha256 of the bytes of an array in its own dtype (the `sha256` field of index.json).
func nativeSha256(_ object: KaldiObject) -> String {
    var h = SHA256()
    switch object {
    case let .floatMatrix(m), let .textMatrix(m), let .compressedMatrix(_, m): h.update(float32: m.values)
    case let .floatVector(v), let .textVector(v): h.update(float32: v)
    case let .doubleMatrix(m): m.values.withUnsafeBytes { h.update($0) }
    case let .doubleVector(v): v.withUnsafeBytes { h.update($0) }
    case let .int32Vector(v): v.withUnsafeBytes { h.update($0) }
    case let .wave(w): w.samples.withUnsafeBytes { h.update($0) }
    case let .extendedAudio(a): h.update(a.payload)
    }
    return h.finalizeHex()
}
