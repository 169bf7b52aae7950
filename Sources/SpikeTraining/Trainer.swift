import Foundation
import SpikeCore

/// Computes the loss gradient of a batch from what a substrate records: BPTT, or an online rule.
public protocol GradientEngine: AnyObject {
    func gradients(network: Network, batch: SpikeBatch, substrate: Substrate, objective: Objective, noiseSeed: UInt64?) throws -> (Gradients, RunStatistics)
}

extension BPTT: GradientEngine {}
extension OnlineLearning: GradientEngine {}

/// How a `Trainer` obtains gradients.
public enum LearningRule: Sendable, Equatable {
    case bptt
    case online(OnlineRule, Feedback)
    /// Exact RTRL in Double (tiny networks, software substrate only).
    case rtrl
    /// The device learns by itself (``Trainer/deviceLearner``): no host backward pass.
    case onDevice

    /// Parses `bptt`, `rtrl`, `onchip`, `eprop`, `diagonal` or `superspike`.
    public init?(name: String, feedback: Feedback = .symmetric) {
        switch name {
        case "bptt": self = .bptt
        case "rtrl": self = .rtrl
        case "onchip": self = .onDevice
        default:
            guard let r = OnlineRule(rawValue: name) else { return nil }
            self = .online(r, feedback)
        }
    }
}

/// Exact RTRL as a `GradientEngine` (software substrate; predictions from the substrate's forward run).
final class RTRLEngine: GradientEngine {
    let stepCount: Int
    init(stepCount: Int) { self.stepCount = stepCount }

    func gradients(network: Network, batch: SpikeBatch, substrate: Substrate, objective: Objective, noiseSeed: UInt64?) throws -> (Gradients, RunStatistics) {
        guard substrate.capabilities.exactMembranes else {
            throw TrainingError.invalidParameter(field: "learning", message: "rtrl simulates the network itself in Double, so it needs a substrate with exact recordings (the software substrate); \(substrate.name) has its own dynamics")
        }
        let r = ExactRTRL(network: network, surrogate: objective.surrogate).gradients(batch, objective: objective)
        var g = Gradients(zeroLike: network)
        for l in g.weights.indices {
            g.weights[l] = r.weights[l].map { Float($0) }
            g.recurrent[l] = r.recurrent[l].map { Float($0) }
        }
        // The L2 term is part of ExactRTRL's gradient; the trainer adds it again, so remove it here.
        _ = network.addWeightL2(Regularizers(hiddenL2: -objective.regularizers.hiddenL2, readoutL2: -objective.regularizers.readoutL2), to: &g)
        let ev = try Inference(network: network, stepCount: stepCount, workers: 1).evaluate(batch, substrate: substrate, loss: objective.loss, classes: network.outputCount)
        var stats = RunStatistics()
        stats.samples = batch.sampleCount
        stats.lossSum = r.loss * Double(batch.sampleCount)
        stats.correct = ev.correct
        stats.hiddenSpikes = ev.hiddenSpikes
        return (g, stats)
    }
}

/// Progress of one minibatch, handed to the caller's display.
public struct BatchProgress: Sendable {
    public var epoch: Int
    public var batch: Int
    public var batchCount: Int
    public var statistics: RunStatistics
    public var samplesPerSecond: Double
}

/// Epochs of minibatch training: shuffle, run on the substrate, BPTT, optimizer step.
///
/// The shuffle of epoch `e` and the tie-break noise of each batch derive from `seed`, so training is
/// bit-reproducible for a seed and thread count, and a run resumed from a checkpoint taken between
/// batches continues identically.
public final class Trainer: @unchecked Sendable {
    public var network: Network
    public var optimizer: Optimizer
    public let objective: Objective
    public let substrate: Substrate
    public let seed: UInt64
    public let workers: Int
    let engine: GradientEngine
    public let learning: LearningRule
    /// Dropout probability on hidden spikes during training (BPTT only).
    public let dropout: Float
    /// Set when an update made a weight non-finite: `network` must then not be saved (the last checkpoint is the
    /// last good state).
    public private(set) var hasDiverged = false
    /// Continual learning: when set, every step adds its penalty and accumulates its path integral (the caller
    /// calls ``SynapticIntelligence/consolidate(_:)`` at the end of each task).
    public var synapticIntelligence: SynapticIntelligence?
    /// On-device learning (``LearningRule/onDevice``): the device that runs and learns from each batch.
    public var deviceLearner: DeviceLearning?
    /// Data-parallel training: each global minibatch is split over the collective's ranks (``DataParallel``),
    /// their gradients are summed in rank order, and every rank applies the same update, so weights and optimizer
    /// state stay identical on all ranks. nil: this process trains alone.
    public var collective: Collective?

    public init(
        network: Network, optimizer: Optimizer, objective: Objective, substrate: Substrate, stepCount: Int, seed: UInt64,
        workers: Int, learning: LearningRule = .bptt, dropout: Float = 0
    ) throws {
        try network.validate()
        self.network = network
        self.optimizer = optimizer
        self.objective = objective
        self.substrate = substrate
        self.seed = seed
        self.workers = workers
        self.learning = learning
        self.dropout = dropout
        if dropout > 0 && learning != .bptt {
            throw TrainingError.invalidParameter(field: "dropout", message: "dropout on hidden spikes is implemented for BPTT only")
        }
        switch learning {
        case .bptt: engine = BPTT(network: network, stepCount: stepCount, workers: workers, chunk: max(1, substrate.preferredChunkSize), dropout: dropout)
        case .online(let rule, let feedback):
            engine = OnlineLearning(
                network: network, stepCount: stepCount, workers: workers, chunk: max(1, substrate.preferredChunkSize), rule: rule,
                feedback: feedback, seed: seed &+ 0xFEED, streaming: substrate.capabilities.exactMembranes && substrate.capabilities.streamingWithoutMembranes)
        case .rtrl: engine = RTRLEngine(stepCount: stepCount)
        case .onDevice:
            guard substrate.capabilities.onDeviceLearning else {
                throw TrainingError.invalidParameter(field: "learning", message: "onchip needs a substrate that learns by itself (an emulated chip); \(substrate.name) does not")
            }
            engine = RTRLEngine(stepCount: stepCount)  // never called: `step` hands batches to the device
        }
    }

    /// The sample order of `epoch` for `count` samples.
    public func order(epoch: Int, count: Int) -> [Int] {
        var idx = Array(0..<count)
        var rng = SeededRandom(seed: seed, stream: 0x5EED_0000 &+ UInt64(epoch))
        idx.seededShuffle(&rng)
        return idx
    }

    /// The samples `indices` of `data` this process trains on: all of them, or with a ``collective`` this rank's
    /// contiguous share (``DataParallel/share(count:rank:size:)``).
    public func share(of data: SpikeBatch, batch indices: [Int]) -> SpikeBatch {
        guard let c = collective else { return data.subset(indices) }
        let range = DataParallel.share(count: indices.count, rank: c.rank, size: c.size)
        var batch = data.subset(Array(indices[range]))
        batch.firstSampleIndex = range.lowerBound
        return batch
    }

    /// One optimizer step on `batch`; returns its statistics (loss includes regularizers). With a ``collective``,
    /// `batch` is this rank's share and the statistics are the whole global batch's.
    public func step(_ batch: SpikeBatch, epoch: Int, batchIndex: Int) throws -> RunStatistics {
        // (the device keeps its own weights between batches: nothing is loaded onto it)
        if learning == .onDevice { return try deviceStep(batch, epoch: epoch, batchIndex: batchIndex) }
        var (grads, stats) = try gradients(of: batch, epoch: epoch, batchIndex: batchIndex)
        let l2 = network.addWeightL2(objective.regularizers, to: &grads)
        stats.lossSum += l2 * Double(stats.samples)
        // Divergence is caught at the batch where it happens: nothing non-finite reaches the weights.
        guard stats.lossSum.isFinite else {
            throw TrainingError.diverged(epoch: epoch + 1, batch: batchIndex + 1, reason: "the loss is \(stats.meanLoss)")
        }
        guard grads.allFinite else {
            throw TrainingError.diverged(epoch: epoch + 1, batch: batchIndex + 1, reason: "a gradient is not finite")
        }
        let before = synapticIntelligence == nil ? nil : network
        var applied = grads
        if let si = synapticIntelligence { stats.lossSum += si.addPenalty(of: network, to: &applied) * Double(stats.samples) }
        optimizer.apply(applied, to: &network, learningRate: optimizer.config.learningRate(epoch: epoch), workers: workers)
        if let before { synapticIntelligence!.accumulate(taskGradient: grads, before: before, after: network) }
        guard network.allWeightsFinite else {
            hasDiverged = true
            throw TrainingError.diverged(epoch: epoch + 1, batch: batchIndex + 1, reason: "the update made a weight non-finite")
        }
        return stats
    }

    /// The loss gradient of `batch` at the current weights (without the L2 term), and its statistics. With a
    /// ``collective``, `batch` is this rank's share and both are the global batch's, identical on every rank.
    public func gradients(of batch: SpikeBatch, epoch: Int, batchIndex: Int) throws -> (Gradients, RunStatistics) {
        try substrate.load(network)
        // Seeds the tie-break noise (and the dropout masks) of this batch.
        let noise: UInt64? = objective.loss.tieBreakNoise > 0 || dropout > 0
            ? seed &* 31 &+ UInt64(epoch) &* 1_000_003 &+ UInt64(batchIndex) : nil
        var (grads, stats) = batch.sampleCount > 0
            ? try engine.gradients(network: network, batch: batch, substrate: substrate, objective: objective, noiseSeed: noise)
            : (Gradients(zeroLike: network), RunStatistics())  // a rank whose share of a short last batch is empty
        if let c = collective {
            let local = stats.samples
            stats = try DataParallel.merge(stats, over: c)
            try DataParallel.reduce(&grads, localSamples: local, globalSamples: stats.samples, over: c)
        }
        return (grads, stats)
    }

    /// On-device learning: the device runs and learns from the batch; the host reads back what it holds.
    private func deviceStep(_ batch: SpikeBatch, epoch: Int, batchIndex: Int) throws -> RunStatistics {
        guard collective == nil else {
            throw TrainingError.invalidParameter(field: "learning", message: "onchip: each chip learns by itself, so there are no host gradients to average over data-parallel ranks; run it in one process")
        }
        guard let device = deviceLearner else {
            throw TrainingError.invalidParameter(field: "learning", message: "onchip: no device learner was attached to the trainer")
        }
        let factor = Float(optimizer.config.learningRate(epoch: epoch) / optimizer.config.learningRate)
        let stats = try device.learn(batch, objective: objective, learningRateFactor: factor)
        guard stats.lossSum.isFinite else {
            throw TrainingError.diverged(epoch: epoch + 1, batch: batchIndex + 1, reason: "the loss is \(stats.meanLoss)")
        }
        network = device.heldNetwork(network)
        return stats
    }

    /// Trains one epoch from `startBatch`; `shouldStop` is polled between batches (Ctrl-C).
    /// - Returns: the statistics and the index of the next batch to run (== batch count when complete).
    public func trainEpoch(
        _ data: SpikeBatch, epoch: Int, batchSize: Int, startBatch: Int = 0,
        shouldStop: () -> Bool = { false }, progress: (BatchProgress) -> Void = { _ in }
    ) throws -> (RunStatistics, nextBatch: Int) {
        let order = order(epoch: epoch, count: data.sampleCount)
        let batches = (data.sampleCount + batchSize - 1) / batchSize
        var total = RunStatistics()
        let start = monotonicSeconds()
        var b = startBatch
        while b < batches {
            if let c = collective { if try DataParallel.any(shouldStop(), over: c) { break } } else if shouldStop() { break }
            let idx = Array(order[(b * batchSize)..<min(data.sampleCount, (b + 1) * batchSize)])
            let stats = try step(share(of: data, batch: idx), epoch: epoch, batchIndex: b)
            total.merge(stats)
            b += 1
            let elapsed = monotonicSeconds() - start
            progress(BatchProgress(epoch: epoch, batch: b, batchCount: batches, statistics: total, samplesPerSecond: Double(total.samples) / max(elapsed, 1e-9)))
        }
        return (total, b)
    }
}
