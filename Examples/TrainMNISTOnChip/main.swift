// Trains 16×16 MNIST in the loop on an emulated analog chip, then evaluates the best checkpoint on the same chip
// and on a second chip instance the network has never seen.
//
//   TrainMNISTOnChip [MNIST_DIR] [TRAIN_SAMPLES] [EPOCHS] [RUN_DIR]
//
// MNIST_DIR defaults to $SPIKELOOP_MNIST_DIR; it holds the four IDX files (gzip-compressed or not).
// SPIKELOOP_UNCALIBRATED=1 skips the chips' calibration (seconds per chip in a debug build).
import Foundation
import SpikeRun

let args = Array(CommandLine.arguments.dropFirst())
func argument(_ i: Int) -> String? { args.count > i ? args[i] : nil }
let env = ProcessInfo.processInfo.environment

var config = RunConfig.defaults(for: "mnist")  // the paper's 256-246-10 network and encoding
config.dataDir = argument(0) ?? env["SPIKELOOP_MNIST_DIR"]
config.trainSamples = Int(argument(1) ?? "") ?? 5000
config.validationSamples = max(50, config.trainSamples! / 5)
config.testSamples = 2 * config.validationSamples
config.epochs = Int(argument(2) ?? "") ?? 3
config.batchSize = 10  // many small steps: a few hundred images already train
config.substrate = "chip:1"  // forward passes on chip instance 1; BPTT on what it recorded
config.chipCalibrated = env["SPIKELOOP_UNCALIBRATED"] == nil

let folder = argument(3) ?? NSTemporaryDirectory() + "mnist-on-chip-\(getpid())"
let directory = try RunDirectory.create(at: URL(fileURLWithPath: folder), config: config)
let run = try TrainingRun(config: config, directory: directory)
let data = run.data
print("\(data.train.sampleCount) training images, \(data.test.sampleCount) test images, on \(run.substrate.name)")
func percent(_ x: Double) -> String { String(format: "%.2f %%", 100 * x) }
let outcome = try run.run(epochFinished: { e in
    print("epoch \(e.epoch): train \(percent(e.train.accuracy)), validation \(percent(e.validation.accuracy))")
})
guard case .completed(let result) = outcome else { exit(1) }
let spikes = String(format: "%.1f", result.test.hiddenSpikesPerSample)
print("test accuracy on \(result.substrateName): \(percent(result.test.accuracy)) (\(spikes) hidden spikes per image)")

// The checkpoint carries its config, so it is evaluated with the encoding it was trained on.
let best = directory.bestCheckpointURL.path
let transfer = try CheckpointEvaluation(checkpoint: best, substrate: "chip:2", threads: config.threads)
let accuracy = percent(transfer.evaluation.accuracy)
print("test accuracy on \(transfer.substrateName): \(accuracy) (weights copied from chip:1)")
print("run directory: \(directory.url.path)")
