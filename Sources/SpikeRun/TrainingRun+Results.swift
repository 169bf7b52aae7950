import Foundation
import SpikeTraining

/// Progress of a ``TrainingRun`` after one minibatch.
public struct TrainingProgress: Sendable {
    /// 0-based epoch.
    public var epoch: Int
    public var epochs: Int
    /// Batches done in this epoch (1-based after the first).
    public var batch: Int
    public var batchCount: Int
    /// The epoch's statistics so far (including batches run before a resume).
    public var statistics: RunStatistics
    public var samplesPerSecond: Double
    public var batchSize: Int

    /// Fraction of the epoch done, 0…1.
    public var fraction: Double { Double(batch) / Double(max(1, batchCount)) }
    /// Seconds left in this epoch at the current rate.
    public var etaSeconds: Double {
        Double(batchCount - batch) * Double(batchSize) / max(samplesPerSecond, 1)
    }
}

/// One finished epoch of a ``TrainingRun``: training statistics, the validation pass and the time it took.
public struct EpochSummary: Sendable {
    /// 1-based epoch number.
    public var epoch: Int
    public var epochs: Int
    public var train: RunStatistics
    /// Empty (0 samples) without a validation split.
    public var validation: RunStatistics
    /// Wall-clock seconds for training and validation.
    public var seconds: Double
    public var learningRate: Double
    /// Set when the training accuracy has stayed at chance for ``TrainingRun/collapseWarningEpochs`` epochs in a
    /// row (the run goes on; the caller decides whether to show it).
    public var warning: String? = nil

    /// The line appended to `metrics.jsonl` (sorted keys, one compact JSON object).
    public var metricsLine: String {
        let line: [String: Any] = [
            "epoch": epoch, "train_loss": train.meanLoss, "train_accuracy": train.accuracy,
            "validation_loss": validation.meanLoss, "validation_accuracy": validation.accuracy,
            "hidden_spikes_per_sample": train.hiddenSpikesPerSample,
            "validation_hidden_spikes_per_sample": validation.hiddenSpikesPerSample,
            "seconds": seconds, "learning_rate": learningRate,
        ]
        return JSONValue.text(line)
    }
}

/// On-chip learning in figures: chip time per trained image (runs and plasticity processor), the PPU's share and
/// energy, and the host's wall time per image, from which updates per second follow (one update per image).
public struct OnChipFigures: Sendable {
    public var samples: Int
    public var chipSecondsPerImage: Double
    public var ppuSecondsPerImage: Double
    public var ppuJoulesPerImage: Double
    /// Wall-clock seconds per trained image of this session on the host emulating the chip (epochs incl. validation).
    public var hostSecondsPerImage: Double

    init(learner: OnChipLearner, hostSeconds: Double) {
        samples = learner.samples
        chipSecondsPerImage = learner.chipSecondsPerImage
        ppuSecondsPerImage = learner.ppuSecondsPerImage
        ppuJoulesPerImage = learner.samples > 0 ? learner.ppuJoules / Double(learner.samples) : 0
        hostSecondsPerImage = learner.samples > 0 ? hostSeconds / Double(learner.samples) : 0
    }

    /// Updates per second of chip time (what the chip would sustain).
    public var chipUpdatesPerSecond: Double { chipSecondsPerImage > 0 ? 1 / chipSecondsPerImage : 0 }

    var jsonObject: [String: Any] {
        [
            "chip_seconds_per_image": chipSecondsPerImage, "ppu_seconds_per_image": ppuSecondsPerImage,
            "ppu_joules_per_image": ppuJoulesPerImage, "host_seconds_per_image": hostSecondsPerImage,
            "chip_updates_per_second": chipUpdatesPerSecond, "trained_images": samples,
        ]
    }
}

/// How ``TrainingRun/run(progress:epochFinished:shouldStop:)`` ended.
public enum TrainingOutcome: Sendable {
    case completed(TrainingResult)
    /// Stopped between batches; `last.safetensors` holds the state to resume from.
    case interrupted(TrainingInterruption)
}

/// Where a stopped run stopped.
public struct TrainingInterruption: Sendable {
    /// 0-based epoch.
    public var epoch: Int
    public var nextBatch: Int
    public var batchCount: Int
    public var directory: RunDirectory
}

/// The end of a completed run: the test evaluation of the best (or last) network and where things were written.
public struct TrainingResult: Sendable {
    public var config: RunConfig
    public var test: RunStatistics
    /// The network that was tested: the best checkpoint's, or the last one without a validation split.
    public var network: Network
    /// Epochs completed.
    public var epochs: Int
    /// Mean wall-clock seconds of the epochs run in this session.
    public var secondsPerEpoch: Double
    /// −1 without a validation split.
    public var bestValidationAccuracy: Double
    public var directory: RunDirectory
    /// `report.html`, or nil when ``TrainingRun/writesReport`` was off.
    public var report: URL?
    public var substrateName: String
    public var workers: Int
    /// On-chip learning's chip time and update rate (`learning: onchip`), else nil.
    public var onChip: OnChipFigures? = nil
    /// Data-parallel ranks the run trained on (1: one process), and per gradient all-reduce the bytes one rank
    /// sent and the seconds it took (0 for one process).
    public var ranks = 1
    /// Samples per training epoch (throughput = trainSamples / secondsPerEpoch, validation included).
    public var trainSamples = 0
    public var allreduceBytes = 0
    public var allreduceSeconds = 0.0

    /// Emulated substrate seconds per test sample (0 on the software substrate).
    public var substrateSecondsPerSample: Double {
        test.samples > 0 ? test.substrateSeconds / Double(test.samples) : 0
    }
    /// Emulated energy per test sample, joules (0 on the software substrate).
    public var energyJoulesPerSample: Double { test.samples > 0 ? test.energyJoules / Double(test.samples) : 0 }

    /// The summary of `spikeloop train --json` (its last line).
    public var jsonObject: [String: Any] {
        [
            "test_accuracy": test.accuracy, "hidden_spikes_per_sample": test.hiddenSpikesPerSample, "epochs": epochs,
            "seconds_per_epoch": secondsPerEpoch, "run_dir": directory.url.path,
            "best_validation_accuracy": bestValidationAccuracy, "dataset": config.dataset, "seed": Int(config.seed),
            "threads": workers, "report": report?.path ?? "", "substrate": substrateName,
            "chip_seconds_per_test_image": substrateSecondsPerSample,
            "chip_energy_joules_per_test_image": energyJoulesPerSample,
            "learning": config.learning, "host_backward": onChip == nil, "ranks": ranks, "train_samples": trainSamples,
            "allreduce_bytes": allreduceBytes, "allreduce_seconds": allreduceSeconds,
        ].merging(onChip?.jsonObject ?? [:]) { a, _ in a }
    }
}
