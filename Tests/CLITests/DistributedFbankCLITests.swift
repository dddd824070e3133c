import FeatureStore
import Foundation
import Testing
import _TestSupport

/// `mpirun -np N mtla fbank --manifest …`: sharded extraction gives the single-process store.
@Suite struct DistributedFbankCLITests {
    let dir: URL
    init() throws { dir = try TestData.temporaryDirectory("cli-mpi-fbank") }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// A data dir `name` whose wav.scp maps u1… to the given reference files (or other paths).
    func makeDataDir(_ name: String, _ sources: [String]) throws -> String {
        let d = path(name)
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        let lines = sources.enumerated().map { i, f in
            "u\(i + 1) " + (f.hasPrefix("/") ? f : TestData.reference("fbank/audio/" + f).path)
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: d + "/wav.scp", atomically: true, encoding: .utf8)
        try (sources.indices.map { "u\($0 + 1) words of \($0 + 1)" }.joined(separator: "\n") + "\n")
            .write(toFile: d + "/text", atomically: true, encoding: .utf8)
        return d
    }

    func bytes(_ p: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: p)) }
    func text(_ p: String) throws -> String { try String(contentsOfFile: p, encoding: .utf8) }

    static let files = ["es01.wav", "es02.wav", "stereo_16k.wav", "alsa_Front_Left_flac.flac", "short_50ms.wav", "es03.wav", "es04.wav"]

    @Test(arguments: [2, 3])
    func shardedStoresEqualTheSingleProcessStores(ranks: Int) throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try makeDataDir("data", Self.files)
        for format in ["zip", "ark"] {
            let one = try runMTLA(["fbank", "--manifest", data, "--out-dir", path("single-\(format)"), "--format", format])
            #expect(one.status == 0, "\(one.err)")
            let many = try runMPI(ranks: ranks, ["fbank", "--manifest", data, "--out-dir", path("mpi-\(format)"), "--format", format])
            #expect(many.status == 0, "\(many.err)")
            #expect(many.err.contains("7 utterances in \(ranks) shards") && many.err.contains("from \(ranks) shards"), "\(many.err)")
            let names = format == "zip" ? ["fbank80.zip", "data.tsv", "extraction.json"] : ["feats.ark", "utt2num_frames", "extraction.json"]
            for name in names {
                #expect(try bytes(path("single-\(format)/\(name)")) == bytes(path("mpi-\(format)/\(name)")), "\(format) \(name)")
            }
            if format == "ark" {   // the scp names its own ark
                #expect(try text(path("single-ark/feats.scp")).replacingOccurrences(of: "single-ark", with: "mpi-ark")
                        == text(path("mpi-ark/feats.scp")))
            }
            // The parts are gone once merged; the store validates.
            #expect(!FileManager.default.fileExists(atPath: path("mpi-\(format)/.parts-\(ranks)")))
            let store = format == "zip" ? path("mpi-zip/data.tsv") : path("mpi-ark/feats.ark")
            #expect(try runMTLA(["store", "validate", store]).status == 0)
            // A finished store is not clobbered.
            let again = try runMPI(ranks: ranks, ["fbank", "--manifest", data, "--out-dir", path("mpi-\(format)"), "--format", format])
            #expect(again.status != 0 && again.err.contains("exists"), "\(again.err)")
        }
    }

    /// A failing utterance stops every rank; after the input is mended the job resumes per shard (the
    /// failed rank keeps what it had stored) and ends with the single-process store.
    @Test func aFailedJobResumesPerShard() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        var sources = Array(Self.files.prefix(6))
        sources[4] = "/nonexistent/u5.wav"   // shard 1 of 2 is u4 u5 u6: u4 is stored before u5 fails
        let data = try makeDataDir("data", sources)
        let failed = try runMPI(ranks: 2, ["fbank", "--manifest", data, "--out-dir", path("mpi"), "--format", "zip"])
        #expect(failed.status != 0 && failed.err.contains("u5") && failed.err.contains("/nonexistent/u5.wav"), "\(failed.err)")
        #expect(!FileManager.default.fileExists(atPath: path("mpi/fbank80.zip")))
        let mended = try makeDataDir("data", Array(Self.files.prefix(6)))
        let resumed = try runMPI(ranks: 2, ["fbank", "--manifest", mended, "--out-dir", path("mpi"), "--format", "zip"])
        #expect(resumed.status == 0, "\(resumed.err)")
        #expect(resumed.err.contains("rank 1: resuming, 1 utterances of the shard already stored"), "\(resumed.err)")
        let single = try runMTLA(["fbank", "--manifest", mended, "--out-dir", path("single"), "--format", "zip"])
        #expect(single.status == 0)
        #expect(try bytes(path("single/fbank80.zip")) == bytes(path("mpi/fbank80.zip")))
        #expect(try text(path("single/data.tsv")) == text(path("mpi/data.tsv")))
    }

    /// `--skip-bad` and `--cmvn global` across shards: the same skipped list; the statistics are summed
    /// over the ranks (another summation order than one pass), so features agree within 1e-5.
    @Test func skippedUtterancesAndGlobalCMVNAcrossShards() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        var sources = Self.files
        sources[1] = "/nonexistent/u2.wav"
        let data = try makeDataDir("data", sources)
        let options = ["--format", "ark", "--skip-bad", "--cmvn", "global"]
        let one = try runMTLA(["fbank", "--manifest", data, "--out-dir", path("single")] + options)
        let many = try runMPI(ranks: 2, ["fbank", "--manifest", data, "--out-dir", path("mpi")] + options)
        #expect(one.status == 0 && many.status == 0, "\(one.err)\n\(many.err)")
        #expect(try text(path("single/skipped.tsv")) == text(path("mpi/skipped.tsv")))
        #expect(try text(path("single/skipped.tsv")).contains("u2\t/nonexistent/u2.wav\t"))
        let a = try KaldiArkReader.readAll(path: path("single/feats.ark")), b = try KaldiArkReader.readAll(path: path("mpi/feats.ark"))
        #expect(a.map(\.key) == b.map(\.key) && a.count == 6)
        var worst: Float = 0
        for (x, y) in zip(a, b) {
            let (p, q) = (x.object.featureMatrix!, y.object.featureMatrix!)
            #expect(p.rows == q.rows && p.cols == q.cols)
            for (u, v) in zip(p.values, q.values) { worst = max(worst, abs(u - v)) }
        }
        #expect(worst <= 1e-5, "largest difference \(worst)")
        let g1 = try GlobalCMVNFile.read(path: path("single/gcmvn.npz")), g2 = try GlobalCMVNFile.read(path: path("mpi/gcmvn.npz"))
        #expect(zip(g1.mean + g1.std, g2.mean + g2.std).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($0)) })
    }
}
