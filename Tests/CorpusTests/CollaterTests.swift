import Corpus
import Fbank
import Foundation
import SeededRandom
import TensorCore
import Testing
import _TestSupport

@Suite struct CollaterTests {
    struct Golden: Decodable {
        struct Collate: Decodable {
            var targets: [[Int32]]
            var target: [[Int32]]
            var prev_output_tokens: [[Int32]]
            var sources: [[Int32]]
            var source_left_pad: [[Int32]]
            var source_right_pad: [[Int32]]
        }
        var collate_tokens: Collate
    }

    /// fairseq's `collate_tokens` (pad 1, eos 2; `move_eos_to_beginning` for the decoder input), from
    /// Data/golden/corpus/batching.json.
    @Test func tokensMatchFairseqCollateTokens() throws {
        let g = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: TestData.url("golden/corpus/batching.json"))).collate_tokens
        let samples = zip(g.sources, g.targets).enumerated().map { i, st in
            (index: i, sample: Sample(id: "s\(i)", source: .tokens(st.0), target: st.1))
        }
        for left in [false, true] {
            let c = Collater(leftPadSource: left, sortByLength: false)
            let b = try c.collate(samples, training: true, seed: 1, epoch: 1)
            let s = g.target[0].count
            #expect(b.target == Int32Tensor(shape: [4, s], scalars: g.target.flatMap { $0 }))
            #expect(b.prevOutputTokens == Int32Tensor(shape: [4, s], scalars: g.prev_output_tokens.flatMap { $0 }))
            guard case let .tokens(src, lengths) = b.source else { Issue.record("expected tokens"); return }
            let expected = left ? g.source_left_pad : g.source_right_pad
            #expect(src == Int32Tensor(shape: [4, expected[0].count], scalars: expected.flatMap { $0 }))
            #expect(lengths == [3, 2, 5, 1])
            #expect(b.targetTokens == 4 + 2 + 6 + 1)
            #expect(b.targetLengths == [4, 2, 6, 1])
            #expect(b.sourceFrames == 11)
            #expect(b.ids == ["s0", "s1", "s2", "s3"] && b.indices == [0, 1, 2, 3])
        }
        // Sorted by decreasing source length (stable), as fairseq's collaters do.
        let sorted = try Collater().collate(samples, training: false, seed: 1, epoch: 1)
        #expect(sorted.indices == [2, 0, 1, 3])
        #expect(sorted.target == Int32Tensor(shape: [4, 6], scalars: [2, 0, 1, 3].flatMap { g.target[$0] }))
    }

    @Test func featuresArePaddedWithZerosLongestFirst() throws {
        let a = features(1, rows: 3, cols: 2), b = features(2, rows: 5, cols: 2)
        let batch = try Collater().collate([(index: 10, sample: Sample(id: "a", source: .features(a), target: [7])),
                                            (index: 11, sample: Sample(id: "b", source: .features(b), target: [8, 9]))],
                                           training: false, seed: 1, epoch: 1)
        #expect(batch.ids == ["b", "a"] && batch.indices == [11, 10])
        guard case let .features(x, lengths) = batch.source else { Issue.record("expected features"); return }
        #expect(x.shape == [2, 5, 2])
        #expect(x.scalars == b.values + a.values + [0, 0, 0, 0])
        #expect(lengths == [5, 3])
        #expect(batch.sourceFrames == 8 && batch.targetTokens == 5)
        #expect(batch.target == Int32Tensor(shape: [2, 3], scalars: [8, 9, 2, 7, 2, 1]))
        #expect(batch.prevOutputTokens == Int32Tensor(shape: [2, 3], scalars: [2, 8, 9, 2, 7, 1]))
    }

    @Test func mismatchedWidthsNameTheUtterances() {
        let s = [(index: 0, sample: Sample(id: "wide", source: .features(features(0, rows: 2, cols: 3)), target: [])),
                 (index: 1, sample: Sample(id: "narrow", source: .features(features(1, rows: 2, cols: 2)), target: []))]
        #expect(throws: CorpusError.incompatibleBatch(ids: ["wide", "narrow"], reason: "'narrow' has 2 feature dimensions, 'wide' has 3")) {
            try Collater().collate(s, training: false, seed: 1, epoch: 1)
        }
    }

    /// Transforms: utterance CMVN gives zero-mean columns; global CMVN is (x − mean)/std; SpecAugment
    /// runs for training only, reproducibly per (seed, epoch, index).
    @Test func transformsAtCollation() throws {
        let m = features(3, rows: 120, cols: 30)
        let s = [(index: 4, sample: Sample(id: "u", source: .features(m), target: [5]))]
        func values(_ c: Collater, training: Bool, seed: UInt64 = 1, epoch: Int = 1) throws -> [Float] {
            guard case let .features(x, _) = try c.collate(s, training: training, seed: seed, epoch: epoch).source else { return [] }
            return x.scalars
        }
        var u = m
        UtteranceCMVN().apply(to: &u)
        #expect(try values(Collater(transforms: FeatureTransforms(utteranceCMVN: UtteranceCMVN())), training: false) == u.values)
        let g = GlobalCMVN(mean: (0..<30).map { Float($0) * 0.5 }, std: (0..<30).map { 1 + Float($0) / 10 })
        #expect(try values(Collater(transforms: FeatureTransforms(globalCMVN: g)), training: true) == (try g.applied(to: m)).values)
        let aug = Collater(transforms: .fairseqSpeech)
        #expect(try values(aug, training: false) == u.values)  // no SpecAugment outside training
        let t1 = try values(aug, training: true), t2 = try values(aug, training: true)
        #expect(t1 == t2 && t1 != u.values)
        var rng = SampleRandom.generator(seed: 1, epoch: 1, index: 4, purpose: .specAugment)
        #expect(t1 == SpecAugment().apply(to: u, using: &rng).values)
        #expect(try values(aug, training: true, epoch: 2) != t1)
    }
}
