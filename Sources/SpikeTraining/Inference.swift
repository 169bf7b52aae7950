import SpikeCore

/// Forward-only runs in parallel over the batch, recording only spikes and the readout trace.
public final class Inference: @unchecked Sendable {
    public let workers: Int
    let stepCount: Int
    private let runner: BatchRunner

    public init(network: Network, stepCount: Int, workers: Int, chunk: Int = 16) {
        self.workers = max(1, workers)
        self.stepCount = stepCount
        runner = BatchRunner(network: network, stepCount: stepCount, workers: self.workers, chunk: chunk, recording: .readout)
    }

    /// Runs `batch` on `substrate` (already loaded) and scores the readout with `loss`.
    /// - Returns: statistics with the confusion matrix over `classes` and every sample's prediction.
    public func evaluate(_ batch: SpikeBatch, substrate: Substrate, loss: ReadoutLoss, classes: Int) throws -> RunStatistics {
        precondition(batch.stepCount == stepCount, "batch has \(batch.stepCount) steps, inference was built for \(stepCount)")
        var preds = [Int32](repeating: -1, count: batch.sampleCount)
        let T = stepCount
        var total = try preds.withUnsafeMutableBufferPointer { predictions in
            try runner.run(batch, on: substrate, classes: classes, state: { _ in () }) { obs, samples, _, stats in
                let out = obs.readout
                for s in samples {
                    let local = s - samples.lowerBound
                    let label = Int(batch.labels[s])
                    let r = loss.evaluate(
                        trace: out.membrane!.pointer + local * T * out.stride, stepCount: T,
                        outputs: out.neuronCount, stride: out.stride, label: label, amplitude: 0, seed: nil, weight: 0, noiseSeed: nil)
                    predictions[s] = Int32(r.predicted)
                    stats.record(label: label, predicted: r.predicted, loss: Double(r.loss))
                    for l in 0..<(obs.layers.count - 1) { stats.hiddenSpikes += obs.layers[l].spikeCount(sample: local) }
                }
            }.0
        }
        total.predictions = preds
        return total
    }
}
