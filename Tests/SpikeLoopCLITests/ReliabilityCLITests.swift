import Foundation
import SpikeTraining
import Testing

/// The built binary under signals, concurrent runs and bad flags: no trap, no lost checkpoint, clear errors.
@Suite(.serialized) struct ReliabilityCLITests {
    /// Starts `spikeloop train` in the background with its output going to files.
    static func start(_ args: [String], in dir: String) throws -> Process {
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = args
        FileManager.default.createFile(atPath: dir + ".out", contents: nil)
        FileManager.default.createFile(atPath: dir + ".err", contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + ".out"))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + ".err"))
        try p.run()
        return p
    }

    /// Waits up to 60 s for `path` to exist.
    static func waitFor(_ path: String) -> Bool {
        for _ in 0..<1200 {
            if FileManager.default.fileExists(atPath: path) { return true }
            usleep(50_000)
        }
        return false
    }

    static func temporaries(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.contains(".tmp-") }
    }

    @Test("a live run locks its folder; SIGTERM stops it with a loadable checkpoint that resumes to the end")
    func sigtermAndLock() throws {
        let dir = CLI.tempDir()
        let live = try Self.start(["train"] + CLI.quick + ["--epochs", "50", "--run-dir", dir], in: dir)
        defer { if live.isRunning { live.terminate() } }
        #expect(Self.waitFor(dir + "/config.json"), "the run did not start")
        // A second process into the same folder, and a resume of it, are refused at once naming the holder.
        let second = try CLI.run(["train"] + CLI.quick + ["--epochs", "1", "--run-dir", dir])
        #expect(second.status != 0 && second.stderr.contains("\(dir): is in use by another training run (pid \(live.processIdentifier)"), "\(second.stderr)")
        let resume = try CLI.run(["train", "--resume", dir])
        #expect(resume.status != 0 && resume.stderr.contains("in use by another training run"), "\(resume.stderr)")
        live.terminate()  // SIGTERM
        live.waitUntilExit()
        #expect(live.terminationReason == .exit && live.terminationStatus == 143)
        let out = try String(contentsOfFile: dir + ".out", encoding: .utf8)
        #expect(out.contains("terminated (SIGTERM)") && out.contains("--resume \(dir)"), "stdout was not flushed: \(out)")
        let checkpoint = try Checkpoint.read(from: URL(fileURLWithPath: dir + "/last.safetensors"))
        #expect(checkpoint.network.allWeightsFinite && checkpoint.metadata["spikeloop.epoch"] != nil)
        #expect(Self.temporaries(dir).isEmpty)
        let resumed = try CLI.run(["train", "--resume", dir, "--epochs", "1", "--json"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.lastJSON?["run_dir"] as? String == dir)
    }

    @Test("a second SIGTERM exits at once without leaving temporary files, and the folder stays usable")
    func secondSignal() throws {
        let dir = CLI.tempDir()
        let live = try Self.start(["train"] + CLI.quick + ["--epochs", "50", "--run-dir", dir], in: dir)
        defer { if live.isRunning { live.terminate() } }
        #expect(Self.waitFor(dir + "/config.json"), "the run did not start")
        kill(live.processIdentifier, SIGTERM)
        kill(live.processIdentifier, SIGTERM)
        live.waitUntilExit()
        #expect(live.terminationReason == .exit && live.terminationStatus == 143)
        #expect(Self.temporaries(dir).isEmpty, "\(Self.temporaries(dir))")
        // Whatever the first signal managed to write is a valid checkpoint; a new run or a resume can take over.
        let hasCheckpoint = FileManager.default.fileExists(atPath: dir + "/last.safetensors")
        let next = try CLI.run(
            hasCheckpoint ? ["train", "--resume", dir, "--epochs", "1"] : ["train"] + CLI.quick + ["--epochs", "1", "--run-dir", dir])
        #expect(next.status == 0, "\(next.stderr)")
    }

    /// A sample of the settings fuzz through the binary: (arguments, what the error must name).
    static let badArguments: [([String], String)] = [
        (["train", "--lr", "inf"], "--lr"), (["train", "--lr", "nan"], "--lr"), (["train", "--epochs", "-1"], "--epochs"),
        (["train", "--lr-decay", "-1"], "--lr-decay"), (["train", "--dt", "inf"], "--dt"),
        (["train", "--tau-mem", "0"], "--tau-mem"), (["train", "--readout-scale", "1e50"], "--readout-scale"),
        (["train", "--burst", "nan"], "--burst"), (["train", "--rotation", "inf"], "--rotation"),
        (["train", "--mismatch-scale", "inf"], "--mismatch-scale"), (["train", "--chip-noise", "-1"], "--chip-noise"),
        (["train", "--hidden-l2", "-1"], "--hidden-l2"), (["train", "--dropout", "1"], "--dropout"),
        (["train", "--batch-size", "\(Int.max)"], "--batch-size"), (["train", "--hidden", "\(Int.max)"], "--hidden"),
        (["train", "--channel-jitter", "\(Int.max)"], "--channel-jitter"), (["train", "--threads", "10000"], "--threads"),
        (["train", "--train-samples", "-1"], "--train-samples"), (["train", "--steps", "0"], "--steps"),
        (["train", "--chip-substeps", "0"], "--chip-substeps"), (["train", "--batch-size", "1e3"], "--batch-size"),
        (["inspect", "chip", "--tau-mem", "0"], "--tau-mem"),
        (["experiment", "mismatch", "--software-epochs", "-1"], "--software-epochs"),
        (["convert", "audio", "--label", "3000000000", "x.wav", "-o", "y.h5"], "--label"),
        (["convert", "audio", "--hann-ramp", "inf", "x.wav", "-o", "y.h5"], "--hann-ramp"),
        (["convert", "audio", "--sample-rate", "1e30", "x.wav", "-o", "y.h5"], "--sample-rate"),
        (["convert", "audio", "--repetitions", "0", "x.wav", "-o", "y.h5"], "--repetitions"),
        (["dataset", "spoken-digits", "-o", "/nonexistent/x", "--threads", "0"], "--threads"),
        (["dataset", "spoken-digits", "-o", "/nonexistent/x", "--voices", "1"], "--voices"),
        (["bench", "--steps", "0"], "--steps"), (["bench", "--train-batches", "\(Int.max)"], "--train-batches"),
        (["evaluate", "x.safetensors", "--threads", "0"], "--threads"),
    ]

    @Test("bad flags through the binary: a clear error naming the flag, never a trap")
    func badFlags() throws {
        var cases = Self.badArguments.map { args, flag in (args.first == "train" ? args + CLI.quick.prefix(2) : args, flag) }
        let nan = RunConfigFile.write("learning_rate: .nan\n")
        let bomb = RunConfigFile.write(
            "a: &a [x, x, x, x, x, x, x, x, x]\n" + (1...8).map { "l\($0): &l\($0) [\(Array(repeating: $0 == 1 ? "*a" : "*l\($0 - 1)", count: 9).joined(separator: ", "))]" }.joined(separator: "\n"))
        cases += [(["train", "--config", nan], "learning_rate"), (["train", "--config", bomb], bomb)]
        for (args, flag) in cases {
            let r = try CLI.run(args)
            #expect(r.status != 0 && r.status < 128, "\(args): exit \(r.status)")
            #expect(r.stderr.contains(flag) && !r.stderr.contains("Fatal error"), "\(args): \(r.stderr)")
        }
    }
}

enum RunConfigFile {
    static func write(_ text: String) -> String {
        let path = CLI.tempDir() + ".yaml"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }
}
