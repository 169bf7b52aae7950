import ArgumentParser
import Foundation
import SpikeANN

/// `spikeloop experiment vmm`: the published MNIST network on the chip's analog matrix-multiply mode, trained in
/// software (hxtorch's mock model), transferred onto an emulated chip and fine-tuned in the loop (`VMMExperiment`).
struct VMMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vmm",
        abstract: "MNIST on the analog VMM mode: software vs transferred vs trained in the loop, per mismatch scale.",
        discussion: "Prints one JSON line per run (the results/vmm.jsonl format); progress goes to stderr.")

    @Option(help: "Folder with the four MNIST IDX files (28x28).") var dataDir = "../shared/data/mnist"
    @Option(help: "Software (mock-model) training epochs.") var softwareEpochs = 15
    @Option(help: "In-the-loop fine-tuning epochs per mismatch scale.") var loopEpochs = 5
    @Option(help: "Comma-separated mismatch scales of the emulated chip.") var mismatchScales = "1,2,4"
    @Option(help: "Adam step size in chip weight units (±63).") var learningRate: Float = 1.5
    @Option(help: "Seed of the training and of the chip instance.") var seed: UInt64 = 1
    @Option(help: "Use only the first N training images.") var trainLimit: Int?

    func validate() throws {
        guard softwareEpochs >= 0, loopEpochs >= 0 else { throw ValidationError("--software-epochs and --loop-epochs must be ≥ 0") }
        guard let scales, !scales.isEmpty, scales.allSatisfy({ $0 >= 0 }) else {
            throw ValidationError("--mismatch-scales must be non-negative numbers separated by commas, got '\(mismatchScales)'")
        }
        guard learningRate > 0 else { throw ValidationError("--learning-rate must be positive, got \(learningRate)") }
    }

    /// nil when any entry is not a number.
    private var scales: [Double]? {
        let parsed = mismatchScales.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        return parsed.contains(nil) ? nil : parsed.compactMap { $0 }
    }

    func run() throws {
        var s = VMMExperiment.Settings(dataDirectory: dataDir)
        (s.softwareEpochs, s.loopEpochs, s.learningRate, s.seed, s.trainLimit) = (softwareEpochs, loopEpochs, learningRate, seed, trainLimit)
        s.mismatchScales = scales ?? []
        let records = try VMMExperiment.run(s) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for r in records { print(String(decoding: try encoder.encode(r), as: UTF8.self)) }
    }
}
