import SpikeCore

/// Predictions and activity of a network on a dataset.
public struct Evaluation: Sendable {
    public var samples = 0
    public var correct = 0
    public var lossSum: Double = 0
    public var hiddenSpikes = 0
    /// `confusion[label][predicted]`.
    public var confusion: [[Int]]
    public var predictions: [Int32] = []
    public var substrateSeconds: Double = 0
    public var energyJoules: Double = 0

    public init(classes: Int) { confusion = Array(repeating: Array(repeating: 0, count: classes), count: classes) }
    public var accuracy: Double { samples > 0 ? Double(correct) / Double(samples) : 0 }
    public var meanLoss: Double { samples > 0 ? lossSum / Double(samples) : 0 }
    public var hiddenSpikesPerSample: Double { samples > 0 ? Double(hiddenSpikes) / Double(samples) : 0 }
    /// Accuracy per true class.
    public var perClassAccuracy: [Double] {
        confusion.enumerated().map { k, row in
            let n = row.reduce(0, +)
            return n > 0 ? Double(row[k]) / Double(n) : 0
        }
    }
}

/// Forward-only runs in parallel over the batch, recording only spikes and the readout trace.
public final class Inference: @unchecked Sendable {
    public let workers: Int
    let stepCount: Int
    private var observations: [ObservationBox]

    public init(network: Network, stepCount: Int, workers: Int, chunk: Int = 16) {
        self.workers = max(1, workers)
        self.stepCount = stepCount
        observations = (0..<self.workers).map { _ in ObservationBox(Observation(network: network, stepCount: stepCount, capacity: chunk, recording: .readout)) }
    }

    /// Runs `batch` on `substrate` (already loaded) and scores the readout with `loss`.
    public func evaluate(_ batch: SpikeBatch, substrate: Substrate, loss: ReadoutLoss, classes: Int) throws -> Evaluation {
        precondition(batch.stepCount == stepCount, "batch has \(batch.stepCount) steps, inference was built for \(stepCount)")
        let w = min(workers, substrate.maxConcurrentRuns, max(1, batch.sampleCount))
        let parts = PerWorker(count: w, initial: Evaluation(classes: classes))
        var preds = [Int32](repeating: -1, count: batch.sampleCount)
        let errors = PerWorker<Error?>(count: w, initial: nil)
        let chunk = min(observations[0].observation.capacity, max(1, substrate.preferredChunkSize))
        preds.withUnsafeMutableBufferPointer { pp in
            let predictions = pp
            parallelChunks(count: batch.sampleCount, workers: w) { worker, range in
                var ev = Evaluation(classes: classes)
                do {
                    try observations[worker].forEachChunk(substrate, batch, range, chunk: chunk, worker: worker) { obs, samples in
                        ev.substrateSeconds += obs.substrateSeconds ?? 0
                        ev.energyJoules += obs.energyJoules ?? 0
                        let out = obs.readout
                        for s in samples {
                            let local = s - samples.lowerBound
                            let label = Int(batch.labels[s])
                            let r = loss.evaluate(
                                trace: out.membrane!.pointer + local * stepCount * out.stride, stepCount: stepCount,
                                outputs: out.neuronCount, stride: out.stride, label: label, amplitude: 0, seed: nil, weight: 0, noiseSeed: nil)
                            predictions[s] = Int32(r.predicted)
                            ev.samples += 1
                            ev.lossSum += Double(r.loss)
                            if label >= 0 && label < classes {
                                ev.confusion[label][r.predicted] += 1
                                if r.predicted == label { ev.correct += 1 }
                            }
                            for l in 0..<(obs.layers.count - 1) { ev.hiddenSpikes += obs.layers[l].spikeCount(sample: local) }
                        }
                    }
                } catch {
                    errors[worker] = error
                    return
                }
                parts[worker] = ev
            }
        }
        if let e = errors.values.compactMap({ $0 }).first { throw e }
        var total = Evaluation(classes: classes)
        for p in parts.values {
            total.samples += p.samples
            total.correct += p.correct
            total.lossSum += p.lossSum
            total.hiddenSpikes += p.hiddenSpikes
            total.substrateSeconds += p.substrateSeconds
            total.energyJoules += p.energyJoules
            for a in 0..<classes { for b in 0..<classes { total.confusion[a][b] += p.confusion[a][b] } }
        }
        total.predictions = preds
        return total
    }
}
