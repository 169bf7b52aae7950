import Foundation
import SpikeRun
import Testing

@Suite struct RunDirectoryTests {
    static func tempURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("spikerun-\(UUID().uuidString)")
    }

    @Test("create writes config.json and refuses a folder that already holds a run")
    func create() throws {
        let url = Self.tempURL()
        var config = RunConfig.synthetic
        config.epochs = 4
        let dir = try RunDirectory.create(at: url, config: config)
        #expect(try RunDirectory.savedConfig(at: url) == config.resolved)
        try dir.appendMetrics(#"{"epoch":1}"#)
        try dir.appendMetrics(#"{"epoch":2}"#)
        #expect(dir.metrics().compactMap { $0["epoch"] as? Int } == [1, 2])
        // A fresh create over a folder without a checkpoint starts the metrics over (once the first run let go
        // of its lock).
        dir.releaseLock()
        _ = try RunDirectory.create(at: url, config: config)
        #expect(dir.metrics().isEmpty)
        try Data("x".utf8).write(to: dir.lastCheckpointURL)
        #expect {
            try RunDirectory.create(at: url, config: config)
        } throws: { e in
            (e as? RunError)?.code == .runDirectory && "\(e)".contains("already holds a run")
        }
    }

    @Test("unwritable folders, folders without config.json and runs without a checkpoint give clear errors")
    func errors() throws {
        #expect {
            try RunDirectory.create(at: URL(fileURLWithPath: "/proc/spikerun/run"), config: .synthetic)
        } throws: { e in
            "\(e)".contains("/proc/spikerun/run")
        }
        let empty = Self.tempURL()
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect {
            try RunDirectory.savedConfig(at: empty)
        } throws: { e in
            (e as? RunError)?.message == "no config.json in that folder (not a run directory?)"
        }
        _ = try RunDirectory.create(at: empty, config: .synthetic)
        #expect {
            try RunDirectory.resume(at: empty, config: .synthetic)
        } throws: { e in
            (e as? RunError)?.message == "no last.safetensors to resume from"
        }
    }

    @Test("run state survives the checkpoint metadata; partial statistics only mid-epoch")
    func state() {
        var s = RunState()
        s.epoch = 3
        s.nextBatch = 5
        s.bestValidationAccuracy = 0.875
        s.partialSamples = 250
        s.partialLossSum = 12.5
        s.partialCorrect = 100
        s.partialHiddenSpikes = 9000
        #expect(RunState(metadata: s.metadata) == s)
        #expect(s.partial.samples == 250 && s.partial.correct == 100)
        s.nextBatch = 0
        #expect(s.metadata["spikeloop.partial_samples"] == nil)
        #expect(RunState(metadata: s.metadata).partialSamples == 0)
        #expect(RunState(metadata: [:]) == RunState())
        #expect(RunState().bestValidationAccuracy == -1)
    }
}
