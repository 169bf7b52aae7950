import ArgumentParser
import Foundation
import SpikeRun

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a checkpoint: accuracy, confusion matrix, per-class accuracy and activity.",
        discussion: "The encoding (dataset, steps, dt, latency code) comes from the checkpoint's config unless overridden.")

    @Argument(help: "Checkpoint (.safetensors) written by spikeloop train, or a NIR file (.nir; pass --dataset).") var checkpoint: String
    @Option(help: "Dataset (default: the one the checkpoint was trained on).") var dataset: String?
    @Option(help: "Folder with the dataset: IDX files (mnist, fashion-mnist) or shd_train.h5/shd_test.h5 (shd) (default: the checkpoint's data_dir, else as spikeloop train finds it).") var dataDir: String?
    @Option(help: "Split: test or validation.") var split: String = "test"
    @Option(parsing: .unconditional, help: "Worker threads (default: all cores).") var threads: Int?
    @Flag(help: "Print one JSON object as the last line.") var json = false
    @Option(help: "Substrate to evaluate on: software, chip or chip:SEED (default: the one it was trained on).") var substrate: String?
    @Option(help: "For a .nir file: who wrote it (nir, snntorch, norse, spikeloop).") var nirProducer: NIRProducer = .nir
    @Option(help: "For a .nir file from producer nir: the time step in seconds (required there; other producers have their own).") var nirDt: Double?

    func validate() throws {
        guard DataSplit(rawValue: split) != nil else { throw ValidationError("--split must be test or validation, got '\(split)'") }
        if let t = threads, !(1...RunConfig.Limits.threads).contains(t) {
            throw ValidationError("--threads must be in 1…\(RunConfig.Limits.threads), got \(t)")
        }
    }

    func run() throws {
        let r = try CheckpointEvaluation(
            checkpoint: checkpoint, split: DataSplit(rawValue: split) ?? .test, dataset: dataset, dataDir: dataDir,
            substrate: substrate, threads: threads, nirProducer: nirProducer, nirDt: nirDt)
        let e = r.evaluation
        print("\(r.config.dataset) \(split): \(e.samples) samples")
        print(String(format: "accuracy            %.2f %%", 100 * e.accuracy))
        print(String(format: "hidden spikes/sample %.2f", e.hiddenSpikesPerSample))
        print("output spikes/sample 0 (leaky-integrator readout does not spike)")
        print(String(format: "inference           %.0f samples/s (%d threads) on %@", r.samplesPerSecond, r.workers, r.substrateName))
        if e.substrateSeconds > 0 {
            let n = Double(e.samples)
            print(String(format: "emulated chip time  %.2f µs and %.2f µJ per image (host %.2f µs per image)", 1e6 * e.substrateSeconds / n, 1e6 * e.energyJoules / n, 1e6 * r.seconds / n))
        }
        print("per-class accuracy:")
        for (k, a) in e.perClassAccuracy.enumerated() { print(String(format: "  %d  %6.2f %%", k, 100 * a)) }
        print("confusion matrix (rows: true label, columns: predicted):")
        for row in e.confusion { print("  " + row.map { String(format: "%5d", $0) }.joined(separator: " ")) }
        if json { printJSONLine(r.jsonObject) }
    }
}
