import Foundation
import SpikeRun
import Testing

@Suite(.serialized) struct TrainingRunTests {
    static func tinyConfig() -> RunConfig {
        var c = RunConfig.synthetic
        c.trainSamples = 200
        c.validationSamples = 50
        c.testSamples = 100
        c.hidden = [16]
        c.batchSize = 50
        c.epochs = 2
        c.threads = 2
        return c
    }

    static func tensors(_ url: URL) throws -> Data {
        let d = try Data(contentsOf: url)
        let n = d.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        return d.subdata(in: (8 + n)..<d.count)
    }

    @Test("a tiny run reports every batch and epoch, writes its directory and tests the best checkpoint")
    func tinyRun() throws {
        let config = Self.tinyConfig()
        let dir = try RunDirectory.create(at: RunDirectoryTests.tempURL(), config: config)
        let run = try TrainingRun(config: config, directory: dir)
        #expect(run.batchCount == 4 && !run.substrateSpec.isChip && run.workers == 2)
        var batches = 0
        var epochs: [EpochSummary] = []
        let outcome = try run.run(
            progress: { p in
                batches += 1
                #expect(p.batch >= 1 && p.batch <= p.batchCount && p.statistics.samples == p.batch * 50)
            }, epochFinished: { epochs.append($0) })
        guard case .completed(let r) = outcome else {
            Issue.record("run stopped without being asked")
            return
        }
        #expect(batches == 8 && epochs.map(\.epoch) == [1, 2])
        #expect(epochs.allSatisfy { $0.train.samples == 200 && $0.validation.samples == 50 })
        #expect(
            r.epochs == 2 && r.test.samples == 100
                && r.bestValidationAccuracy == epochs.map(\.validation.accuracy).max())
        #expect(
            dir.metrics().count == 2
                && dir.metrics().last?["validation_accuracy"] as? Double == epochs[1].validation.accuracy)
        for url in [dir.configURL, dir.lastCheckpointURL, dir.bestCheckpointURL, dir.testURL, dir.reportURL] {
            #expect(FileManager.default.fileExists(atPath: url.path), "missing \(url.lastPathComponent)")
        }
        #expect(r.jsonObject["test_accuracy"] as? Double == r.test.accuracy)
        // Evaluating the best checkpoint again gives the run's test figure.
        let e = try CheckpointEvaluation(checkpoint: dir.bestCheckpointURL.path, threads: 2)
        #expect(e.evaluation.accuracy == r.test.accuracy && e.evaluation.confusion == r.test.confusion)
        #expect(e.config == config && e.substrateName == "software")
    }

    @Test("a run stopped mid-epoch resumes through the library to the same weights and metrics")
    func stopAndResume() throws {
        let config = Self.tinyConfig()
        let straight = try RunDirectory.create(at: RunDirectoryTests.tempURL(), config: config)
        _ = try TrainingRun(config: config, directory: straight).run()

        let cut = try RunDirectory.create(at: RunDirectoryTests.tempURL(), config: config)
        var batches = 0
        let first = try TrainingRun(config: config, directory: cut).run(
            progress: { _ in batches += 1 }, shouldStop: { batches >= 6 })
        guard case .interrupted(let i) = first else {
            Issue.record("the run did not stop")
            return
        }
        #expect(i.epoch == 1 && i.nextBatch == 2 && i.batchCount == 4)
        let saved = try RunDirectory.savedConfig(at: cut.url)
        let (dir, checkpoint) = try RunDirectory.resume(at: cut.url, config: saved)
        let resumed = try TrainingRun(resuming: dir, checkpoint: checkpoint, config: saved)
        #expect(resumed.state.epoch == 1 && resumed.state.nextBatch == 2 && resumed.state.partialSamples == 100)
        guard case .completed = try resumed.run() else {
            Issue.record("the resumed run did not complete")
            return
        }
        #expect(try Self.tensors(straight.lastCheckpointURL) == Self.tensors(cut.lastCheckpointURL))
        func lines(_ d: RunDirectory) -> [String] {
            d.metrics().map {
                var m = $0
                m["seconds"] = nil
                return "\(m.sorted { $0.key < $1.key })"
            }
        }
        #expect(lines(straight) == lines(cut))
    }

    @Test("a hand-built network that does not fit the data is refused with both shapes")
    func networkMismatch() throws {
        let config = Self.tinyConfig()
        let dir = try RunDirectory.create(at: RunDirectoryTests.tempURL(), config: config)
        let wrong = config.makeNetwork(inputs: 7, classes: 10)
        #expect {
            try TrainingRun(config: config, directory: dir, network: wrong)
        } throws: { e in
            (e as? RunError)?.code == .checkpoint && "\(e)".contains("7->10")
        }
    }
}
