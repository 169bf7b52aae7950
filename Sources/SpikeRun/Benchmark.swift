import Foundation
import SpikeCore
import SpikeData
import SpikeTraining

/// The cross-framework workloads: SG-MLP16 (256-246-10 CUBA-LIF, synthetic latency-coded 16×16 inputs) and the
/// recurrent SHD network.
///
/// The default SG-MLP16 workload is T = 100, Δt = 1 ms, τ_m = 10 ms, τ_s = 5 ms, reset to zero, delayed current,
/// batch 256; `paper` is the network of Cramer et al. 2022 (the ``RunConfig`` defaults: T = 20, Δt = 1.7 µs,
/// τ = 6 µs, batch 100). ``shd(inputs:seed:)`` is the `shd` defaults (70 or 700 inputs, 186 recurrent CUBA-LIF,
/// 20 readouts, T = 250, batch 64) on SHD-shaped random input. Networks come from
/// ``RunConfig/makeNetwork(inputs:classes:)``.
public struct BenchmarkWorkload: Sendable {
    public var config: RunConfig
    public var paper: Bool
    /// Input channels and classes of the network.
    public private(set) var inputs = 256
    public private(set) var classes = 10
    /// The recurrent SHD workload.
    public var isSHD: Bool { config.dataset == "shd" }
    /// `sg-mlp16`, `sg-mlp16-paper`, `shd-70` or `shd-700`.
    public var name: String { isSHD ? "shd-\(inputs)" : paper ? "sg-mlp16-paper" : "sg-mlp16" }

    public init(paper: Bool, seed: UInt64) {
        var c = RunConfig()
        c.dataset = "synthetic"
        c.seed = seed
        c.learningRate = 1e-3
        c.lrDecay = 1
        if !paper {
            c.steps = 100
            c.batchSize = 256
            c.dt = 1e-3
            c.tauMem = 10e-3
            c.tauSyn = 5e-3
            c.reset = .zero
            c.currentTiming = .delayed
            c.inputScaling = .oneMinusBeta
            c.hiddenInitMean = 0
            c.initStd = [14.0 / 16.0, 7.0 / 246.0.squareRoot()]
            c.weightLimit = nil
            c.readoutScale = 1
            c.tieBreakNoise = 0
            c.burst = 0
            c.hiddenL2 = 0
            c.surrogate = "superspike:25"
        }
        config = c
        self.paper = paper
    }

    /// The paper's SHD network on `inputs` (70 or 700) channels of SHD-shaped random spikes
    /// (``SyntheticTasks/shdShaped(samples:stepCount:channels:seed:)``).
    public static func shd(inputs: Int, seed: UInt64) -> BenchmarkWorkload {
        var w = BenchmarkWorkload(paper: true, seed: seed)
        w.config = RunConfig.defaults(for: "shd")
        w.config.seed = seed
        (w.inputs, w.classes) = (inputs, 20)
        return w
    }

    public var network: Network { config.makeNetwork(inputs: inputs, classes: classes) }

    /// `samples` inputs, deterministic for `seed` (SG-MLP16: labels `i mod 10` with the paper encoder).
    public func input(samples: Int, seed: UInt64) -> SpikeBatch {
        if isSHD { return SyntheticTasks.shdShaped(samples: samples, stepCount: config.steps, channels: inputs, seed: seed) }
        if !paper { return SyntheticTasks.sgMLP16(samples: samples, stepCount: config.steps, seed: seed) }
        // Same pixel statistics, latency-coded with the paper's encoder.
        let images = SyntheticTasks.sgMLP16Pixels(samples: samples, seed: seed)
        let labels = (0..<samples).map { Int32($0 % 10) }
        return LatencyEncoder(stepCount: config.steps).encode(images: images, pixels: 256, labels: labels)
    }
}

/// Training and inference throughput of the SG-MLP16 workload: what `spikeloop bench` measures.
///
/// Training: two warm-up steps, then ``trainBatches`` timed optimizer steps. Inference on the initial weights
/// (as the cross-framework comparison does): batches of 1,000 over all workers, then single samples on one.
/// Measure in a release build; debug builds are 10–110× slower.
public struct Benchmark: Sendable {
    public var paper = false
    public var trainBatches = 40
    public var inferenceBatches = 10
    public var singleSamples = 5000
    public var seed: UInt64 = 1
    /// `bptt`, `eprop`, `diagonal` or `superspike` (parsed with `LearningRule(name:)`).
    public var learning = "bptt"
    /// Overrides the workload's steps and batch size.
    public var steps: Int? = nil
    public var batchSize: Int? = nil
    /// Stop after the training measurement (peak RSS then reflects training alone).
    public var trainOnly = false
    /// A chip runs the paper network.
    public var substrate = SubstrateSpec.software
    /// nil: all cores.
    public var threads: Int? = nil
    /// The recurrent SHD workload on this many inputs (70 or 700) instead of SG-MLP16; training only.
    public var shdInputs: Int? = nil

    public init() {}

    /// The workload as configured (paper network on a chip), with ``steps`` and ``batchSize`` applied.
    public var workload: BenchmarkWorkload {
        var w = shdInputs.map { BenchmarkWorkload.shd(inputs: $0, seed: seed) }
            ?? BenchmarkWorkload(paper: paper || substrate.isChip, seed: seed)
        if let s = steps { w.config.steps = s }
        if let b = batchSize { w.config.batchSize = b }
        return w
    }

    public func run() throws -> BenchmarkResult {
        try validate()
        BLAS.setThreads(1)
        let workers = threads ?? availableCores
        let w = workload
        let network = w.network
        let batchSize = w.config.batchSize
        let substrate = try self.substrate.makeSubstrate(for: network)
        var result = BenchmarkResult(
            paper: w.paper, substrateName: substrate.name, isChip: self.substrate.isChip, workers: workers,
            batchSize: batchSize, steps: w.config.steps, learning: learning, trainOnly: trainOnly || w.isSHD)
        result.workload = w.name
        let trainer = try Trainer(
            network: network, optimizer: Optimizer(config: w.config.optimizerConfig, network: network),
            objective: w.config.objective, substrate: substrate, stepCount: w.config.steps, seed: seed,
            workers: workers,
            learning: LearningRule(name: learning) ?? .bptt)
        let trainData = w.input(samples: batchSize * (trainBatches + 2), seed: seed &+ 10)
        let batches = (0..<(trainBatches + 2)).map { b in
            trainData.subset(Array((b * batchSize)..<((b + 1) * batchSize)))
        }
        for b in 0..<2 { _ = try trainer.step(batches[b], epoch: 0, batchIndex: b) }  // warm-up
        var t0 = monotonicSeconds()
        var trained = RunStatistics()
        for b in 2..<(trainBatches + 2) { trained.merge(try trainer.step(batches[b], epoch: 0, batchIndex: b)) }
        result.trainingSamplesPerSecond = Double(trainBatches * batchSize) / (monotonicSeconds() - t0)
        result.trainingHiddenSpikesPerSample = trained.hiddenSpikesPerSample
        result.trainingPeakRSSBytes = peakResidentBytes()
        result.peakRSSBytes = result.trainingPeakRSSBytes
        if result.trainOnly { return result }

        try substrate.load(network)
        let loss = w.config.objective.loss
        let inference = Inference(network: network, stepCount: w.config.steps, workers: workers)
        let infData = w.input(samples: 1000 * inferenceBatches, seed: seed &+ 20)
        let infBatches = (0..<inferenceBatches).map { b in infData.subset(Array((b * 1000)..<((b + 1) * 1000))) }
        _ = try inference.evaluate(infBatches[0], substrate: substrate, loss: loss, classes: 10)
        t0 = monotonicSeconds()
        var ev = RunStatistics(classes: 10)
        for b in infBatches {
            let e = try inference.evaluate(b, substrate: substrate, loss: loss, classes: 10)
            ev.samples += e.samples
            ev.hiddenSpikes += e.hiddenSpikes
            ev.substrateSeconds += e.substrateSeconds
            ev.energyJoules += e.energyJoules
        }
        result.inferenceSamplesPerSecond = Double(ev.samples) / (monotonicSeconds() - t0)
        result.inference = ev

        let single = Inference(network: network, stepCount: w.config.steps, workers: 1, chunk: 1)
        let singles = (0..<singleSamples).map { infData.subset([$0 % infData.sampleCount]) }
        _ = try single.evaluate(singles[0], substrate: substrate, loss: loss, classes: 10)
        t0 = monotonicSeconds()
        for s in singles { _ = try single.evaluate(s, substrate: substrate, loss: loss, classes: 10) }
        result.singleSampleInferencesPerSecond = Double(singleSamples) / (monotonicSeconds() - t0)
        result.peakRSSBytes = peakResidentBytes()
        return result
    }
}

/// The figures of a ``Benchmark`` run (inference fields stay 0 with ``Benchmark/trainOnly``).
public struct BenchmarkResult: Sendable {
    public var paper: Bool
    public var substrateName: String
    public var isChip: Bool
    public var workers: Int
    public var batchSize: Int
    public var steps: Int
    public var learning: String
    public var trainOnly: Bool
    public var trainingSamplesPerSecond = 0.0
    /// Hidden spikes per sample in the timed training batches (the event-driven work depends on it).
    public var trainingHiddenSpikesPerSample = 0.0
    /// `sg-mlp16`, `sg-mlp16-paper`, `shd-70` or `shd-700`.
    public var workload = "sg-mlp16"
    /// Peak resident memory after the training measurement, bytes.
    public var trainingPeakRSSBytes = 0
    /// Peak resident memory at the end, bytes.
    public var peakRSSBytes = 0
    /// Batch-1000 inference throughput, patterns per second.
    public var inferenceSamplesPerSecond = 0.0
    /// Batch-1 inference throughput on one worker, patterns per second.
    public var singleSampleInferencesPerSecond = 0.0
    /// Samples, hidden spikes, emulated chip time and energy of the batch-1000 inference.
    public var inference = RunStatistics(classes: 10)

    public var hiddenSpikesPerSample: Double { inference.hiddenSpikesPerSample }
    /// Emulated chip seconds per image (0 in software).
    public var chipSecondsPerImage: Double { inference.substrateSeconds / Double(max(1, inference.samples)) }
    public var chipEnergyJoulesPerImage: Double { inference.energyJoules / Double(max(1, inference.samples)) }

    /// The figures as `spikeloop bench --json` prints them.
    public var jsonObject: [String: Any] {
        let openblas = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        var obj: [String: Any] = [
            "training_samples_per_second": trainingSamplesPerSecond, "steps": steps, "learning": learning,
            "threads": workers, "substrate": substrateName, "batch_size": batchSize,
            "peak_rss_bytes": trainOnly ? trainingPeakRSSBytes : peakRSSBytes, "workload": workload,
            "training_hidden_spikes_per_sample": trainingHiddenSpikesPerSample,
        ]
        if trainOnly { return obj }
        obj["inference_patterns_per_second"] = inferenceSamplesPerSecond
        obj["inference_batch1_patterns_per_second"] = singleSampleInferencesPerSecond
        obj["hidden_spikes_per_sample"] = hiddenSpikesPerSample
        obj["openblas_coretype"] = openblas ?? ""
        if isChip {
            obj["chip_seconds_per_image"] = chipSecondsPerImage
            obj["chip_energy_joules_per_image"] = chipEnergyJoulesPerImage
        }
        return obj
    }
}
