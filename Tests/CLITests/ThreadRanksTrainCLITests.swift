import Foundation
import NN
import Testing
import _TestSupport

/// `mtla train --ranks N`: data-parallel ranks as threads of one process, against one process with
/// N × update_freq and against `mpirun -np N` (the same collectives over MPI).
@Suite(.serialized) struct ThreadRanksTrainCLITests {
    let toy = DistributedTrainCLITests()

    /// The same update as one process with update_freq 2, within the summation-order tolerance of
    /// `DistributedTrainCLITests`; rank 0 alone reports and writes.
    @Test func twoThreadRanksEqualOneProcessWithUpdateFreqTwo() throws {
        let (dir, cfg) = try toy.prepare()
        defer { try? FileManager.default.removeItem(at: dir) }
        let single = dir.appendingPathComponent("single"), threads = dir.appendingPathComponent("threads")
        let one = try runMTLA(["train", cfg, "--exp-dir", single.path, "--set", "optimization.update_freq=2"] + DistributedTrainCLITests.overrides)
        #expect(one.status == 0, "\(one.err)")
        let two = try runMTLA(["train", cfg, "--exp-dir", threads.path, "--ranks", "2"] + DistributedTrainCLITests.overrides)
        #expect(two.status == 0, "\(two.err)")
        #expect(two.err.contains("mtla train: 2 ranks (thread rank 0 of 2"), "\(two.err)")
        #expect(two.err.contains("data parallel over 2 ranks: effective batch = 2 ranks × 1 update_freq"), "\(two.err)")
        #expect(two.out.components(separatedBy: "last validation:").count == 2, "\(two.out)")
        #expect(two.err.components(separatedBy: "valid at update 8").count == 2, "\(two.err)")
        let records = try String(contentsOf: threads.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
            .split(separator: "\n").filter { $0.contains("\"train\"") }
        #expect(records.count == 4 && records.allSatisfy { $0.contains("allreduce_ms") }, "\(records)")
        let d = try parameterDifference(toy.model(single, 8), toy.model(threads, 8))
        #expect(d.max <= DistributedTrainCLITests.maxDifference && d.mean <= DistributedTrainCLITests.meanDifference,
                "largest \(d.max), mean \(d.mean)")
        let a = lastValidation(one.out), b = lastValidation(two.out)
        #expect(Set(a.keys) == ["accuracy", "loss", "nll_loss"] && Set(a.keys) == Set(b.keys), "\(a) vs \(b)")
        for (k, v) in a { #expect(abs(v - (b[k] ?? .nan)) <= 1e-3, "\(k): \(v) vs \(b[k] ?? .nan)") }
    }

    /// Two thread ranks and two MPI ranks run the same batches and sum the same two gradients (float
    /// addition of two terms commutes): the models are bit-identical.
    @Test func threadRanksMatchMPIRanksExactly() throws {
        let (dir, cfg) = try toy.prepare()
        defer { try? FileManager.default.removeItem(at: dir) }
        let threads = dir.appendingPathComponent("threads"), mpi = dir.appendingPathComponent("mpi")
        let a = try runMTLA(["train", cfg, "--exp-dir", threads.path, "--ranks", "2"] + DistributedTrainCLITests.overrides)
        let b = try runMPI(ranks: 2, ["train", cfg, "--exp-dir", mpi.path] + DistributedTrainCLITests.overrides)
        #expect(a.status == 0 && b.status == 0, "\(a.err)\n\(b.err)")
        let d = try parameterDifference(toy.model(threads, 8), toy.model(mpi, 8))
        #expect(d.max == 0, "largest difference \(d.max)")
    }

    /// Thread ranks resume a run started by one process, and the other way round.
    @Test func aRunResumesBetweenThreadRanksAndOneProcess() throws {
        let (dir, cfg) = try toy.prepare()
        defer { try? FileManager.default.removeItem(at: dir) }
        let reference = dir.appendingPathComponent("reference"), exp = dir.appendingPathComponent("exp")
        let r = try runMTLA(["train", cfg, "--exp-dir", reference.path, "--set", "optimization.update_freq=2"] + DistributedTrainCLITests.overrides)
        #expect(r.status == 0, "\(r.err)")
        let a = try runMTLA(["train", cfg, "--exp-dir", exp.path, "--ranks", "2", "--stop-after", "4"] + DistributedTrainCLITests.overrides)
        #expect(a.status == 0 && a.err.contains("stopped after update 4"), "\(a.err)")
        let b = try runMTLA(["train", cfg, "--exp-dir", exp.path, "--resume", "--set", "optimization.update_freq=2"] + DistributedTrainCLITests.overrides)
        #expect(b.status == 0 && b.err.contains("resuming at update 4"), "\(b.err)")
        let d = try parameterDifference(toy.model(reference, 8), toy.model(exp, 8))
        #expect(d.max <= DistributedTrainCLITests.maxDifference && d.mean <= DistributedTrainCLITests.meanDifference,
                "largest \(d.max), mean \(d.mean)")
    }

    /// An error on rank 0 (here: the directory already holds a run) stops every rank with the error
    /// and a non-zero status instead of leaving rank 1 waiting for rank 0's state.
    @Test func anErrorOnOneRankStopsTheJob() throws {
        let (dir, cfg) = try toy.prepare()
        defer { try? FileManager.default.removeItem(at: dir) }
        let exp = dir.appendingPathComponent("exp")
        let first = try runMTLA(["train", cfg, "--exp-dir", exp.path, "--ranks", "2", "--stop-after", "2"] + DistributedTrainCLITests.overrides)
        #expect(first.status == 0, "\(first.err)")
        let start = Date()
        let again = try runMTLA(["train", cfg, "--exp-dir", exp.path, "--ranks", "2"] + DistributedTrainCLITests.overrides)
        #expect(again.status != 0 && again.err.contains("holds a run") && again.err.contains("--resume"), "\(again.err)")
        #expect(Date().timeIntervalSince(start) < 60)
    }

    @Test func badRankCountsAreRefused() throws {
        let (dir, cfg) = try toy.prepare()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zero = try runMTLA(["train", cfg, "--exp-dir", dir.appendingPathComponent("a").path, "--ranks", "0"])
        #expect(zero.status != 0 && zero.err.contains("--ranks must be at least 1, got 0"), "\(zero.err)")
        let underMPI = try runMPI(ranks: 1, ["train", cfg, "--exp-dir", dir.appendingPathComponent("b").path, "--ranks", "2"])
        #expect(underMPI.status != 0 && underMPI.err.contains("--ranks 2 under mpirun"), "\(underMPI.err)")
        let alone = try runMTLA(["train", cfg, "--exp-dir", dir.appendingPathComponent("c").path, "--split-batches"])
        #expect(alone.status != 0 && alone.err.contains("--split-batches shares batches between ranks"), "\(alone.err)")
        // Oversubscribing the cores is allowed, with a warning that says what to set.
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let many = try runMTLA(["train", cfg, "--exp-dir", dir.appendingPathComponent("d").path, "--ranks", "\(cores + 1)",
                                "--stop-after", "1"] + DistributedTrainCLITests.overrides)
        #expect(many.status == 0 && many.err.contains("compute threads on \(cores) cores"), "\(many.err)")
    }

    /// `--split-batches`: two ranks share each batch's sentences and make one process's updates with the
    /// same config (update_freq 1); two MPI ranks split the same way give the thread ranks' model exactly.
    ///
    /// Tolerance: besides the order in which the two halves' gradients are added, each half is padded to
    /// its own longest sentence, so the products have other shapes and round differently. Measured after
    /// 8 updates: largest difference 1.4e-4, mean 1.8e-7; whole batches per rank (other updates) give a
    /// mean of 1.2e-4. The bounds: largest 5e-4, mean 1e-6.
    static let splitMaxDifference: Float = 5e-4

    @Test func splitBatchesMakeOneProcessUpdates() throws {
        let (dir, cfg) = try toy.prepare()
        defer { try? FileManager.default.removeItem(at: dir) }
        let single = dir.appendingPathComponent("single"), threads = dir.appendingPathComponent("threads"), mpi = dir.appendingPathComponent("mpi")
        let one = try runMTLA(["train", cfg, "--exp-dir", single.path] + DistributedTrainCLITests.overrides)
        #expect(one.status == 0, "\(one.err)")
        let two = try runMTLA(["train", cfg, "--exp-dir", threads.path, "--ranks", "2", "--split-batches"] + DistributedTrainCLITests.overrides)
        #expect(two.status == 0, "\(two.err)")
        #expect(two.err.contains("each batch split by sentences: effective batch = 1 update_freq"), "\(two.err)")
        #expect(two.err.components(separatedBy: "data parallel over").count == 2, "one report line, from rank 0: \(two.err)")
        let d = try parameterDifference(toy.model(single, 8), toy.model(threads, 8))
        #expect(d.max <= Self.splitMaxDifference && d.mean <= DistributedTrainCLITests.meanDifference, "largest \(d.max), mean \(d.mean)")
        // Whole batches per rank would be other updates: the mean bound tells them apart.
        let whole = dir.appendingPathComponent("whole")
        let w = try runMTLA(["train", cfg, "--exp-dir", whole.path, "--ranks", "2"] + DistributedTrainCLITests.overrides)
        #expect(w.status == 0, "\(w.err)")
        let other = try parameterDifference(toy.model(single, 8), toy.model(whole, 8))
        #expect(other.mean > 10 * DistributedTrainCLITests.meanDifference, "whole batches: largest \(other.max), mean \(other.mean)")
        let m = try runMPI(ranks: 2, ["train", cfg, "--exp-dir", mpi.path, "--split-batches"] + DistributedTrainCLITests.overrides)
        #expect(m.status == 0, "\(m.err)")
        #expect(try parameterDifference(toy.model(threads, 8), toy.model(mpi, 8)).max == 0)
    }
}
