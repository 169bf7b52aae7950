import Foundation
import SpikeRun
import SpikeTensorBoard
import Testing

/// Complete run records: resolved config with provenance, test.json naming what it scored, finished runs, failed
/// starts, and the end-of-training chip test equal to `spikeloop evaluate`.
@Suite(.serialized) struct RunRecordTests {
    static func tinyChipConfig() -> RunConfig {
        var c = TrainingRunTests.tinyConfig()
        c.hidden = [8]
        c.trainSamples = 40
        c.validationSamples = 10
        c.testSamples = 20
        c.batchSize = 20
        c.epochs = 1
        c.substrate = "chip:3"
        c.chipCalibrated = false  // calibration takes seconds in a debug build; noise and mismatch are on either way
        return c
    }

    static func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    @Test("the end-of-training chip test equals spikeloop evaluate of the checkpoint test.json names")
    func chipTestEqualsEvaluate() throws {
        let config = Self.tinyChipConfig()
        let run = try TrainingRun.start(config: config, at: RunDirectoryTests.tempURL())
        run.writesReport = false
        guard case .completed(let r) = try run.run() else {
            Issue.record("the run did not complete")
            return
        }
        let test = try Self.json(run.directory.testURL)
        #expect(test["checkpoint"] as? String == "best.safetensors" && test["epoch"] as? Int == 1)
        #expect(test["substrate"] as? String == "chip:3" && test["spikeloop_version"] as? String == BuildInfo.version)
        let e = try CheckpointEvaluation(checkpoint: run.directory.bestCheckpointURL.path, threads: 1)
        #expect(e.substrateName == "chip:3")
        #expect(e.evaluation.accuracy == r.test.accuracy && e.evaluation.confusion == r.test.confusion)
        #expect(e.evaluation.lossSum == r.test.lossSum, "the chip's noise must replay exactly: \(e.evaluation.lossSum) vs \(r.test.lossSum)")
        #expect(test["accuracy"] as? Double == e.evaluation.accuracy)
        // A chip-trained checkpoint holds the 6-bit codes that ran.
        let best = try Checkpoint.read(from: run.directory.bestCheckpointURL)
        let codes = try #require(ChipWeights(checkpoint: best))
        #expect(codes == ChipWeights(network: best.network, config: config.chipSettings.chipConfig))
    }

    @Test("config.json records every resolved setting, the chip model, the version and the commit")
    func resolvedConfig() throws {
        let config = Self.tinyChipConfig()
        let dir = try RunDirectory.create(at: RunDirectoryTests.tempURL(), config: config)
        defer { dir.releaseLock() }
        let record = try Self.json(dir.configURL)
        let provenance = try #require(record["provenance"] as? [String: String])
        #expect(provenance["spikeloop_version"] == BuildInfo.version && provenance["git_commit"] == BuildInfo.gitCommit)
        #expect(BuildInfo.gitCommit != "", "git commit lookup gave an empty string")
        let chip = try #require(record["chip_model"] as? [String: Any])
        #expect(chip["tau_mem_spread"] as? Double == ChipConfig().tauMemSpread && chip["substeps"] as? Int == 4)
        let saved = try RunDirectory.savedConfig(at: dir.url)
        #expect(saved.chipNoise == ChipConfig().membraneNoise && saved.chipSubsteps == ChipConfig().substeps)
        #expect(saved.threads == config.workers && saved == config.resolved)
    }

    @Test("a finished run is recognized, and a failed start leaves no run directory")
    func finishedAndFailedStart() throws {
        var config = TrainingRunTests.tinyConfig()
        config.epochs = 1
        let url = RunDirectoryTests.tempURL()
        let run = try TrainingRun.start(config: config, at: url)
        run.writesReport = false
        _ = try run.run()
        #expect(RunDirectory.finishedRun(at: url, config: config)?["accuracy"] != nil)
        // TensorBoard: the epoch's metrics under their metrics.jsonl names, weight histograms, the test figure.
        let files = try FileManager.default.contentsOfDirectory(at: run.directory.tensorboardURL, includingPropertiesForKeys: nil)
        #expect(files.count == 1 && files[0].lastPathComponent.hasPrefix("events.out.tfevents."))
        let values = try TensorBoardValue.read(files[0])
        let metrics = run.directory.metrics()[0]
        #expect(values.first { $0.tag == "train_loss" }?.scalar == Double(Float(metrics["train_loss"] as? Double ?? -1)))
        #expect(values.contains { $0.tag == "weights/layer0" && $0.step == 1 && $0.histogramCount == Double(run.data.channels * 16) })
        #expect(values.contains { $0.tag == "test_accuracy" && $0.step == 1 })
        config.epochs = 2
        #expect(RunDirectory.finishedRun(at: url, config: config) == nil)

        var broken = RunConfig.defaults(for: "mnist")
        broken.dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("no-mnist-\(UUID())").path
        let failed = RunDirectoryTests.tempURL()
        #expect(throws: (any Error).self) { try TrainingRun.start(config: broken, at: failed) }
        #expect(!FileManager.default.fileExists(atPath: failed.path))
        // A network that does not fit the data fails after the folder was made: it is removed again.
        let wrong = Network(
            dt: config.dt,
            layers: [Layer(kind: .leakyReadout, inputCount: 3, neuronCount: 2, parameters: .paper)])
        #expect(throws: RunError.self) { try TrainingRun.start(config: config, at: failed, network: wrong) }
        #expect(!FileManager.default.fileExists(atPath: failed.path))
    }
}
