import Foundation
import SpikeRun
import Testing

@Suite(.serialized) struct TrainingRunReliabilityTests {
    static func checkpointIsFinite(_ url: URL) throws -> Bool {
        let c = try Checkpoint.read(from: url)
        let moments = (c.optimizer?.first ?? []) + (c.optimizer?.second ?? [])
        return c.network.allWeightsFinite && moments.allSatisfy { $0.allSatisfy(\.isFinite) }
    }

    @Test("a diverging run stops with an error naming the last good checkpoint, which stays finite")
    func divergence() throws {
        var config = TrainingRunTests.tinyConfig()
        (config.weightLimit, config.optimizer, config.learningRate, config.epochs) = (nil, .sgd, 1e6, 4)
        let dir = try RunDirectory.create(at: RunDirectoryTests.tempURL(), config: config)
        let run = try TrainingRun(config: config, directory: dir)
        var finished: [Int] = []
        do {
            _ = try run.run(epochFinished: { finished.append($0.epoch) })
            Issue.record("SGD at lr 1e6 without a weight limit did not diverge")
        } catch let e as RunError {
            #expect(e.code == .diverged && e.message.contains("training diverged at epoch \(finished.count + 1)"))
            // Epoch 1 survives at this setting; epoch 2's weights overflow.
            #expect(!finished.isEmpty, "\(e)")
            if finished.isEmpty {
                #expect(e.message.contains("no checkpoint was written"))
            } else {
                #expect(e.message.contains("Last good checkpoint: \(dir.lastCheckpointURL.path)"))
                #expect(try Self.checkpointIsFinite(dir.lastCheckpointURL))
                #expect(
                    RunState(metadata: try Checkpoint.read(from: dir.lastCheckpointURL).metadata).epoch
                        == finished.count)
            }
            #expect(dir.metrics().count == finished.count)
        }
        #expect(dir.lock?.isHeld == false)
    }

    @Test("a stop request never writes a non-finite network: the run throws instead and writes nothing")
    func noNonFiniteCheckpoint() throws {
        let config = TrainingRunTests.tinyConfig()
        let dir = try RunDirectory.create(at: RunDirectoryTests.tempURL(), config: config)
        var network = config.makeNetwork(inputs: try RunData.load(config).channels, classes: 10)
        network.layers[0].weights[3] = .nan
        let run = try TrainingRun(config: config, directory: dir, network: network)
        #expect {
            try run.run(shouldStop: { true })
        } throws: { e in
            (e as? RunError)?.code == .diverged && "\(e)".contains("not finite, so no checkpoint was written")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.lastCheckpointURL.path))
    }

    @Test("training accuracy at chance for 3 epochs in a row brings a warning on every further epoch")
    func collapseWarning() throws {
        var config = TrainingRunTests.tinyConfig()
        (config.weightLimit, config.learningRate, config.epochs, config.validationSamples) = (nil, 1e6, 5, 0)
        let dir = try RunDirectory.create(at: RunDirectoryTests.tempURL(), config: config)
        let run = try TrainingRun(config: config, directory: dir)
        run.writesReport = false
        var summaries: [EpochSummary] = []
        _ = try run.run(epochFinished: { summaries.append($0) })
        let atChance = summaries.map { $0.train.accuracy <= 0.1 + TrainingRun.chanceMargin }
        var streak = 0
        for (s, chance) in zip(summaries, atChance) {
            streak = chance ? streak + 1 : 0
            #expect(
                (s.warning != nil) == (streak >= 3),
                "epoch \(s.epoch): streak \(streak), warning \(s.warning ?? "none")")
        }
        #expect(
            summaries.contains { $0.warning?.contains("at chance") == true }, "lr 1e6 did not collapse: \(atChance)")
    }

    @Test("metrics lines follow the checkpoints: a resume drops lines without a checkpoint and restores a lost one")
    func metricsReconciled() throws {
        var config = TrainingRunTests.tinyConfig()
        config.epochs = 2
        let dir = try RunDirectory.create(at: RunDirectoryTests.tempURL(), config: config)
        let run = try TrainingRun(config: config, directory: dir)
        run.writesReport = false
        _ = try run.run(epochFinished: { s in
            // When an epoch is reported its checkpoint has landed and its line is written.
            let saved = try? Checkpoint.read(from: dir.lastCheckpointURL)
            #expect(saved.map { RunState(metadata: $0.metadata).epoch } == s.epoch)
            #expect(dir.metrics().last?["epoch"] as? Int == s.epoch)
        })
        let lines = try String(contentsOf: dir.metricsURL, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        // A crash after epoch 2's checkpoint but before its line, and a stray line of an epoch never saved.
        let damaged = String(lines[0]) + "\n" + #"{"epoch":3,"train_loss":1}"# + "\n" + #"{"epoch":"#
        try damaged.write(
            to: dir.metricsURL, atomically: true, encoding: .utf8)
        let (resumed, _) = try RunDirectory.resume(at: dir.url, config: config)
        let after = try String(contentsOf: resumed.metricsURL, encoding: .utf8)
        #expect(after == lines.map { $0 + "\n" }.joined())
    }

    static func stoppedRun(_ config: RunConfig, afterBatches n: Int) throws -> RunDirectory {
        let dir = try RunDirectory.create(at: RunDirectoryTests.tempURL(), config: config)
        var batches = 0
        let run = try TrainingRun(config: config, directory: dir)
        run.writesReport = false
        _ = try run.run(progress: { _ in batches += 1 }, shouldStop: { batches >= n })
        return dir
    }

    @Test("a resume applies a new learning rate and keeps the optimizer's moments")
    func resumeLearningRate() throws {
        let config = TrainingRunTests.tinyConfig()
        let dir = try Self.stoppedRun(config, afterBatches: 4)
        var faster = config
        faster.learningRate = 0.5
        let (resumedDir, checkpoint) = try RunDirectory.resume(at: dir.url, config: faster)
        let run = try TrainingRun(resuming: resumedDir, checkpoint: checkpoint, config: faster)
        #expect(run.trainer.optimizer.config.learningRate == 0.5)
        #expect(run.trainer.optimizer.step == checkpoint.optimizer?.step && run.trainer.optimizer.step == 4)
        #expect(run.trainer.optimizer.first == checkpoint.optimizer?.first)
        #expect(try RunDirectory.savedConfig(at: dir.url).learningRate == 0.5)
    }

    @Test("a mid-epoch checkpoint refuses another batch size, an epoch boundary accepts it")
    func resumeBatchSize() throws {
        let config = TrainingRunTests.tinyConfig()
        let mid = try Self.stoppedRun(config, afterBatches: 2)
        var other = config
        other.batchSize = 30
        #expect {
            try RunDirectory.resume(at: mid.url, config: other)
        } throws: { e in
            let m = "\(e)"
            return (e as? RunError)?.code == .checkpoint
                && m.contains("batch_size (--batch-size) is 50 in the checkpoint but 30")
                && m.contains("middle of epoch 1")
        }
        // The refused resume left config.json alone.
        #expect(try RunDirectory.savedConfig(at: mid.url).batchSize == 50)
        let boundary = try Self.stoppedRun(config, afterBatches: 4)
        let (d, c) = try RunDirectory.resume(at: boundary.url, config: other)
        #expect(try TrainingRun(resuming: d, checkpoint: c, config: other).batchCount == 7)
    }

    @Test("a checkpoint whose network or optimizer differs from the config is refused naming both values")
    func resumeNetworkMismatch() throws {
        let config = TrainingRunTests.tinyConfig()
        let dir = try Self.stoppedRun(config, afterBatches: 4)
        func refused(_ change: (inout RunConfig) -> Void, _ expected: String) {
            var c = config
            change(&c)
            do {
                _ = try RunDirectory.resume(at: dir.url, config: c)
                Issue.record("resume accepted a config that differs: \(expected)")
            } catch {
                #expect(error is RunError && "\(error)".contains(expected), "\(error)")
            }
        }
        refused({ $0.hidden = [8] }, "hidden (--hidden) is [16] in the checkpoint but [8] in the config")
        refused({ $0.recurrent = true }, "recurrent (--recurrent) is false in the checkpoint but true")
        refused({ $0.tauMem = 7e-6 }, "tau_mem (--tau-mem) is 6e-06 in the checkpoint but 7e-06")
        refused({ $0.threshold = 2 }, "threshold (--threshold) is 1.0 in the checkpoint but 2.0")
        refused({ $0.optimizer = .sgd }, "optimizer (--optimizer) is adam in the checkpoint but sgd")
        let (d, c) = try RunDirectory.resume(at: dir.url, config: config)
        _ = try TrainingRun(resuming: d, checkpoint: c, config: config)
    }

    @Test("evaluate refuses a checkpoint whose network does not fit the dataset, naming both shapes")
    func evaluateShapeMismatch() throws {
        let config = TrainingRunTests.tinyConfig()
        let channels = try RunData.load(config).channels
        for (inputs, classes) in [(7, 10), (channels, 3)] {
            let url = RunDirectoryTests.tempURL().appendingPathExtension("safetensors")
            try Checkpoint(
                network: config.makeNetwork(inputs: inputs, classes: classes),
                metadata: ["spikeloop.config": config.json]
            ).write(to: url)
            #expect {
                try CheckpointEvaluation(checkpoint: url.path, threads: 1)
            } throws: { e in
                let m = "\(e)"
                return (e as? RunError)?.code == .checkpoint && m.contains(url.path)
                    && m.contains("takes \(inputs) input channels and has \(classes) outputs")
                    && m.contains("gives \(channels) channels and 10 classes")
            }
        }
    }
}
