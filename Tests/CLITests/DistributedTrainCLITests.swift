import Foundation
import NN
import Testing
import _TestSupport

/// Runs `mpirun -np ranks mtla args…` (Open MPI, loopback, allowed as root, oversubscribed so that it
/// runs on any core count). Fails the test when `mpirun` is missing: CI installs it (Tools/install-deps).
func runMPI(ranks: Int, _ args: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
    let p = try mpiProcess(ranks: ranks, args, environment: extra)
    let o = Pipe(), e = Pipe()
    p.standardOutput = o; p.standardError = e
    try p.run()
    let out = o.fileHandleForReading.readDataToEndOfFile()
    let err = e.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}

/// The `mpirun` process for `ranks` ranks of `mtla args…`, not started.
func mpiProcess(ranks: Int, _ args: [String], environment extra: [String: String] = [:]) throws -> Process {
    let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map { "\($0)/mpirun" }
    guard let mpirun = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw TestFailure("mpirun not found on PATH: install Open MPI (Tools/install-deps installs openmpi-bin)")
    }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: mpirun)
    p.arguments = ["--oversubscribe", "--bind-to", "none", "-np", "\(ranks)", TestData.mtlaBinary.path] + args
    var env = ProcessInfo.processInfo.environment
    env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    env["OMPI_MCA_btl"] = "self,vader"   // one machine: shared memory only, no network probing
    // Containers often forbid the cross-memory-attach copies vader uses for large messages; the tests'
    // messages are small, so plain shared-memory copies cost nothing.
    env["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none"
    for (k, v) in extra { env[k] = v }
    p.environment = env
    return p
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Every tensor of two safetensors files: the largest and the mean absolute difference.
func parameterDifference(_ a: URL, _ b: URL) throws -> (max: Float, mean: Double) {
    let x = try SafeTensors.read(a).tensors, y = try SafeTensors.read(b).tensors
    #expect(Set(x.keys) == Set(y.keys))
    var worst: Float = 0, sum = 0.0, count = 0
    for (name, t) in x {
        guard let u = y[name], u.shape == t.shape else { throw TestFailure("\(name): missing or reshaped in \(b.path)") }
        for (p, q) in zip(t.scalars, u.scalars) { worst = max(worst, abs(p - q)); sum += Double(abs(p - q)); count += 1 }
    }
    return (worst, sum / Double(max(1, count)))
}

/// `mpirun -np 2 mtla train`: synchronous data parallelism on loopback, checked against one process.
///
/// Tolerance: the two ranks' gradients are summed by MPI where one process accumulates them in the
/// backward pass, so the parameters differ by float summation order, which Adam's normalisation can
/// magnify for elements whose gradient is near zero. Measured after 8 updates: largest difference
/// 1.6e-5, mean 3e-9; taking other batches than the single process would give 1.4e-3 and 1.2e-4. The
/// bounds (1e-4 largest, 1e-6 mean) sit between the two.
@Suite(.serialized) struct DistributedTrainCLITests {
    static let maxDifference: Float = 1e-4
    static let meanDifference = 1e-6
    /// The toy experiment without dropout (ranks draw their own masks), 8 updates.
    static let overrides = ["--set", "model.dropout=0", "--set", "model.attention_dropout=0", "--set", "model.activation_dropout=0",
                            "--set", "data.spec_augment=false", "--set", "threads=1"]

    func prepare() throws -> (dir: URL, config: String) {
        let dir = try TestData.temporaryDirectory()
        try ToyCorpus.write(to: dir)
        let cfg = dir.appendingPathComponent("exp.yaml")
        try ToyCorpus.experimentYAML(root: dir.path, maxUpdate: 8, seed: 4, specAugment: false, interval: 4, logInterval: 2)
            .write(to: cfg, atomically: true, encoding: .utf8)
        return (dir, cfg.path)
    }

    func model(_ exp: URL, _ updates: Int) -> URL {
        exp.appendingPathComponent(String(format: "checkpoints/checkpoint_u%08d/model.safetensors", updates))
    }

    @Test func twoRanksEqualOneProcessWithUpdateFreqTwo() throws {
        let (dir, cfg) = try prepare()
        defer { try? FileManager.default.removeItem(at: dir) }
        let single = dir.appendingPathComponent("single"), parallel = dir.appendingPathComponent("parallel")
        let one = try runMTLA(["train", cfg, "--exp-dir", single.path, "--set", "optimization.update_freq=2"] + Self.overrides)
        #expect(one.status == 0, "\(one.err)")
        let two = try runMPI(ranks: 2, ["train", cfg, "--exp-dir", parallel.path] + Self.overrides)
        #expect(two.status == 0, "\(two.err)")
        #expect(two.err.contains("data parallel over 2 ranks: effective batch = 2 ranks × 1 update_freq"), "\(two.err)")
        // Rank 0 alone reports and writes: one line per event, one metrics record per log interval.
        #expect(two.out.components(separatedBy: "last validation:").count == 2, "\(two.out)")
        #expect(two.err.components(separatedBy: "valid at update 8").count == 2)
        let records = try String(contentsOf: parallel.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
            .split(separator: "\n").filter { $0.contains("\"train\"") }
        #expect(records.count == 4 && records.allSatisfy { $0.contains("allreduce_ms") }, "\(records)")
        let d = try parameterDifference(model(single, 8), model(parallel, 8))
        #expect(d.max <= Self.maxDifference && d.mean <= Self.meanDifference, "largest \(d.max), mean \(d.mean)")
        // The same validation loss and accuracy, summed over the ranks' shares of the validation set.
        let a = lastValidation(one.out), b = lastValidation(two.out)
        #expect(Set(a.keys) == ["accuracy", "loss", "nll_loss"] && Set(a.keys) == Set(b.keys), "\(a) vs \(b)")
        for (k, v) in a { #expect(abs(v - (b[k] ?? .nan)) <= 1e-3, "\(k): \(v) vs \(b[k] ?? .nan)") }
    }

    /// With `checkpoint.eval_metric` each rank decodes its share of the validation sentences and the
    /// hypotheses are gathered in order: the WER equals one process's (scrambled, it would not).
    @Test func validationDecodingIsShardedAndGathered() throws {
        let (dir, cfg) = try prepare()
        defer { try? FileManager.default.removeItem(at: dir) }
        let settings = Self.overrides + ["--set", "optimization.max_update=300", "--set", "checkpoint.validate_interval_updates=300",
                                         "--set", "checkpoint.save_interval_updates=300", "--set", "checkpoint.eval_metric=wer",
                                         "--set", "generation.max_len_b=6", "--set", "data.valid=train.tsv"]
        let one = try runMTLA(["train", cfg, "--exp-dir", dir.appendingPathComponent("single").path, "--set", "optimization.update_freq=2"] + settings)
        let two = try runMPI(ranks: 2, ["train", cfg, "--exp-dir", dir.appendingPathComponent("parallel").path] + settings)
        #expect(one.status == 0 && two.status == 0, "\(one.err)\n\(two.err)")
        let a = lastValidation(one.out)["wer"] ?? .nan, b = lastValidation(two.out)["wer"] ?? .nan
        #expect(a < 50, "the toy model learns its words: WER \(a)")
        #expect(abs(a - b) <= 0.5, "WER \(a) (one process) vs \(b) (2 ranks)")
    }

    @Test func aRunResumesWithAnotherNumberOfRanks() throws {
        let (dir, cfg) = try prepare()
        defer { try? FileManager.default.removeItem(at: dir) }
        let reference = dir.appendingPathComponent("reference")
        let r = try runMTLA(["train", cfg, "--exp-dir", reference.path, "--set", "optimization.update_freq=2"] + Self.overrides)
        #expect(r.status == 0, "\(r.err)")
        // Two ranks for 4 updates, then one process (update_freq 2 keeps the effective batch).
        let down = dir.appendingPathComponent("down")
        let a = try runMPI(ranks: 2, ["train", cfg, "--exp-dir", down.path, "--stop-after", "4"] + Self.overrides)
        #expect(a.status == 0 && a.err.contains("stopped after update 4"), "\(a.err)")
        let b = try runMTLA(["train", cfg, "--exp-dir", down.path, "--resume", "--set", "optimization.update_freq=2"] + Self.overrides)
        #expect(b.status == 0 && b.err.contains("resuming at update 4") && b.err.contains("update_freq 2,") && b.err.contains("(were 1, 1,"), "\(b.err)")
        // One process for 4 updates, then two ranks.
        let up = dir.appendingPathComponent("up")
        let c = try runMTLA(["train", cfg, "--exp-dir", up.path, "--stop-after", "4", "--set", "optimization.update_freq=2"] + Self.overrides)
        #expect(c.status == 0, "\(c.err)")
        let d = try runMPI(ranks: 2, ["train", cfg, "--exp-dir", up.path, "--resume"] + Self.overrides)
        #expect(d.status == 0 && d.err.contains("resuming at update 4"), "\(d.err)")
        for exp in [down, up] {
            let diff = try parameterDifference(model(reference, 8), model(exp, 8))
            #expect(diff.max <= Self.maxDifference && diff.mean <= Self.meanDifference, "\(exp.lastPathComponent): largest \(diff.max), mean \(diff.mean)")
        }
        // Other settings may not change on resume.
        let e = try runMPI(ranks: 2, ["train", cfg, "--exp-dir", up.path, "--resume", "--set", "optimization.lr=0.5"] + Self.overrides)
        #expect(e.status != 0 && e.err.contains("only threads, update_freq, max_update and max_epoch may change"), "\(e.err)")
    }

    @Test func aRankThatDiesStopsTheJobAndKeepsTheLastCheckpoint() throws {
        let (dir, cfg) = try prepare()
        defer { try? FileManager.default.removeItem(at: dir) }
        for signal in ["KILL", "STOP"] {
            let exp = dir.appendingPathComponent("exp-\(signal)")
            // Long enough to be running when a rank is stopped; a checkpoint every 2 updates.
            let p = try mpiProcess(ranks: 2, ["train", cfg, "--exp-dir", exp.path, "--set", "optimization.max_update=1000000",
                                              "--set", "checkpoint.save_interval_updates=2", "--set", "checkpoint.validate_interval_updates=1000000"]
                                   + Self.overrides, environment: ["MTLA_COLLECTIVE_TIMEOUT": "5"])
            let e = Pipe()
            p.standardError = e; p.standardOutput = FileHandle.nullDevice
            try p.run()
            let pointer = exp.appendingPathComponent("checkpoint_last.json")
            let start = Date()
            while !FileManager.default.fileExists(atPath: pointer.path) && Date().timeIntervalSince(start) < 60 { usleep(100_000) }
            #expect(FileManager.default.fileExists(atPath: pointer.path), "no checkpoint within 60 s")
            // The ranks are mtla processes whose arguments name this experiment; mpirun is not one of them.
            let ranks = try processIDs(matching: exp.path).filter { $0 != p.processIdentifier }
            #expect(ranks.count == 2, "rank processes: \(ranks)")
            guard let victim = ranks.max() else { p.terminate(); continue }
            kill(victim, signal == "KILL" ? SIGKILL : SIGSTOP)
            let stopped = Date()
            let err = e.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let seconds = Date().timeIntervalSince(stopped)
            let text = String(decoding: err, as: UTF8.self)
            #expect(p.terminationStatus != 0, "\(signal): exit status 0")
            #expect(seconds < 60, "\(signal): the job took \(seconds) s to stop")
            if signal == "STOP" {
                // The waiting rank's watchdog names what it waited in.
                #expect(text.contains("has waited 5 s for the other ranks"), "\(text)")
            } else {
                #expect(text.lowercased().contains("signal 9") || text.contains("killed"), "\(text)")
            }
            for pid in ranks { kill(pid, SIGKILL) }
            // The last complete checkpoint still resumes (one process).
            let resumed = try runMTLA(["train", cfg, "--exp-dir", exp.path, "--resume", "--set", "optimization.max_update=1000000",
                                       "--set", "checkpoint.save_interval_updates=2", "--set", "checkpoint.validate_interval_updates=1000000",
                                       "--stop-after", "1"] + Self.overrides)
            #expect(resumed.err.contains("resuming at update"), "\(resumed.err)")
        }
    }
}

/// The figures of `mtla train`'s "last validation: k v, k v" line.
func lastValidation(_ out: String) -> [String: Double] {
    guard let line = out.split(separator: "\n").last(where: { $0.hasPrefix("last validation: ") }) else { return [:] }
    var values: [String: Double] = [:]
    for pair in line.dropFirst("last validation: ".count).split(separator: ",") {
        let parts = pair.split(separator: " ")
        if parts.count == 2, let v = Double(parts[1]) { values[String(parts[0])] = v }
    }
    return values
}

/// Process ids whose command line contains `text` (from /proc).
func processIDs(matching text: String) throws -> [Int32] {
    try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap { entry -> Int32? in
        guard let pid = Int32(entry),
              let raw = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
        let args = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard args.first?.hasSuffix("mtla") == true || args.first?.hasSuffix("mpirun") == true else { return nil }
        return args.contains { $0.contains(text) } ? pid : nil
    }
}
