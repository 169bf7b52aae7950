// Defines a two-layer recurrent spiking network by hand and trains it on SHD-format spike data.
//
//   RecurrentSHD SHD_DIR [EPOCHS] [RUN_DIR]
//
// SHD_DIR holds shd_train.h5 and shd_test.h5 (the Spiking Heidelberg Digits files, or ones written by
// `spikeloop dataset spoken-digits`).
import Foundation
import SpikeRun

let args = Array(CommandLine.arguments.dropFirst())
guard let shdDir = args.first else {
    print("usage: RecurrentSHD SHD_DIR [EPOCHS] [RUN_DIR]")
    exit(2)
}
var config = RunConfig.defaults(for: "shd")  // 70 of 700 channels, time ÷ 2000, sum-over-time loss
config.dataDir = shdDir
config.epochs = args.count > 1 ? Int(args[1]) ?? 5 : 5
config.steps = 60
config.dt = 8e-6
config.readoutScale = 0.2
config.validationSamples = 0  // train on every sample; the last epoch's network is tested
let data = try RunData.load(config)

// Input → 64 recurrent LIF neurons (τ_m 20 µs) → 32 recurrent LIF neurons (τ_m 40 µs) → leaky readout.
var rng = SeededRandom(seed: 7)
func gaussian(_ count: Int, sd: Double) -> [Float] { (0..<count).map { _ in Float(sd * rng.nextGaussian()) } }
let fast = LIFParameters(tauMem: 20e-6, tauSyn: 10e-6)
let slow = LIFParameters(tauMem: 40e-6, tauSyn: 10e-6)
let network = Network(
    dt: config.dt,
    layers: [
        Layer(
            kind: .recurrentLIF, inputCount: data.channels, neuronCount: 64, parameters: fast,
            weights: gaussian(data.channels * 64, sd: 0.3), recurrentWeights: gaussian(64 * 64, sd: 0.05)),
        Layer(
            kind: .recurrentLIF, inputCount: 64, neuronCount: 32, parameters: slow,
            weights: gaussian(64 * 32, sd: 0.15), recurrentWeights: gaussian(32 * 32, sd: 0.05)),
        Layer(
            kind: .leakyReadout, inputCount: 32, neuronCount: data.classes, parameters: slow,
            weights: gaussian(32 * data.classes, sd: 0.2)),
    ])

let folder = args.count > 2 ? args[2] : NSTemporaryDirectory() + "recurrent-shd-\(getpid())"
let directory = try RunDirectory.create(at: URL(fileURLWithPath: folder), config: config)
let run = try TrainingRun(config: config, directory: directory, data: data, network: network)
let outcome = try run.run(epochFinished: { e in
    print(
        String(
            format: "epoch %d: loss %.3f, train %.1f %%, %.1f hidden spikes per sample", e.epoch, e.train.meanLoss,
            100 * e.train.accuracy, e.train.hiddenSpikesPerSample))
})
guard case .completed(let result) = outcome else { exit(1) }
print(
    String(
        format: "test accuracy %.2f %% on %d samples (%d classes)", 100 * result.test.accuracy, result.test.samples,
        data.classes))
print("run directory: \(directory.url.path)")
