/// Figures of a run over samples — a training batch, an epoch or an evaluation: loss, accuracy, activity,
/// emulated substrate time and energy, and (when classes are tracked) the confusion matrix and predictions.
public struct RunStatistics: Sendable {
    public var samples = 0
    public var correct = 0
    public var lossSum: Double = 0
    /// Spikes of all hidden layers, summed over samples.
    public var hiddenSpikes = 0
    public var outputSpikes = 0
    /// Emulated substrate time (s) and energy (J) when the substrate models them.
    public var substrateSeconds: Double = 0
    public var energyJoules: Double = 0
    /// `confusion[label][predicted]`; empty when classes are not tracked.
    public var confusion: [[Int]]
    /// Predicted class per sample of an evaluated batch (empty during training).
    public var predictions: [Int32] = []

    /// Statistics that track a `classes × classes` confusion matrix (0: none).
    public init(classes: Int = 0) {
        confusion = Array(repeating: Array(repeating: 0, count: classes), count: classes)
    }

    public var meanLoss: Double { samples > 0 ? lossSum / Double(samples) : 0 }
    public var accuracy: Double { samples > 0 ? Double(correct) / Double(samples) : 0 }
    public var hiddenSpikesPerSample: Double { samples > 0 ? Double(hiddenSpikes) / Double(samples) : 0 }
    /// Accuracy per true class (from the confusion matrix).
    public var perClassAccuracy: [Double] {
        confusion.enumerated().map { k, row in
            let n = row.reduce(0, +)
            return n > 0 ? Double(row[k]) / Double(n) : 0
        }
    }

    /// Counts one scored sample. Labels outside the tracked classes count as samples but not as correct.
    public mutating func record(label: Int, predicted: Int, loss: Double) {
        samples += 1
        lossSum += loss
        let tracked = confusion.isEmpty || (label >= 0 && label < confusion.count)
        if tracked && predicted == label { correct += 1 }
        if !confusion.isEmpty && label >= 0 && label < confusion.count { confusion[label][predicted] += 1 }
    }

    /// Adds `o` (reductions happen in a fixed worker order, so sums are reproducible).
    public mutating func merge(_ o: RunStatistics) {
        samples += o.samples
        lossSum += o.lossSum
        correct += o.correct
        hiddenSpikes += o.hiddenSpikes
        outputSpikes += o.outputSpikes
        substrateSeconds += o.substrateSeconds
        energyJoules += o.energyJoules
        if confusion.count == o.confusion.count {
            for a in confusion.indices { for b in confusion.indices { confusion[a][b] += o.confusion[a][b] } }
        }
    }
}
