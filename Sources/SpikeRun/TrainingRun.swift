import Foundation
import SpikeCore
import SpikeTraining

/// A training session: epochs of minibatch training into a ``RunDirectory``, with a validation pass, metrics line
/// and checkpoints after every epoch, and a final test evaluation and report.
///
/// What `spikeloop train` does, as a library call. Nothing is printed: the caller gets ``TrainingProgress`` after every
/// batch and an ``EpochSummary`` after every epoch, and stops the run between batches with `shouldStop` (the CLI
/// wires Ctrl-C to it). A stopped run leaves a `last.safetensors` from which ``init(resuming:checkpoint:config:data:)``
/// continues bit-identically for the same seed and thread count.
///
/// ```swift
/// var config = RunConfig.defaults(for: "synthetic")
/// config.epochs = 2
/// let dir = try RunDirectory.create(at: URL(fileURLWithPath: "runs/demo"), config: config)
/// let run = try TrainingRun(config: config, directory: dir)
/// if case .completed(let result) = try run.run() { print(result.test.accuracy) }
/// ```
public final class TrainingRun {
    public let config: RunConfig
    public let directory: RunDirectory
    public let data: RunData
    public let substrateSpec: SubstrateSpec
    /// The substrate the forward passes run on (also the one the final test runs on).
    public let substrate: Substrate
    public let trainer: Trainer
    public let workers: Int
    /// Where the run stands (the next epoch and batch, the best validation accuracy so far).
    public private(set) var state: RunState
    /// Write `report.html` at the end (rasters and histograms cost up to 1,000 test samples on the substrate).
    public var writesReport = true
    private let inference: Inference
    private var epochSeconds: [Double] = []

    /// Starts a new run in `directory` (see ``RunDirectory/create(at:config:)``).
    ///
    /// - Parameters:
    ///   - data: the encoded data; nil loads it with ``RunData/load(_:needTrain:)``.
    ///   - network: a hand-built network; nil builds ``RunConfig/makeNetwork(inputs:classes:)``.
    /// - Throws: ``RunError`` for an invalid config or a network that does not fit the data, dataset and
    ///   substrate errors.
    public convenience init(config: RunConfig, directory: RunDirectory, data: RunData? = nil, network: Network? = nil)
        throws
    {
        try config.validate()
        let data = try data ?? RunData.load(config)
        let network = network ?? config.makeNetwork(inputs: data.channels, classes: data.classes)
        try self.init(config: config, directory: directory, data: data, network: network, checkpoint: nil)
    }

    /// Continues the run whose last checkpoint is `checkpoint` (see ``RunDirectory/resume(at:config:)``).
    public convenience init(
        resuming directory: RunDirectory, checkpoint: Checkpoint, config: RunConfig, data: RunData? = nil
    ) throws {
        try config.validate()
        let data = try data ?? RunData.load(config)
        try self.init(
            config: config, directory: directory, data: data, network: checkpoint.network, checkpoint: checkpoint)
    }

    private init(config: RunConfig, directory: RunDirectory, data: RunData, network: Network, checkpoint: Checkpoint?)
        throws
    {
        guard network.inputCount == data.channels, network.outputCount == data.classes else {
            let which = checkpoint == nil ? "network" : "checkpoint network"
            throw RunError(
                .checkpoint,
                "\(which) is \(network.inputCount)->\(network.outputCount), data needs \(data.channels)->\(data.classes)"
            )
        }
        BLAS.setThreads(1)  // workers parallelize over samples
        self.config = config
        self.directory = directory
        self.data = data
        workers = config.workers
        substrateSpec = try config.substrateSpec()
        substrate = try substrateSpec.makeSubstrate(for: network, chip: config.chipSettings)
        let optimizer = checkpoint?.optimizer ?? Optimizer(config: config.optimizerConfig, network: network)
        trainer = try Trainer(
            network: network, optimizer: optimizer, objective: config.objective, substrate: substrate,
            stepCount: config.steps, seed: config.seed, workers: workers, learning: config.learningRule,
            dropout: config.dropout)
        inference = Inference(network: network, stepCount: config.steps, workers: workers)
        state = checkpoint.map { RunState(metadata: $0.metadata) } ?? RunState()
    }

    /// Minibatches per epoch.
    public var batchCount: Int { (data.train.sampleCount + config.batchSize - 1) / config.batchSize }

    /// Trains until ``RunConfig/epochs`` are done or `shouldStop` returns true (polled between batches).
    ///
    /// - Parameters:
    ///   - progress: after every batch, with the epoch's statistics so far.
    ///   - epochFinished: after every epoch's validation pass, metrics line and checkpoints.
    /// - Returns: ``TrainingOutcome/completed(_:)`` with the test evaluation of the best checkpoint (the last one when
    ///   there is no validation split), or ``TrainingOutcome/interrupted(_:)`` after writing `last.safetensors`.
    public func run(
        progress: (TrainingProgress) -> Void = { _ in }, epochFinished: (EpochSummary) -> Void = { _ in },
        shouldStop: () -> Bool = { false }
    ) throws -> TrainingOutcome {
        while state.epoch < config.epochs {
            let t0 = monotonicSeconds()
            let epoch = state.epoch
            let partial = state.partial
            var (stats, next) = try trainer.trainEpoch(
                data.trainBatch(epoch: epoch, config: config), epoch: epoch, batchSize: config.batchSize,
                startBatch: state.nextBatch, shouldStop: shouldStop
            ) { p in
                var s = p.statistics
                s.merge(partial)
                progress(
                    TrainingProgress(
                        epoch: epoch, epochs: config.epochs, batch: p.batch, batchCount: p.batchCount, statistics: s,
                        samplesPerSecond: p.samplesPerSecond, batchSize: config.batchSize))
            }
            stats.merge(partial)
            if next < batchCount {
                state.nextBatch = next
                state.partial = stats
                try saveCheckpoint(to: directory.lastCheckpointURL)
                return .interrupted(
                    TrainingInterruption(epoch: epoch, nextBatch: next, batchCount: batchCount, directory: directory))
            }
            let summary = try finishEpoch(epoch, statistics: stats, started: t0)
            epochFinished(summary)
            try advance(past: summary)
        }
        return .completed(try finish())
    }

    private func finishEpoch(_ epoch: Int, statistics stats: RunStatistics, started t0: Double) throws -> EpochSummary
    {
        try substrate.load(trainer.network)
        let validation =
            data.validation.sampleCount > 0
            ? try inference.evaluate(
                data.validation, substrate: substrate, loss: config.objective.loss, classes: data.classes)
            : RunStatistics(classes: data.classes)
        let seconds = monotonicSeconds() - t0
        epochSeconds.append(seconds)
        let summary = EpochSummary(
            epoch: epoch + 1, epochs: config.epochs, train: stats, validation: validation, seconds: seconds,
            learningRate: config.optimizerConfig.learningRate(epoch: epoch))
        try directory.appendMetrics(summary.metricsLine)
        return summary
    }

    /// Moves ``state`` to the next epoch and writes the checkpoints: `best.safetensors` when the validation
    /// accuracy improved, then `last.safetensors`.
    private func advance(past summary: EpochSummary) throws {
        let best = state.bestValidationAccuracy
        state = RunState()
        state.epoch = summary.epoch
        state.bestValidationAccuracy = best
        if data.validation.sampleCount > 0 && summary.validation.accuracy > best {
            state.bestValidationAccuracy = summary.validation.accuracy
            try saveCheckpoint(to: directory.bestCheckpointURL)
        }
        try saveCheckpoint(to: directory.lastCheckpointURL)
    }

    private func finish() throws -> TrainingResult {
        let bestURL = directory.bestCheckpointURL
        let network =
            FileManager.default.fileExists(atPath: bestURL.path)
            ? try Checkpoint.read(from: bestURL).network : trainer.network
        try substrate.load(network)
        let test = try inference.evaluate(
            data.test, substrate: substrate, loss: config.objective.loss, classes: data.classes)
        try directory.writeEvaluation(test)
        let report =
            writesReport
            ? try RunReport.write(
                runDirectory: directory, network: network, config: config, data: data, evaluation: test,
                substrate: substrate)
            : nil
        let meanEpoch = epochSeconds.isEmpty ? 0 : epochSeconds.reduce(0, +) / Double(epochSeconds.count)
        return TrainingResult(
            config: config, test: test, network: network, epochs: state.epoch, secondsPerEpoch: meanEpoch,
            bestValidationAccuracy: state.bestValidationAccuracy, directory: directory, report: report,
            substrateName: substrate.name, workers: workers)
    }

    /// Writes the trainer's network and optimizer with the config, ``state`` and provenance in the metadata.
    private func saveCheckpoint(to url: URL) throws {
        var m = state.metadata
        m["spikeloop.config"] = config.json
        m["spikeloop.dataset"] = config.dataset
        m["spikeloop.provenance"] =
            "spikeloop train, substrate \(substrate.name), seed \(config.seed), threads \(workers)"
        try Checkpoint(network: trainer.network, optimizer: trainer.optimizer, metadata: m).write(to: url)
    }
}
