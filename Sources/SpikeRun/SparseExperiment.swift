import Foundation
import SpikeCore
import SpikeSubstrate
import SpikeTraining

/// How a sparse network's mask and initial weights are found.
public enum SparseMethod: String, Sendable, CaseIterable {
    /// Neural Tangent Transfer from the dense initialization (label-free), then training.
    case ntt
    /// A uniformly random mask on the dense initialization, kept weights scaled by `1/√density` so that every
    /// neuron's input variance matches the dense network's.
    case random
    /// No mask (the baseline).
    case dense
}

/// `spikeloop experiment sparse`: finds a sparse network (``SparseMethod``) and trains it with its mask held fixed,
/// in software or in the loop, then reports the test accuracy of the last epoch.
///
/// Masks keep `density` of every weight tensor. Where a layer has more presynaptic sources than the chip's 256
/// synapse rows (700-channel spoken digits), the mask may keep only one source per neuron and row slot
/// (``SynapseRows``), so the network maps onto the chip with per-neuron fan-in ≤ 256; the same masks are used in
/// software. The NTT search always runs in software (its Hessian–vector products are finite differences, which a
/// noisy chip would swamp); the masked network is then trained on `config.substrate`.
public struct SparseExperiment: Sendable {
    public var config: RunConfig
    public var method: SparseMethod
    public var density: Double
    public var ntt: NTTSettings
    /// Unlabeled training samples NTT draws its batches from (the first ones of the training set).
    public var nttPool: Int
    /// Keep the readout (last layer) dense; `density` then applies to the hidden tensors.
    public var denseReadout: Bool

    public init(
        config: RunConfig, method: SparseMethod, density: Double, ntt: NTTSettings? = nil, nttPool: Int = 2000, denseReadout: Bool = false
    ) {
        var c = config
        c.validationSamples = 0
        self.config = c
        self.method = method
        self.density = method == .dense ? 1 : density
        var s = ntt ?? NTTSettings(density: density)
        s.density = self.density
        s.seed = config.seed
        self.ntt = s
        self.nttPool = nttPool
        self.denseReadout = denseReadout
    }

    /// The density of every weight tensor of `network`.
    func densities(_ network: Network) -> [Double] {
        let count = network.weightTensors.count
        return (0..<count).map { denseReadout && $0 == count - 1 ? 1 : density }
    }

    /// What the experiment reports while it runs.
    public enum Event: Sendable {
        case dataLoaded(train: Int, test: Int, channels: Int)
        case nttIteration(Int, NeuralTangentTransfer<SNNTangentModel>.Evaluation)
        case maskReady(density: Double, maxFanIn: Int, seconds: Double)
        case epochDone(epoch: Int, trainAccuracy: Double, loss: Double, seconds: Double)
    }

    public func validate() throws {
        try config.validate()
        guard density > 0, density <= 1 else { throw RunError(.invalidSetting, subject: "--density", "must be in (0, 1], got \(density)") }
        guard ntt.iterations >= 0 else { throw RunError(.invalidSetting, subject: "--ntt-iterations", "must be ≥ 0, got \(ntt.iterations)") }
        guard ntt.batchSize >= 2, ntt.batchSize % 2 == 0 else {
            throw RunError(.invalidSetting, subject: "--ntt-batch", "must be even and ≥ 2 (two halves), got \(ntt.batchSize)")
        }
        guard ntt.projections.map({ $0 >= 1 }) ?? true else {
            throw RunError(.invalidSetting, subject: "--ntt-projections", "must be ≥ 1 (0: exact, one per output)")
        }
        guard nttPool >= ntt.batchSize else {
            throw RunError(.invalidSetting, subject: "--ntt-pool", "must be at least --ntt-batch (\(ntt.batchSize)), got \(nttPool)")
        }
    }

    /// Runs search and training; returns the result (also the JSON line of `--json`).
    public func run(events: (Event) -> Void = { _ in }) throws -> SparseResult {
        try validate()
        BLAS.setThreads(1)
        let data = try RunData.load(config)
        events(.dataLoaded(train: data.train.sampleCount, test: data.test.sampleCount, channels: data.channels))
        let dense = config.makeNetwork(inputs: data.channels, classes: data.classes)
        let t0 = monotonicSeconds()
        let (network, mask) = try sparsify(dense, data: data, events: events)
        let maxFanIn = Self.maxFanIn(network)
        events(.maskReady(density: mask?.density ?? 1, maxFanIn: maxFanIn, seconds: monotonicSeconds() - t0))
        let searchSeconds = monotonicSeconds() - t0
        let substrate = try config.makeSubstrate(for: network)
        let trainer = try Trainer(
            network: network, optimizer: Optimizer(config: config.optimizerConfig, network: network, mask: mask),
            objective: config.objective, substrate: substrate, stepCount: config.steps, seed: config.seed, workers: config.workers,
            learning: config.learningRule, dropout: config.dropout)
        let t1 = monotonicSeconds()
        for e in 0..<config.epochs {
            let te = monotonicSeconds()
            let (stats, _) = try trainer.trainEpoch(data.train, epoch: e, batchSize: config.batchSize)
            events(.epochDone(epoch: e, trainAccuracy: stats.accuracy, loss: stats.meanLoss, seconds: monotonicSeconds() - te))
        }
        try substrate.load(trainer.network)
        let test = try Inference(network: trainer.network, stepCount: config.steps, workers: config.workers)
            .evaluate(data.test, substrate: substrate, loss: config.objective.loss, classes: data.classes)
        return SparseResult(
            dataset: config.dataset, method: method, density: density, measuredDensity: mask?.density ?? 1, seed: config.seed,
            substrate: config.substrate, testAccuracy: test.accuracy, epochs: config.epochs, maxFanIn: maxFanIn,
            hiddenSpikesPerSample: Double(test.hiddenSpikes) / Double(max(1, test.samples)), nttIterations: method == .ntt ? ntt.iterations : 0,
            searchSeconds: searchSeconds, trainSeconds: monotonicSeconds() - t1, sizes: [network.inputCount] + network.layers.map(\.neuronCount))
    }

    /// The network to train and its mask (nil: dense).
    func sparsify(_ dense: Network, data: RunData, events: (Event) -> Void) throws -> (Network, WeightMask?) {
        let rows = ChipConfig().maxFanIn
        let eligible: ([[Float]]) -> [[Bool]] = { tensors in
            var n = dense
            n.weightTensors = tensors
            return SynapseRows.eligible(n, rows: rows)
        }
        switch method {
        case .dense:
            return (dense, nil)
        case .random:
            let d = densities(dense)
            let mask = WeightMask.random(
                sizes: dense.weightTensors.map(\.count), densities: d, seed: config.seed &+ 0x5A5A, eligible: eligible(dense.weightTensors))
            var net = dense
            mask.apply(to: &net)
            net.weightTensors = zip(net.weightTensors, d).map { w, dk in w.map { $0 * Float(1 / dk.squareRoot()) } }
            return (net, mask)
        case .ntt:
            let pool = data.train.subset(Array(0..<min(nttPool, data.train.sampleCount)))
            let teacher = SNNTangentModel(network: dense, inputs: pool, substrate: SoftwareSubstrate(maxConcurrentRuns: 2), objective: config.objective)
            let student = SNNTangentModel(network: dense, inputs: pool, substrate: SoftwareSubstrate(maxConcurrentRuns: 2), objective: config.objective)
            var settings = ntt
            settings.tensorDensities = densities(dense)
            let search = NeuralTangentTransfer(teacher: teacher, student: student, settings: settings, eligible: eligible)
            let (weights, mask) = try search.run(sampleCount: pool.sampleCount) { events(.nttIteration($0, $1)) }
            var net = dense
            net.weightTensors = weights
            return (net, mask)
        }
    }

    /// The largest number of nonzero inputs (feed-forward and recurrent) of any neuron.
    static func maxFanIn(_ network: Network) -> Int {
        network.layers.map { layer in
            let n = layer.neuronCount
            return (0..<n).map { i in
                (0..<layer.inputCount).filter { layer.weights[$0 * n + i] != 0 }.count
                    + (layer.isRecurrent ? (0..<n).filter { layer.recurrentWeights[$0 * n + i] != 0 }.count : 0)
            }.max() ?? 0
        }.max() ?? 0
    }
}

/// The outcome of a ``SparseExperiment`` run.
public struct SparseResult: Sendable {
    public var dataset: String
    public var method: SparseMethod
    public var density: Double
    public var measuredDensity: Double
    public var seed: UInt64
    public var substrate: String
    public var testAccuracy: Double
    public var epochs: Int
    public var maxFanIn: Int
    public var hiddenSpikesPerSample: Double
    public var nttIterations: Int
    public var searchSeconds: Double
    public var trainSeconds: Double
    public var sizes: [Int]

    /// One JSON object (the last line of `spikeloop experiment sparse --json`).
    public var jsonObject: [String: Any] {
        [
            "dataset": dataset, "method": method.rawValue, "density": density, "measured_density": measuredDensity, "seed": Int(seed),
            "substrate": substrate, "test_accuracy": testAccuracy, "epochs": epochs, "max_fan_in": maxFanIn,
            "hidden_spikes_per_sample": hiddenSpikesPerSample, "ntt_iterations": nttIterations, "search_seconds": searchSeconds,
            "train_seconds": trainSeconds, "sizes": sizes,
        ]
    }
}
