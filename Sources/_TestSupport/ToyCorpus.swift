import Fbank
import FeatureStore
import Foundation
import SeededRandom

/// A learnable toy speech corpus in fairseq layout, for training and decoding tests: `u<i>.npy`
/// features (8 channels, 30–49 frames), `train.tsv` / `dev.tsv` manifests and `dict.txt` with the
/// words alpha, beta, gamma, delta (ids 4–7). Utterance i's three words are chosen by which pair of
/// channels is loud in each third of its frames.
public enum ToyCorpus {
    public static let words = ["alpha", "beta", "gamma", "delta"]

    public static func write(to dir: URL, utterances: Int = 24, seed: UInt64 = 1) throws {
        var g = Xoshiro256(seed: seed)
        var train = "id\taudio\tn_frames\ttgt_text\n", dev = train
        for i in 0..<utterances {
            let frames = 30 + g.nextInt(0, 20)
            let picks = (0..<3).map { _ in g.nextInt(0, 4) }
            var values = [Float](repeating: 0, count: frames * 8)
            for t in 0..<frames {
                let band = picks[min(2, t * 3 / frames)]
                for c in 0..<8 { values[t * 8 + c] = Float(g.nextGaussian()) * 0.3 + (c / 2 == band ? 2 : 0) }
            }
            try Data(Npy.encode(FeatureMatrix(rows: frames, cols: 8, values: values))).write(to: dir.appendingPathComponent("u\(i).npy"))
            let line = "u\(i)\tu\(i).npy\t\(frames)\t\(picks.map { words[$0] }.joined(separator: " "))\n"
            if i < utterances - 6 { train += line } else { dev += line }
        }
        try train.write(to: dir.appendingPathComponent("train.tsv"), atomically: true, encoding: .utf8)
        try dev.write(to: dir.appendingPathComponent("dev.tsv"), atomically: true, encoding: .utf8)
        try words.map { "\($0) 10\n" }.joined().write(to: dir.appendingPathComponent("dict.txt"), atomically: true, encoding: .utf8)
    }
}
