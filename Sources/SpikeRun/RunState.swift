import Foundation
import SpikeTraining

/// Where a run stands, as stored in its checkpoints' metadata: the next epoch and batch, the best validation
/// accuracy so far, and the statistics of a partly run epoch.
public struct RunState: Equatable, Sendable {
    /// The next epoch to run, 0-based (the number of completed epochs).
    public var epoch = 0
    /// The next batch of ``epoch`` (0 at an epoch boundary).
    public var nextBatch = 0
    /// −1 until a validation pass has run.
    public var bestValidationAccuracy = -1.0
    /// Samples, loss sum, correct and hidden spikes of the batches of ``epoch`` already run.
    public var partialSamples = 0
    public var partialLossSum = 0.0
    public var partialCorrect = 0
    public var partialHiddenSpikes = 0

    public init() {}

    /// Reads the `spikeloop.*` keys of a checkpoint's metadata; missing keys give the start of a run.
    public init(metadata m: [String: String]) {
        epoch = Int(m["spikeloop.epoch"] ?? "0") ?? 0
        nextBatch = Int(m["spikeloop.next_batch"] ?? "0") ?? 0
        bestValidationAccuracy = Double(m["spikeloop.best_validation_accuracy"] ?? "-1") ?? -1
        if nextBatch > 0 {
            partialSamples = Int(m["spikeloop.partial_samples"] ?? "0") ?? 0
            partialLossSum = Double(m["spikeloop.partial_loss_sum"] ?? "0") ?? 0
            partialCorrect = Int(m["spikeloop.partial_correct"] ?? "0") ?? 0
            partialHiddenSpikes = Int(m["spikeloop.partial_hidden_spikes"] ?? "0") ?? 0
        }
    }

    /// The statistics of the batches of ``epoch`` run before the checkpoint.
    public var partial: RunStatistics {
        get {
            var s = RunStatistics()
            s.samples = partialSamples
            s.lossSum = partialLossSum
            s.correct = partialCorrect
            s.hiddenSpikes = partialHiddenSpikes
            return s
        }
        set {
            partialSamples = newValue.samples
            partialLossSum = newValue.lossSum
            partialCorrect = newValue.correct
            partialHiddenSpikes = newValue.hiddenSpikes
        }
    }

    /// The `spikeloop.epoch`, `next_batch`, `best_validation_accuracy` and (mid-epoch) `partial_*` keys.
    public var metadata: [String: String] {
        var m = [
            "spikeloop.epoch": "\(epoch)", "spikeloop.next_batch": "\(nextBatch)",
            "spikeloop.best_validation_accuracy": "\(bestValidationAccuracy)",
        ]
        if nextBatch > 0 {
            m["spikeloop.partial_samples"] = "\(partialSamples)"
            m["spikeloop.partial_loss_sum"] = "\(partialLossSum)"
            m["spikeloop.partial_correct"] = "\(partialCorrect)"
            m["spikeloop.partial_hidden_spikes"] = "\(partialHiddenSpikes)"
        }
        return m
    }
}
