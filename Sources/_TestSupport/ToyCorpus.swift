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

    /// An experiment config (YAML) for a tiny MTLA-or-other model on this corpus: 8-d features, d 16,
    /// one encoder and one decoder layer, vocabulary 8 (the dict plus the four specials), dropout 0.1.
    public static func experimentYAML(root: String? = nil, maxUpdate: Int, seed: Int = 3, attention: String = "MTLA",
                                      specAugment: Bool = true, valid: String = "dev.tsv", interval: Int = 4,
                                      logInterval: Int = 2) -> String {
        """
        task: asr
        seed: \(seed)
        model:
          input_feat_per_channel: 8
          conv_kernel_sizes: "3"
          conv_channels: 16
          encoder_layers: 1
          encoder_embed_dim: 16
          encoder_ffn_embed_dim: 32
          encoder_attention_heads: 2
          decoder_layers: 1
          decoder_embed_dim: 16
          decoder_ffn_embed_dim: 32
          decoder_attention_heads: 2
          decoder_att_type: \(attention)
          decoder_kv_lora_rank: 8
          decoder_qk_nope_head_dim: 4
          decoder_qk_rope_head_dim: 4
          decoder_v_head_dim: 4
          vocab_size: 8
          dropout: 0.1
          attention_dropout: 0.1
          activation_dropout: 0.1
        data:
        \(root.map { "  root: \($0)\n" } ?? "")  train: train.tsv
          valid: \(valid)
          dict: dict.txt
          max_tokens: 200
          prefetch: 2
          spec_augment: \(specAugment)
        optimization:
          lr: 0.01
          warmup_updates: 5
          max_update: \(maxUpdate)
        checkpoint:
          log_interval: \(logInterval)
          validate_interval_updates: \(interval)
          save_interval_updates: \(interval)
          keep_last: 2
          keep_best: 1

        """
    }
}
