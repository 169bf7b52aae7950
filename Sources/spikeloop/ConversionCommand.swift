import ArgumentParser
import Foundation
import SpikeANN
import SpikeData
import SpikeSubstrate

extension ChipProfile: ExpressibleByArgument {}
extension RateEncoder.Kind: ExpressibleByArgument {}
extension ConversionExperiment.Task: ExpressibleByArgument {}

/// `spikeloop experiment conversion`: a ReLU MLP trained in software, converted to a rate-coded spiking network on
/// an emulated chip and fine-tuned in the loop (`ConversionExperiment`, Schmitt et al. 2017).
struct ConversionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conversion",
        abstract: "ANN→SNN conversion onto the chip and in-the-loop fine-tuning (Schmitt et al. 2017).",
        discussion: """
            Prints one JSON line (the results/conversion.jsonl format) and writes the accuracy per iteration as \
            JSON and SVG into --out; progress goes to stderr. An iteration is one pass over --images-per-iteration \
            training images in mini-batches of --batch-size (one Adam step each).
            """)

    @Option(help: "Network and data: 100-15-15-5 (MNIST digits 0-4 at 10x10) or 256-246-10 (MNIST 16x16).") var network: ConversionExperiment.Task = .mnist5
    @Option(help: "Chip generation: bss2 (6-bit weights, 1000x) or bss1 (4-bit weights, 10^4x).") var profile: ChipProfile = .bss2
    @Option(help: "Multiplies every fixed-pattern mismatch spread of the chip (1: the profile's defaults).") var mismatchScale = 1.0
    @Option(help: "Folder with the four MNIST IDX files (default: $SPIKELOOP_MNIST_DIR or the usual places).") var dataDir: String?
    @Option(help: "Seed of the ANN, the data order, the spike trains and the chip instance.") var seed: UInt64 = 1
    @Option(help: "Software (float ANN) training epochs.") var softwareEpochs = 20
    @Option(help: "Convert this ANN instead of training one: a safetensors PyTorch nn.Sequential state dict ('0.weight', '2.weight', … as [out, in] F32, no biases).") var weights: String?
    @Option(help: "In-the-loop fine-tuning iterations.") var iterations = 50
    @Option(help: "Training images per iteration.") var imagesPerIteration = 2000
    @Option(help: "Mini-batch size (one Adam step each).") var batchSize = 100
    @Option(help: "Adam step size of the fine-tuning, ANN weight units.") var learningRate: Float = 5e-4
    @Option(help: "Factor on the step size after each iteration (0 < d <= 1).") var learningRateDecay: Float = 0.97
    @Option(help: "Input encoding: regular or poisson.") var encoding: RateEncoder.Kind = .regular
    @Option(help: "Input spikes per step of a white pixel (0 < r <= 1).") var maxRate = 0.6
    @Option(help: "Steps per presentation.") var steps = 100
    @Option(help: "Percentile of positive activations used for normalization (0 < p <= 100).") var percentile = 99.9
    @Option(help: "Test images evaluated after each iteration.") var evalLimit = 1000
    @Option(help: "Output folder for the accuracy curve (JSON and SVG).") var out = "runs/conversion"

    func validate() throws {
        guard mismatchScale >= 0, mismatchScale.isFinite else { throw ValidationError("--mismatch-scale must be ≥ 0, got \(mismatchScale)") }
        guard softwareEpochs >= 0 else { throw ValidationError("--software-epochs must be ≥ 0, got \(softwareEpochs)") }
        guard iterations >= 0 else { throw ValidationError("--iterations must be ≥ 0, got \(iterations)") }
        guard imagesPerIteration > 0, batchSize > 0 else { throw ValidationError("--images-per-iteration and --batch-size must be positive") }
        guard learningRate > 0, learningRate.isFinite else { throw ValidationError("--learning-rate must be positive, got \(learningRate)") }
        guard learningRateDecay > 0, learningRateDecay <= 1 else { throw ValidationError("--learning-rate-decay must be in (0, 1], got \(learningRateDecay)") }
        guard maxRate > 0, maxRate <= 1 else { throw ValidationError("--max-rate must be in (0, 1] spikes per step, got \(maxRate)") }
        guard steps > 0 else { throw ValidationError("--steps must be positive, got \(steps)") }
        guard percentile > 0, percentile <= 100 else { throw ValidationError("--percentile must be in (0, 100], got \(percentile)") }
        guard evalLimit > 0 else { throw ValidationError("--eval-limit must be positive, got \(evalLimit)") }
    }

    func run() throws {
        var s = ConversionExperiment.Settings()
        (s.task, s.dataDirectory, s.mismatchScale, s.seed, s.weightsFile) = (network, dataDir, mismatchScale, seed, weights)
        (s.softwareEpochs, s.iterations, s.imagesPerIteration, s.batchSize) = (softwareEpochs, iterations, imagesPerIteration, batchSize)
        (s.learningRate, s.learningRateDecay, s.evalLimit) = (learningRate, learningRateDecay, evalLimit)
        (s.conversion.profile, s.conversion.encoding, s.conversion.maxRate) = (profile, encoding, maxRate)
        (s.conversion.stepCount, s.conversion.percentile) = (steps, percentile)
        let result = try ConversionExperiment.run(s) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let files = try ConversionExperiment.writeCurve(result, settings: s, directory: out)
        FileHandle.standardError.write(Data("curve: \(files.joined(separator: ", "))\n".utf8))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(result.record), as: UTF8.self))
    }
}
