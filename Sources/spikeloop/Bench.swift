import ArgumentParser
import Foundation
import SpikeRun
import SpikeTraining

/// `spikeloop bench`: the SG-MLP16 cross-framework workload (core issue), in a release build (`Benchmark`).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure SG-MLP16 training and inference throughput, or recurrent SHD training throughput.",
        discussion: """
            256-246-10 CUBA-LIF, T = 100, synthetic latency-coded 16x16 inputs, Adam, batch 256 \
            (--paper: T = 20, dt = 1.7 us, tau = 6 us, batch 100). --workload shd: the paper's SHD network \
            (--inputs 70 or 700 -> 186 recurrent CUBA-LIF -> 20, T = 250, batch 64) on SHD-shaped random spikes, \
            training only (scripts/bench-shd-vs-torch.sh compares it with PyTorch). With --json the last line is \
            one JSON object.
            """)

    @Option(parsing: .unconditional, help: "Worker threads (default: all cores).") var threads: Int?
    @Flag(help: "Use the paper's configuration (T = 20, dt = 1.7 us, tau_m = tau_s = 6 us, batch 100).") var paper = false
    @Option(parsing: .unconditional, help: "Training batches to time.") var trainBatches: Int = 40
    @Option(parsing: .unconditional, help: "Inference batches of 1000 to time.") var inferenceBatches: Int = 10
    @Option(parsing: .unconditional, help: "Single-sample inferences to time.") var singleSamples: Int = 5000
    @Option(parsing: .unconditional, help: "Seed for inputs and weights.") var seed: UInt64 = 1
    @Flag(help: "End with one JSON line.") var json = false
    @Option(help: "Learning rule for the training measurement: bptt, eprop, diagonal or superspike.") var learning: String = "bptt"
    @Option(parsing: .unconditional, help: "Time steps per sample (default: the workload's, 100 or 20).") var steps: Int?
    @Option(parsing: .unconditional, help: "Training batch size (default: the workload's, 256 or 100).") var batchSize: Int?
    @Flag(help: "Measure training only (for memory-vs-T tables: peak RSS then reflects training alone).") var trainOnly = false
    @Option(help: "Workload: sg-mlp16 or shd.") var workload: String = "sg-mlp16"
    @Option(parsing: .unconditional, help: "Inputs of the shd workload: 70 or 700.") var inputs: Int = 70
    @Option(help: "Substrate: software or chip[:seed] (the emulated chip runs the --paper network with mismatch, noise and ADC on).") var substrate: String = "software"

    func validate() throws {
        guard ["sg-mlp16", "shd"].contains(workload) else { throw ValidationError("--workload must be sg-mlp16 or shd, got '\(workload)'") }
        guard inputs == 70 || inputs == 700 else { throw ValidationError("--inputs must be 70 or 700, got \(inputs)") }
        if let t = threads, !(1...RunConfig.Limits.threads).contains(t) {
            throw ValidationError("--threads must be in 1…\(RunConfig.Limits.threads), got \(t)")
        }
        guard let rule = LearningRule(name: learning), rule != .rtrl, rule != .onDevice else { throw ValidationError("--learning must be bptt, eprop, diagonal or superspike, got '\(learning)'") }
        if let s = steps, s < 1 { throw ValidationError("--steps must be positive, got \(s)") }
        if let b = batchSize, b < 1 { throw ValidationError("--batch-size must be positive, got \(b)") }
        if trainBatches < 1 || inferenceBatches < 1 || singleSamples < 1 {
            throw ValidationError("--train-batches, --inference-batches and --single-samples must be positive")
        }
    }

    func run() throws {
        var bench = Benchmark()
        bench.paper = paper
        bench.trainBatches = trainBatches
        bench.inferenceBatches = inferenceBatches
        bench.singleSamples = singleSamples
        bench.seed = seed
        bench.learning = learning
        bench.steps = steps
        bench.batchSize = batchSize
        bench.trainOnly = trainOnly
        bench.substrate = try SubstrateSpec(parsing: substrate)
        bench.threads = threads
        bench.shdInputs = workload == "shd" ? inputs : nil
        do { try bench.validate() } catch { throw flagError(error) }
        let r = try bench.run()
        if r.trainOnly {
            print(String(format: "%@ training samples/s %.0f (%@, T = %d, batch %d, %d threads, %.0f hidden spikes per sample), peak RSS %.1f MiB", r.workload, r.trainingSamplesPerSecond, learning, r.steps, r.batchSize, r.workers, r.trainingHiddenSpikesPerSample, Double(r.trainingPeakRSSBytes) / 1048576))
            if json { printJSONLine(r.jsonObject) }
            return
        }
        let openblas = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        let table: [(String, String)] = [
            ("workload", r.paper ? "SG-MLP16 --paper (T=20, batch 100)" : "SG-MLP16 (T=100, batch 256)"),
            ("substrate", r.substrateName),
            ("threads", "\(r.workers)"),
            ("training samples/s", String(format: "%.0f", r.trainingSamplesPerSecond)),
            ("  epoch of 60,000 samples", String(format: "%.2f s", 60000 / r.trainingSamplesPerSecond)),
            ("inference patterns/s (batch 1000)", String(format: "%.0f", r.inferenceSamplesPerSecond)),
            ("inference patterns/s (batch 1)", String(format: "%.0f", r.singleSampleInferencesPerSecond)),
            ("hidden spikes per sample", String(format: "%.1f (%.2f per neuron)", r.hiddenSpikesPerSample, r.hiddenSpikesPerSample / 246)),
            ("peak RSS", String(format: "%.1f MiB", Double(r.peakRSSBytes) / 1048576)),
            ("OPENBLAS_CORETYPE", openblas ?? "unset"),
        ] + (r.isChip ? [
            ("emulated chip time per image", String(format: "%.2f µs (physical chip: %.0f images/s)", 1e6 * r.chipSecondsPerImage, 1 / r.chipSecondsPerImage)),
            ("emulated energy per image", String(format: "%.2f µJ", 1e6 * r.chipEnergyJoulesPerImage)),
        ] : [])
        for (k, v) in table { print(k.padding(toLength: 36, withPad: " ", startingAt: 0) + v) }
        if json { printJSONLine(r.jsonObject) }
    }
}
