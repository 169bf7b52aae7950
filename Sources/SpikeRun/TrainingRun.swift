import Foundation
import SpikeCore
import SpikeTensorBoard
import SpikeTraining

/// A training session: epochs of minibatch training into a ``RunDirectory``, with a validation pass, metrics line
/// and checkpoints after every epoch, and a final test evaluation and report.
///
/// What `spikeloop train` does, as a library call. Nothing is printed: the caller gets ``TrainingProgress`` after every
/// batch and an ``EpochSummary`` after every epoch, and stops the run between batches with `shouldStop` (the CLI
/// wires Ctrl-C to it). A stopped run leaves a `last.safetensors` from which ``init(resuming:checkpoint:config:data:)``
/// continues bit-identically for the same seed and thread count.
///
/// Reliability: a diverged batch (non-finite loss, gradient or weight; `TrainingError.diverged`) ends the run with
/// ``RunError`` `.diverged`, which names the last good checkpoint; no checkpoint with a non-finite value is ever
/// written (``saveCheckpoint(to:)`` refuses it). When the training accuracy stays at chance
/// (≤ 1/classes + ``chanceMargin``) for ``collapseWarningEpochs`` consecutive epochs, every further
/// ``EpochSummary`` carries a ``EpochSummary/warning``. The directory's lock is released when ``run(progress:epochFinished:shouldStop:)``
/// returns or throws.
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
    /// Consecutive epochs at chance level after which ``EpochSummary/warning`` is set (3 by default).
    public var collapseWarningEpochs = 3
    /// Training accuracy counts as chance when it is at most `1/classes + chanceMargin`.
    public static let chanceMargin = 0.02
    /// The checkpoint metadata key holding the epoch's `metrics.jsonl` line (restored on resume when a crash
    /// lost it between the checkpoint and the append).
    public static let metricsLineKey = "spikeloop.metrics_line"
    private let inference: Inference
    private var epochSeconds: [Double] = []
    /// The TensorBoard event file of this session (``RunConfig/tensorboard``), opened when ``run(progress:epochFinished:shouldStop:)`` starts.
    var eventLog: TensorBoardWriter?
    private var chanceEpochs = 0
    /// On-chip learning (`learning: onchip`): the chip's learner, for its chip-time figures.
    public private(set) var onChip: OnChipLearner?
    /// The last checkpoint known to be good: written in this session or resumed from (path, epoch, next batch).
    private var lastGood: (url: URL, epoch: Int, nextBatch: Int)?
    /// Data-parallel ranks (`mpirun -np N spikeloop train`; ``DataParallel``): each trains on its share of every
    /// batch and validates its share of the validation split; rank 0 alone writes the run directory and tests.
    public let collective: Collective?
    /// Whether this process writes the run directory (rank 0, or the only process).
    public var isWriter: Bool { (collective?.rank ?? 0) == 0 }

    /// Starts a new run in `directory` (see ``RunDirectory/create(at:config:)``).
    ///
    /// - Parameters:
    ///   - data: the encoded data; nil loads it with ``RunData/load(_:needTrain:)``.
    ///   - network: a hand-built network; nil builds ``RunConfig/makeNetwork(inputs:classes:)``.
    /// - Throws: ``RunError`` for an invalid config or a network that does not fit the data, dataset and
    ///   substrate errors.
    ///   - collective: the data-parallel ranks this process is one of (nil: it trains alone).
    public convenience init(
        config: RunConfig, directory: RunDirectory, data: RunData? = nil, network: Network? = nil,
        collective: Collective? = nil
    ) throws {
        try config.validate()
        let data = try data ?? RunData.load(config)
        let network = network ?? config.makeNetwork(inputs: data.channels, classes: data.classes)
        try self.init(
            config: config, directory: directory, data: data, network: network, checkpoint: nil, collective: collective)
    }

    /// Creates the run directory at `url` and starts a new run in it. The data is loaded before the folder is
    /// made, and if building the run fails (a network that does not fit, a substrate that cannot be built) the
    /// folder is removed again: a failed start leaves no run directory behind.
    /// With `collective`, ranks other than 0 neither create nor touch the folder.
    /// - Throws: as ``RunDirectory/create(at:config:)`` and ``init(config:directory:data:network:collective:)``.
    public static func start(
        config: RunConfig, at url: URL, data: RunData? = nil, network: Network? = nil, collective: Collective? = nil
    ) throws -> TrainingRun {
        try config.validate()
        let data = try data ?? RunData.load(config)
        if let c = collective, c.rank > 0 {
            return try TrainingRun(
                config: config, directory: RunDirectory(url: url), data: data, network: network, collective: c)
        }
        let directory = try RunDirectory.create(at: url, config: config)
        do {
            return try TrainingRun(
                config: config, directory: directory, data: data, network: network, collective: collective)
        } catch {
            directory.discardFailedStart()
            throw error
        }
    }

    /// Continues the run whose last checkpoint is `checkpoint` (see ``RunDirectory/resume(at:config:)``).
    /// A rank other than 0 passes the folder as ``RunDirectory/init(url:)`` and the checkpoint it read (any
    /// rank count resumes any run: batches are global, so the checkpoint does not depend on it).
    public convenience init(
        resuming directory: RunDirectory, checkpoint: Checkpoint, config: RunConfig, data: RunData? = nil,
        collective: Collective? = nil
    ) throws {
        try config.validate()
        try config.checkResume(from: checkpoint, path: directory.lastCheckpointURL.path)
        let data = try data ?? RunData.load(config)
        try self.init(
            config: config, directory: directory, data: data, network: checkpoint.network, checkpoint: checkpoint,
            collective: collective)
    }

    private init(
        config: RunConfig, directory: RunDirectory, data: RunData, network: Network, checkpoint: Checkpoint?,
        collective: Collective?
    ) throws {
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
        self.collective = collective
        // Every rank its own chips, as N physical setups would be: rank r's first chip is instance
        // seed + r·chipCount (a partitioned network's chip c adds c), so no two ranks share an instance.
        substrateSpec = try config.substrateSpec().instance(forRank: (collective?.rank ?? 0) * max(1, config.chipCount))
        let chip = try substrateSpec.makeChip(for: network, chip: config.chipSettings)
        substrate = try chip ?? substrateSpec.makeSubstrate(for: network, chip: config.chipSettings)
        // A resumed optimizer keeps its moments and step count; its hyperparameters come from the config, so
        // `--resume DIR --lr X` trains on with X (decayed by the schedule from the resumed epoch).
        var optimizer = checkpoint?.optimizer ?? Optimizer(config: config.optimizerConfig, network: network)
        optimizer.config = config.optimizerConfig.resuming(optimizer.config)
        trainer = try Trainer(
            network: network, optimizer: optimizer, objective: config.objective, substrate: substrate,
            stepCount: config.steps, seed: config.seed, workers: workers, learning: config.learningRule,
            dropout: config.dropout)
        trainer.collective = collective
        if config.learningRule == .onDevice && chip == nil {
            throw RunError(
                .invalidSetting, subject: "hidden",
                "on-chip learning needs the network on one chip; \(network.inputCount)-\(config.hidden.map(String.init).joined(separator: "-"))-\(network.outputCount) runs partitioned (see spikeloop partition)")
        }
        if config.learningRule == .onDevice, let chip {
            let learner = try OnChipLearner(chip: chip, network: network, stepCount: config.steps, objective: config.objective, config: config.onChipLearning, seed: config.seed &+ 0x99)
            trainer.deviceLearner = learner
            onChip = learner
        }
        inference = Inference(network: network, stepCount: config.steps, workers: workers)
        state = checkpoint.map { RunState(metadata: $0.metadata) } ?? RunState()
        if checkpoint != nil { lastGood = (directory.lastCheckpointURL, state.epoch, state.nextBatch) }
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
        defer { directory.releaseLock() }
        if eventLog == nil && isWriter { eventLog = try openEventLog() }
        while state.epoch < config.epochs {
            let t0 = monotonicSeconds()
            let epoch = state.epoch
            let partial = state.partial
            var (stats, next) = try trainEpoch(epoch, shouldStop: shouldStop) { p in
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
            var summary = try finishEpoch(epoch, statistics: stats, started: t0)
            try advance(past: summary)
            if isWriter { try directory.appendMetrics(summary.metricsLine) }
            if let log = eventLog { try logEpoch(summary, to: log) }
            summary.warning = collapseWarning(summary)
            epochFinished(summary)
        }
        return .completed(try finish())
    }

    /// One epoch of the trainer from ``state``; a diverged batch becomes ``RunError`` `.diverged`.
    private func trainEpoch(
        _ epoch: Int, shouldStop: () -> Bool, progress: (BatchProgress) -> Void
    ) throws -> (RunStatistics, nextBatch: Int) {
        do {
            return try trainer.trainEpoch(
                data.trainBatch(epoch: epoch, config: config), epoch: epoch, batchSize: config.batchSize,
                startBatch: state.nextBatch, shouldStop: shouldStop, progress: progress)
        } catch TrainingError.diverged(let e, let b, let reason) {
            throw divergence("training diverged at epoch \(e), batch \(b): \(reason)")
        }
    }

    /// The error of a diverged run: what happened, the last good checkpoint and how to go on.
    private func divergence(_ what: String) -> RunError {
        let lower = config.learningRate / 10
        guard let good = lastGood else {
            return RunError(
                .diverged, subject: directory.url.path,
                "\(what); no checkpoint was written (nothing good to keep). Start again with a lower learning rate, e.g. --lr \(lower)"
            )
        }
        let at = good.nextBatch == 0 ? "end of epoch \(good.epoch)" : "epoch \(good.epoch + 1), batch \(good.nextBatch)"
        return RunError(
            .diverged, subject: directory.url.path,
            "\(what); nothing was written after it. Last good checkpoint: \(good.url.path) (\(at)). Continue from it with a lower learning rate: spikeloop train --resume \(directory.url.path) --lr \(lower)"
        )
    }

    /// Counts epochs at chance level; the warning once ``collapseWarningEpochs`` are reached in a row.
    private func collapseWarning(_ summary: EpochSummary) -> String? {
        let chance = 1 / Double(max(1, data.classes))
        chanceEpochs = summary.train.accuracy <= chance + Self.chanceMargin ? chanceEpochs + 1 : 0
        guard chanceEpochs >= collapseWarningEpochs else { return nil }
        return String(
            format:
                "training accuracy has been at chance (%.1f %%, chance %.1f %%) for %d epochs in a row: the learning rate %g is probably too high (or the hidden layer is silent); try a lower --lr",
            100 * summary.train.accuracy, 100 * chance, chanceEpochs, summary.learningRate)
    }

    private func finishEpoch(_ epoch: Int, statistics stats: RunStatistics, started t0: Double) throws -> EpochSummary {
        try substrate.load(trainer.network)
        let validation =
            data.validation.sampleCount > 0 ? try evaluateShare(of: data.validation) : RunStatistics(classes: data.classes)
        let seconds = monotonicSeconds() - t0
        epochSeconds.append(seconds)
        let summary = EpochSummary(
            epoch: epoch + 1, epochs: config.epochs, train: stats, validation: validation, seconds: seconds,
            learningRate: config.optimizerConfig.learningRate(epoch: epoch))
        return summary
    }

    /// Moves ``state`` to the next epoch and writes the checkpoints: `best.safetensors` when the validation
    /// accuracy improved, then `last.safetensors` (both carry the epoch's metrics line).
    private func advance(past summary: EpochSummary) throws {
        let best = state.bestValidationAccuracy
        state = RunState()
        state.epoch = summary.epoch
        state.bestValidationAccuracy = best
        if data.validation.sampleCount > 0 && summary.validation.accuracy > best {
            state.bestValidationAccuracy = summary.validation.accuracy
            try saveCheckpoint(to: directory.bestCheckpointURL, metricsLine: summary.metricsLine)
        }
        try saveCheckpoint(to: directory.lastCheckpointURL, metricsLine: summary.metricsLine)
    }

    /// `set` evaluated on the substrate; with ranks, each evaluates its share and the statistics are merged.
    private func evaluateShare(of set: SpikeBatch) throws -> RunStatistics {
        guard let c = collective else {
            return try inference.evaluate(set, substrate: substrate, loss: config.objective.loss, classes: data.classes)
        }
        let share = DataParallel.share(count: set.sampleCount, rank: c.rank, size: c.size)
        let part = share.isEmpty ? RunStatistics(classes: data.classes)
            : try inference.evaluate(set.subset(Array(share)), substrate: substrate, loss: config.objective.loss, classes: data.classes)
        return try DataParallel.merge(part, over: c)
    }

    private func finish() throws -> TrainingResult {
        guard isWriter else {  // rank > 0: rank 0 tests the scored checkpoint and writes the record
            return TrainingResult(
                config: config, test: RunStatistics(classes: data.classes), network: trainer.network, epochs: state.epoch,
                secondsPerEpoch: 0, bestValidationAccuracy: state.bestValidationAccuracy, directory: directory, report: nil,
                substrateName: substrate.name, workers: workers, onChip: nil)
        }
        let bestURL = directory.bestCheckpointURL
        let scored = FileManager.default.fileExists(atPath: bestURL.path) ? bestURL : directory.lastCheckpointURL
        let checkpoint = try Checkpoint.read(from: scored)
        let network = checkpoint.network
        // A fresh substrate, as `spikeloop evaluate` builds one: the chip used for training has advanced its
        // noise stream, and the test must not depend on how many batches ran before it.
        let (test, testSubstrate, testChip) = try CheckpointEvaluation.evaluate(
            network, on: data.test, config: config, classes: data.classes, workers: workers)
        try directory.writeEvaluation(
            test, checkpoint: scored.lastPathComponent, epoch: RunState(metadata: checkpoint.metadata).epoch,
            substrate: testSubstrate.name)
        if let log = eventLog { try logTest(test, epoch: state.epoch, to: log) }
        let report =
            writesReport
            ? try RunReport.write(
                runDirectory: directory, network: network, config: config, data: data, evaluation: test,
                substrate: testSubstrate, chip: testChip)
            : nil
        let meanEpoch = epochSeconds.isEmpty ? 0 : epochSeconds.reduce(0, +) / Double(epochSeconds.count)
        var result = TrainingResult(
            config: config, test: test, network: network, epochs: state.epoch, secondsPerEpoch: meanEpoch,
            bestValidationAccuracy: state.bestValidationAccuracy, directory: directory, report: report,
            substrateName: substrate.name, workers: workers,
            onChip: onChip.map { OnChipFigures(learner: $0, hostSeconds: epochSeconds.reduce(0, +)) })
        result.trainSamples = data.train.sampleCount
        if let c = collective, c.reduceTraffic.calls > 0 {
            let t = c.reduceTraffic
            (result.ranks, result.allreduceBytes, result.allreduceSeconds) = (c.size, t.bytes / t.calls, t.seconds / Double(t.calls))
        }
        return result
    }

    /// Writes the trainer's network and optimizer with the config, ``state`` and provenance in the metadata.
    /// - Throws: ``RunError`` `.diverged` instead of writing when a weight or an optimizer moment is not finite.
    private func saveCheckpoint(to url: URL, metricsLine: String? = nil) throws {
        let optimizer = trainer.optimizer
        guard !trainer.hasDiverged, trainer.network.allWeightsFinite,
            (optimizer.first + optimizer.second).allSatisfy({ $0.allSatisfy(\.isFinite) })
        else {
            throw divergence("the network or the optimizer state is not finite, so no checkpoint was written")
        }
        guard isWriter else { return }
        var m = state.metadata
        m["spikeloop.config"] = config.json
        m["spikeloop.dataset"] = config.dataset
        m["spikeloop.provenance"] =
            "spikeloop train, substrate \(substrate.name), seed \(config.seed), threads \(workers)"
            + (collective.map { ", \($0.size) data-parallel ranks" } ?? "")
        m["spikeloop.version"] = BuildInfo.version
        m["spikeloop.git_commit"] = BuildInfo.gitCommit
        if let line = metricsLine { m[Self.metricsLineKey] = line }
        var attachments: [String: CheckpointTensor] = [:]
        if substrateSpec.isChip {
            // The 6-bit codes and output scale the chip runs with these weights (`ChipWeights`).
            let chip = config.chipSettings.chipConfig
            let codes = ChipWeights(network: trainer.network, config: chip)
            attachments = codes.attachments(for: trainer.network)
            m[ChipWeights.metadataKey] = codes.metadata(substrate: substrate.name, config: chip)
        }
        let keepsOptimizer = !config.weightsOnlyCheckpoints
        try Checkpoint(
            network: trainer.network, optimizer: keepsOptimizer ? optimizer : nil, metadata: m, attachments: attachments
        ).write(to: url)
        if url == directory.lastCheckpointURL { lastGood = (url, state.epoch, state.nextBatch) }
    }
}
