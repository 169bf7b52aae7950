import Foundation
import SpikeCore
import SpikeTraining

/// Which encoded split to evaluate on.
public enum DataSplit: String, CaseIterable, Sendable {
    case test
    /// The validation samples carved from the training set (``RunData/split(count:validationSamples:trainSamples:)``).
    case validation
}

/// A checkpoint evaluated on a dataset split: what `spikeloop evaluate` does.
///
/// The encoding (dataset, steps, dt, latency code) comes from the config stored in the checkpoint, so a
/// checkpoint is evaluated on exactly the input it was trained on.
///
/// ```swift
/// let e = try CheckpointEvaluation(checkpoint: "runs/demo/best.safetensors", substrate: "chip:2")
/// print(e.evaluation.accuracy, e.evaluation.confusion)
/// ```
public struct CheckpointEvaluation: Sendable {
    public var checkpointPath: String
    public var config: RunConfig
    public var split: DataSplit
    public var evaluation: RunStatistics
    /// Wall-clock seconds of the inference alone.
    public var seconds: Double
    public var substrateName: String
    public var workers: Int

    /// Reads the checkpoint at `path` and evaluates it.
    ///
    /// - Parameters:
    ///   - dataset, dataDir: override the checkpoint's dataset and data folder.
    ///   - substrate: `software`, `chip` or `chip:SEED`; nil: the one it was trained on.
    ///   - threads: worker threads; nil: all cores.
    ///   - nirProducer, nirDt: for a NIR file (`.nir`, no run config: pass `dataset`), how to import it
    ///     (``NIRInterop/network(from:producer:dt:)``).
    /// - Throws: `TrainingError` naming the file when it is not a SpikeLoop checkpoint, `NIRError` for a NIR file
    ///   that does not import, ``RunError`` for bad settings or a network that does not fit
    ///   the dataset (input channels, classes), `DatasetError` for missing data.
    public init(
        checkpoint path: String, split: DataSplit = .test, dataset: String? = nil, dataDir: String? = nil,
        substrate: String? = nil, threads: Int? = nil, nirProducer: NIRProducer = .nir, nirDt: Double? = nil
    ) throws {
        if let t = threads { try SettingCheck.int(t, "threads", 1...RunConfig.Limits.threads) }
        BLAS.setThreads(1)
        let url = URL(fileURLWithPath: path)
        let checkpoint =
            url.pathExtension.lowercased() == "nir"
            ? Checkpoint(network: try NIRInterop.network(from: url, producer: nirProducer, dt: nirDt))
            : try Checkpoint.read(from: url)
        var config = RunConfig()
        if let text = checkpoint.metadata["spikeloop.config"],
            let dict = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        {
            config = try RunConfig().overlaid(with: dict, source: "\(path) metadata")
        }
        if let d = dataset { config.dataset = d }
        if let d = dataDir { config.dataDir = d }
        try config.validate()
        let data = try RunData.load(config, needTrain: split == .validation)
        let network = checkpoint.network
        guard network.inputCount == data.channels, network.outputCount == data.classes else {
            throw RunError(
                .checkpoint, subject: path,
                "the network takes \(network.inputCount) input channels and has \(network.outputCount) outputs, but dataset '\(config.dataset)' (steps \(config.steps)) gives \(data.channels) channels and \(data.classes) classes; evaluate it on the dataset it was trained on"
            )
        }
        if let s = substrate { config.substrate = s }
        try config.validate()
        let workers = threads ?? availableCores
        let t0 = monotonicSeconds()
        let (stats, sub, _) = try Self.evaluate(
            checkpoint.network, on: split == .test ? data.test : data.validation, config: config,
            classes: data.classes, workers: workers)
        evaluation = stats
        seconds = monotonicSeconds() - t0
        self.checkpointPath = path
        self.config = config
        self.split = split
        self.substrateName = sub.name
        self.workers = workers
    }

    /// Evaluates `network` on `batch` on a substrate built afresh from `config` (a new chip instance: calibrated,
    /// loaded, its noise stream at its start). `spikeloop evaluate` and the end-of-training test both call this,
    /// so a run's `test.json` equals `spikeloop evaluate` of the checkpoint it names, chip noise included.
    /// - Returns: the statistics, the substrate (for the report's rasters and traces) and, on a chip, the chip.
    public static func evaluate(
        _ network: Network, on batch: SpikeBatch, config: RunConfig, classes: Int, workers: Int
    ) throws -> (RunStatistics, Substrate, EmulatedChip?) {
        let chip = try config.makeChip(for: network)
        let substrate: Substrate = try chip ?? config.makeSubstrate(for: network)
        try substrate.load(network)
        let inference = Inference(network: network, stepCount: config.steps, workers: workers)
        let stats = try inference.evaluate(batch, substrate: substrate, loss: config.objective.loss, classes: classes)
        return (stats, substrate, chip)
    }

    /// Inference throughput, samples per wall-clock second.
    public var samplesPerSecond: Double { Double(evaluation.samples) / seconds }

    /// The result as `spikeloop evaluate --json` prints it (`test_accuracy` is the accuracy on either split).
    public var jsonObject: [String: Any] {
        let e = evaluation
        return [
            "test_accuracy": e.accuracy, "accuracy": e.accuracy, "split": split.rawValue, "samples": e.samples,
            "hidden_spikes_per_sample": e.hiddenSpikesPerSample, "output_spikes_per_sample": 0,
            "per_class_accuracy": e.perClassAccuracy, "confusion": e.confusion, "checkpoint": checkpointPath,
            "samples_per_second": samplesPerSecond,
        ]
    }
}
