import Foundation
import SpikeTensorBoard
import SpikeTraining

extension RunDirectory {
    /// `tensorboard/`: the run's TensorBoard event files (`tensorboard --logdir runs` shows every run).
    public var tensorboardURL: URL { url.appendingPathComponent("tensorboard") }
}

extension TrainingRun {
    /// Opens a new event file in `tensorboard/` when ``RunConfig/tensorboard`` is on (a resumed run adds a file;
    /// TensorBoard merges a folder's files).
    func openEventLog() throws -> TensorBoardWriter? {
        guard config.tensorboard else { return nil }
        do { return try TensorBoardWriter(directory: directory.tensorboardURL) } catch let e as TensorBoardError {
            throw RunError(.runDirectory, subject: e.path, e.message)
        }
    }

    /// One epoch in TensorBoard, step = the epoch (1-based): the scalars of its `metrics.jsonl` line under the
    /// same names, and a histogram of every layer's weights.
    func logEpoch(_ summary: EpochSummary, to log: TensorBoardWriter) throws {
        let t = summary.train, v = summary.validation
        var scalars: [(tag: String, value: Double)] = [
            ("train_loss", t.meanLoss), ("train_accuracy", t.accuracy), ("learning_rate", summary.learningRate),
            ("hidden_spikes_per_sample", t.hiddenSpikesPerSample), ("seconds", summary.seconds),
        ]
        if v.samples > 0 {
            scalars += [
                ("validation_loss", v.meanLoss), ("validation_accuracy", v.accuracy),
                ("validation_hidden_spikes_per_sample", v.hiddenSpikesPerSample),
            ]
        }
        do {
            try log.scalars(scalars.filter { $0.value.isFinite }, step: summary.epoch)
            for (l, layer) in trainer.network.layers.enumerated() {
                try log.histogram("weights/layer\(l)", layer.weights, step: summary.epoch)
                if layer.isRecurrent {
                    try log.histogram("recurrent_weights/layer\(l)", layer.recurrentWeights, step: summary.epoch)
                }
            }
            try log.flush()
        } catch let e as TensorBoardError {
            throw RunError(.runDirectory, subject: e.path, e.message)
        }
    }

    /// The test evaluation as `test_accuracy` and `test_loss` at the last epoch's step.
    func logTest(_ test: RunStatistics, epoch: Int, to log: TensorBoardWriter) throws {
        do {
            try log.scalars(
                [("test_accuracy", test.accuracy), ("test_loss", test.meanLoss)].filter { $0.1.isFinite }, step: epoch)
            try log.flush()
        } catch let e as TensorBoardError {
            throw RunError(.runDirectory, subject: e.path, e.message)
        }
    }
}
