import ArgumentParser
import Foundation
import SpikeCore
import SpikeData
import SpikeTraining

/// `spikeloop bench`: the SG-MLP16 cross-framework workload (core issue), in a release build.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure SG-MLP16 training and inference throughput.",
        discussion: """
            256-246-10 CUBA-LIF, T = 100, synthetic latency-coded 16x16 inputs, Adam, batch 256 \
            (--paper: T = 20, dt = 1.7 us, tau = 6 us, batch 100). With --json the last line is one JSON object.
            """)

    @Option(help: "Worker threads (default: all cores).") var threads: Int?
    @Flag(help: "Use the paper's configuration (T = 20, dt = 1.7 us, tau_m = tau_s = 6 us, batch 100).") var paper = false
    @Option(help: "Training batches to time.") var trainBatches: Int = 40
    @Option(help: "Inference batches of 1000 to time.") var inferenceBatches: Int = 10
    @Option(help: "Single-sample inferences to time.") var singleSamples: Int = 5000
    @Option(help: "Seed for inputs and weights.") var seed: UInt64 = 1
    @Flag(help: "End with one JSON line.") var json = false
    @Option(help: "Learning rule for the training measurement: bptt, eprop, diagonal or superspike.") var learning: String = "bptt"
    @Option(help: "Time steps per sample (default: the workload's, 100 or 20).") var steps: Int?
    @Option(help: "Training batch size (default: the workload's, 256 or 100).") var batchSize: Int?
    @Flag(help: "Measure training only (for memory-vs-T tables: peak RSS then reflects training alone).") var trainOnly = false
    @Option(help: "Substrate: software or chip[:seed] (the emulated chip runs the --paper network with mismatch, noise and ADC on).") var substrate: String = "software"

    func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1, got \(t)") }
        guard let rule = LearningRule(name: learning), rule != .rtrl else { throw ValidationError("--learning must be bptt, eprop, diagonal or superspike, got '\(learning)'") }
        if let s = steps, s < 1 { throw ValidationError("--steps must be positive, got \(s)") }
        if let b = batchSize, b < 1 { throw ValidationError("--batch-size must be positive, got \(b)") }
        if trainBatches < 1 || inferenceBatches < 1 || singleSamples < 1 {
            throw ValidationError("--train-batches, --inference-batches and --single-samples must be positive")
        }
    }

    func run() throws {
        BLAS.setThreads(1)
        let workers = threads ?? availableCores
        let onChip = substrate != "software"
        var w = Workload.sgMLP16(paper: paper || onChip, seed: seed)
        if let s = steps { w.stepCount = s }
        if let b = batchSize { w.batchSize = b }
        let batchSize = w.batchSize  // resolved
        let trainData = w.input(samples: batchSize * (trainBatches + 2), seed: seed &+ 10)
        var chipConfig = TrainConfig()
        chipConfig.substrate = self.substrate
        try chipConfig.validate()
        let substrate = try makeSubstrate(chipConfig, network: w.network)
        let trainer = try Trainer(
            network: w.network, optimizer: Optimizer(config: OptimizerConfig(kind: .adam, learningRate: 1e-3), network: w.network),
            objective: w.objective, substrate: substrate, stepCount: w.stepCount, seed: seed, workers: workers,
            learning: LearningRule(name: learning)!)
        let batches = (0..<(trainBatches + 2)).map { b in trainData.subset(Array((b * batchSize)..<((b + 1) * batchSize))) }
        // warm-up: two steps
        for b in 0..<2 { _ = try trainer.step(batches[b], epoch: 0, batchIndex: b) }
        var t0 = monotonicSeconds()
        var trainStats = BatchStatistics()
        for b in 2..<(trainBatches + 2) { trainStats.merge(try trainer.step(batches[b], epoch: 0, batchIndex: b)) }
        let trainSeconds = monotonicSeconds() - t0
        let trainRate = Double(trainBatches * batchSize) / trainSeconds

        let trainRSS = peakResidentBytes()
        if trainOnly {
            print(String(format: "training samples/s %.0f (%@, T = %d, %d threads), peak RSS %.1f MiB", trainRate, learning, w.stepCount, workers, Double(trainRSS) / 1048576))
            if json {
                printJSONLine(["training_samples_per_second": trainRate, "peak_rss_bytes": trainRSS, "steps": w.stepCount, "learning": learning, "threads": workers, "substrate": substrate.name, "batch_size": w.batchSize])
            }
            return
        }
        // Inference on the initial (untrained) weights, as the cross-framework comparison does.
        try substrate.load(w.network)
        let inf = Inference(network: w.network, stepCount: w.stepCount, workers: workers)
        let infData = w.input(samples: 1000 * inferenceBatches, seed: seed &+ 20)
        let infBatches = (0..<inferenceBatches).map { b in infData.subset(Array((b * 1000)..<((b + 1) * 1000))) }
        _ = try inf.evaluate(infBatches[0], substrate: substrate, loss: w.objective.loss, classes: 10)
        t0 = monotonicSeconds()
        var ev = Evaluation(classes: 10)
        for b in infBatches {
            let e = try inf.evaluate(b, substrate: substrate, loss: w.objective.loss, classes: 10)
            ev.samples += e.samples
            ev.hiddenSpikes += e.hiddenSpikes
            ev.substrateSeconds += e.substrateSeconds
            ev.energyJoules += e.energyJoules
        }
        let infSeconds = monotonicSeconds() - t0
        let infRate = Double(ev.samples) / infSeconds

        let single = Inference(network: w.network, stepCount: w.stepCount, workers: 1, chunk: 1)
        let singles = (0..<singleSamples).map { infData.subset([$0 % infData.sampleCount]) }
        _ = try single.evaluate(singles[0], substrate: substrate, loss: w.objective.loss, classes: 10)
        t0 = monotonicSeconds()
        for s in singles { _ = try single.evaluate(s, substrate: substrate, loss: w.objective.loss, classes: 10) }
        let singleRate = Double(singleSamples) / (monotonicSeconds() - t0)

        let env = ProcessInfo.processInfo.environment
        let report: [(String, String)] = [
            ("workload", w.paper ? "SG-MLP16 --paper (T=20, batch 100)" : "SG-MLP16 (T=100, batch 256)"),
            ("substrate", substrate.name),
            ("threads", "\(workers)"),
            ("training samples/s", String(format: "%.0f", trainRate)),
            ("  epoch of 60,000 samples", String(format: "%.2f s", 60000 / trainRate)),
            ("inference patterns/s (batch 1000)", String(format: "%.0f", infRate)),
            ("inference patterns/s (batch 1)", String(format: "%.0f", singleRate)),
            ("hidden spikes per sample", String(format: "%.1f (%.2f per neuron)", ev.hiddenSpikesPerSample, ev.hiddenSpikesPerSample / 246)),
            ("peak RSS", String(format: "%.1f MiB", Double(peakResidentBytes()) / 1048576)),
            ("OPENBLAS_CORETYPE", env["OPENBLAS_CORETYPE"] ?? "unset"),
        ] + (onChip ? [
            ("emulated chip time per image", String(format: "%.2f µs (physical chip: %.0f images/s)", 1e6 * ev.substrateSeconds / Double(ev.samples), Double(ev.samples) / ev.substrateSeconds)),
            ("emulated energy per image", String(format: "%.2f µJ", 1e6 * ev.energyJoules / Double(ev.samples))),
        ] : [])
        for (k, v) in report { print(k.padding(toLength: 36, withPad: " ", startingAt: 0) + v) }
        if json {
            var obj: [String: Any] = [
                "workload": w.paper ? "sg-mlp16-paper" : "sg-mlp16",
                "training_samples_per_second": trainRate,
                "inference_patterns_per_second": infRate,
                "inference_batch1_patterns_per_second": singleRate,
                "hidden_spikes_per_sample": ev.hiddenSpikesPerSample,
                "peak_rss_bytes": peakResidentBytes(),
                "threads": workers,
                "batch_size": batchSize,
                "steps": w.stepCount,
                "substrate": substrate.name, "learning": learning,
                "openblas_coretype": env["OPENBLAS_CORETYPE"] ?? "",
            ]
            if onChip {
                obj["chip_seconds_per_image"] = ev.substrateSeconds / Double(ev.samples)
                obj["chip_energy_joules_per_image"] = ev.energyJoules / Double(ev.samples)
            }
            let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}

/// The benchmark network, objective and input generator.
struct Workload {
    var network: Network
    var objective: Objective
    var stepCount: Int
    var batchSize: Int
    var paper: Bool

    static func sgMLP16(paper: Bool, seed: UInt64) -> Workload {
        if paper {
            let p = LIFParameters.paper
            let beta = exp(-1.7 / 6.0)
            let net = Network.feedForward(
                sizes: [256, 246, 10], dt: 1.7e-6, hidden: p, readout: p,
                initializers: [WeightInit.paper(inputCount: 256, beta: beta, mean: 1e-3), WeightInit.paper(inputCount: 246, beta: beta)],
                weightLimit: 63.0 / 240.0, seed: seed)
            let obj = Objective(loss: ReadoutLoss(reduction: .maxOverTime, scale: 10, tieBreakNoise: 1e-5), regularizers: Regularizers(burst: 5e-4, hiddenL2: 0.1), surrogate: .superSpike(beta: 50))
            return Workload(network: net, objective: obj, stepCount: 20, batchSize: 100, paper: true)
        }
        let p = LIFParameters(tauMem: 10e-3, tauSyn: 5e-3, vThreshold: 1, reset: .zero, resetGradient: .detached, currentTiming: .delayed, inputScaling: .oneMinusBeta)
        let net = Network.feedForward(
            sizes: [256, 246, 10], dt: 1e-3, hidden: p, readout: p,
            initializers: [WeightInit(std: 14.0 / 16.0), WeightInit(std: Float(7.0 / 246.0.squareRoot()))], seed: seed)
        let obj = Objective(loss: ReadoutLoss(reduction: .maxOverTime, scale: 1, tieBreakNoise: 0), regularizers: Regularizers(), surrogate: .superSpike(beta: 25))
        return Workload(network: net, objective: obj, stepCount: 100, batchSize: 256, paper: false)
    }

    func input(samples: Int, seed: UInt64) -> SpikeBatch {
        if !paper { return SyntheticTasks.sgMLP16(samples: samples, stepCount: stepCount, seed: seed) }
        // Same pixel statistics, latency-coded with the paper's encoder.
        let images = SyntheticTasks.sgMLP16Pixels(samples: samples, seed: seed)
        let labels = (0..<samples).map { Int32($0 % 10) }
        return LatencyEncoder(stepCount: stepCount).encode(images: images, pixels: 256, labels: labels)
    }
}
