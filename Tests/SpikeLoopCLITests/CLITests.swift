import Foundation
import Testing

/// End-to-end tests of the built `spikeloop` binary (stdout, stderr, exit code, files).
enum CLI {
    static var binary: URL {
        // The test bundle lives in the build products folder next to the executable.
        var dir = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("spikeloop")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        let fromSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug/spikeloop").standardized
        return fromSource
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var lastJSON: [String: Any]? {
            guard let line = stdout.split(separator: "\n").last else { return nil }
            return try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
    }

    static func run(_ args: [String]) throws -> Result {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static func tempDir() -> String {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("spikeloop-cli-\(UUID().uuidString)")
        return u.path
    }

    static let quick = ["--dataset", "synthetic", "--train-samples", "300", "--validation-samples", "100", "--batch-size", "50", "--hidden", "32", "--threads", "2"]
}

@Suite(.serialized) struct CLITests {
    @Test("train writes a run directory and ends with a JSON line; evaluate reads the checkpoint")
    func trainAndEvaluate() throws {
        let dir = CLI.tempDir()
        let r = try CLI.run(["train"] + CLI.quick + ["--epochs", "2", "--run-dir", dir, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try #require(r.lastJSON, "last line: \(r.stdout.suffix(300))")
        #expect(j["epochs"] as? Int == 2)
        for key in ["test_accuracy", "hidden_spikes_per_sample", "seconds_per_epoch", "run_dir"] { #expect(j[key] != nil, "missing \(key)") }
        for f in ["config.json", "metrics.jsonl", "last.safetensors", "best.safetensors", "report.html", "test.json"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + f), "missing \(f)")
        }
        let metrics = try String(contentsOfFile: dir + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(metrics.count == 2)
        let e = try CLI.run(["evaluate", dir + "/best.safetensors", "--json"])
        #expect(e.status == 0, "\(e.stderr)")
        let ej = try #require(e.lastJSON)
        #expect((ej["confusion"] as? [[Int]])?.count == 10)
        #expect(e.stdout.contains("per-class accuracy"))
    }

    @Test("without a validation split the final test uses the last checkpoint")
    func noValidation() throws {
        let dir = CLI.tempDir()
        let r = try CLI.run(["train", "--dataset", "synthetic", "--train-samples", "300", "--validation-samples", "0", "--batch-size", "50", "--hidden", "32", "--threads", "2", "--epochs", "3", "--run-dir", dir, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/best.safetensors"))
        let e = try CLI.run(["evaluate", dir + "/last.safetensors", "--json"])
        let train = try #require(r.lastJSON), eval = try #require(e.lastJSON)
        #expect(train["test_accuracy"] as? Double == eval["accuracy"] as? Double)
    }

    @Test("an interrupted run resumes bit-identically to an uninterrupted one")
    func interruptAndResume() throws {
        let a = CLI.tempDir(), b = CLI.tempDir()
        let straight = try CLI.run(["train"] + CLI.quick + ["--epochs", "2", "--run-dir", a])
        #expect(straight.status == 0, "\(straight.stderr)")
        let cut = try CLI.run(["train"] + CLI.quick + ["--epochs", "2", "--run-dir", b, "--interrupt-after-batches", "8"])
        #expect(cut.status == 130)
        #expect(cut.stdout.contains("--resume"), "\(cut.stdout)")
        let resumed = try CLI.run(["train", "--resume", b])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let wa = try Data(contentsOf: URL(fileURLWithPath: a + "/last.safetensors"))
        let wb = try Data(contentsOf: URL(fileURLWithPath: b + "/last.safetensors"))
        // the tensors (everything after the header) must be byte-identical
        func body(_ d: Data) -> Data {
            let n = d.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
            return d.subdata(in: (8 + n)..<d.count)
        }
        #expect(body(wa) == body(wb))
        let ma = try String(contentsOfFile: a + "/metrics.jsonl", encoding: .utf8)
        let mb = try String(contentsOfFile: b + "/metrics.jsonl", encoding: .utf8)
        func strip(_ s: String) -> [String] { s.split(separator: "\n").map { $0.replacingOccurrences(of: #""seconds":[0-9.e-]+,"#, with: "", options: .regularExpression) } }
        #expect(strip(ma) == strip(mb))
    }

    @Test("bad input gets clear errors naming the flag, dataset or folder")
    func badInput() throws {
        let unknown = try CLI.run(["train", "--dataset", "nope", "--run-dir", CLI.tempDir()])
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown dataset 'nope'"), "\(unknown.stderr)")
        let unwritable = try CLI.run(["train"] + CLI.quick + ["--epochs", "1", "--run-dir", "/proc/spikeloop/run"])
        #expect(unwritable.status != 0 && unwritable.stderr.contains("/proc/spikeloop/run"), "\(unwritable.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "/proc/spikeloop/run/last.safetensors"))
        let empty = CLI.tempDir()
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let mnist = try CLI.run(["train", "--dataset", "mnist", "--data-dir", empty, "--run-dir", CLI.tempDir()])
        #expect(mnist.status != 0 && mnist.stderr.contains("train-images-idx3-ubyte"), "\(mnist.stderr)")
        let flag = try CLI.run(["train", "--hidden", "12,x"])
        #expect(flag.status != 0 && flag.stderr.contains("--hidden"), "\(flag.stderr)")
        let cfg = CLI.tempDir() + ".yaml"
        try "epochs: 2\nlearningRat: 0.1\n".write(toFile: cfg, atomically: true, encoding: .utf8)
        let badCfg = try CLI.run(["train", "--config", cfg])
        #expect(badCfg.status != 0 && badCfg.stderr.contains("learningRat"), "\(badCfg.stderr)")
        let garbage = CLI.tempDir() + ".safetensors"
        try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: garbage))
        let ev = try CLI.run(["evaluate", garbage])
        #expect(ev.status != 0 && ev.stderr.contains(garbage), "\(ev.stderr)")
    }

    @Test("a YAML config file sets values that flags then override")
    func configFile() throws {
        let cfg = CLI.tempDir() + ".yaml"
        try "dataset: synthetic\nepochs: 3\nhidden: [24]\nlearning_rate: 0.004\n".write(toFile: cfg, atomically: true, encoding: .utf8)
        let dir = CLI.tempDir()
        let r = try CLI.run(["train", "--config", cfg, "--epochs", "1", "--train-samples", "200", "--validation-samples", "50", "--run-dir", dir, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/config.json"))) as! [String: Any]
        #expect(saved["epochs"] as? Int == 1)
        #expect(saved["hidden"] as? [Int] == [24])
        #expect(saved["learning_rate"] as? Double == 0.004)
    }

    @Test("bench prints its table and a JSON line with the required keys")
    func benchSmoke() throws {
        let r = try CLI.run(["bench", "--train-batches", "1", "--inference-batches", "1", "--single-samples", "20", "--threads", "1", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try #require(r.lastJSON)
        for key in ["training_samples_per_second", "inference_patterns_per_second", "inference_batch1_patterns_per_second", "hidden_spikes_per_sample", "peak_rss_bytes", "threads"] {
            #expect(j[key] != nil, "missing \(key)")
        }
        let spikes = j["hidden_spikes_per_sample"] as? Double ?? 0
        #expect(spikes > 150 && spikes < 300, "SG-MLP16 init should give ≈0.9 spikes per hidden neuron, got \(spikes)/246")
    }
}
