import Foundation
import SpikeCore
import SpikeData
import SpikeSubstrate

/// ANN→SNN conversion with in-the-loop fine-tuning on an emulated chip (Schmitt et al. 2017, arXiv:1703.01909).
///
/// A bias-free ReLU MLP is trained in software (Adam, float), converted (``SpikingConversion``) onto a calibrated
/// chip instance and evaluated there. Then each *iteration* is one pass over `imagesPerIteration` training images
/// (the next ones of a seeded shuffle of the training set) in mini-batches of `batchSize`, one Adam step per
/// mini-batch (step size decayed by `learningRateDecay` per iteration): every mini-batch runs on the chip, the
/// recorded activity replaces the ANN's activations and the loss back-propagates through the ANN
/// (``SpikingConversion/fineTuneStep(_:optimizer:on:images:labels:seed:)``). The test accuracy on the chip is
/// measured after every iteration on the first `evalLimit` test images, and on the whole test set before and after.
public enum ConversionExperiment {
    /// The two reproduced networks and their data.
    public enum Task: String, CaseIterable, Sendable {
        /// Schmitt et al. 2017: digits 0–4 of MNIST, cropped 4 px per side (28→20) and area-averaged 2×2 → 10×10.
        case mnist5 = "100-15-15-5"
        /// Cramer et al. 2022's size: all of MNIST, cropped 2 px and area-resized to 16×16.
        case mnist16 = "256-246-10"

        public var sizes: [Int] { self == .mnist5 ? [100, 15, 15, 5] : [256, 246, 10] }

        /// Training or test images `[count][side²]` in [0, 1] with labels.
        public func load(directory: String?, split: String) throws -> ImageSet {
            guard self == .mnist5 else { return try ImageDatasets.load(.mnist, split: split, directory: directory, size: 16) }
            let raw = try ImageDatasets.loadRaw(.mnist, split: split, directory: directory)
            let keep = raw.labels.indices.filter { raw.labels[$0] < 5 }
            return ImageOps.cropAndResize(raw.subset(keep), crop: 4, to: 10)
        }
    }

    public struct Settings: Sendable {
        public var task: Task = .mnist5
        public var conversion = SpikingConversion.Settings()
        public var dataDirectory: String?
        /// Multiplies every fixed-pattern spread of the profile's chip.
        public var mismatchScale = 1.0
        public var seed: UInt64 = 1
        public var softwareEpochs = 20
        public var softwareLearningRate: Float = 2e-3
        public var iterations = 50
        public var imagesPerIteration = 2000
        public var batchSize = 100
        /// Adam step size of fine-tuning, in ANN weight units, multiplied by `learningRateDecay` after each iteration.
        public var learningRate: Float = 5e-4
        public var learningRateDecay: Float = 0.97
        /// Test images evaluated after each iteration (the full test set before and after).
        public var evalLimit = 1000
        /// A trained ANN to convert instead of training one (``ANNNetwork/init(safetensors:)``).
        public var weightsFile: String?
        /// Images whose ANN activations set the normalization.
        public var normalizationImages = 2000
        public init() {}
    }

    /// One `results/conversion.jsonl` line (accuracies are fractions).
    public struct Record: Codable, Sendable {
        public var job: String
        public var network: String
        public var profile: String
        public var seed: UInt64
        public var ann_accuracy: Double
        public var converted_accuracy: Double
        public var finetuned_accuracy: Double
        public var iterations: Int
    }

    public struct Result: Sendable {
        public var record: Record
        /// Test accuracy on the first `evalLimit` images after iteration `i` (index 0: converted, before any).
        public var curve: [Double]
        /// The software ANN's accuracy on those images.
        public var annSubsetAccuracy: Double
        public var conversion: SpikingConversion
    }

    /// Trains, converts and fine-tunes; `log` receives one line per stage and iteration.
    public static func run(_ s: Settings, log: (String) -> Void = { _ in }) throws -> Result {
        let train = try s.task.load(directory: s.dataDirectory, split: "train")
        let test = try s.task.load(directory: s.dataDirectory, split: "t10k")
        let width = train.width * train.height
        log("\(s.task.rawValue): \(train.count) training, \(test.count) test images of \(train.width)×\(train.height)")
        var ann = try s.weightsFile.map { try ANNNetwork(safetensors: $0) } ?? trainSoftware(s, train: train, log: log)
        guard ann.inputCount == width, ann.layers.count >= 3 else {
            throw SubstrateError("the ANN in \(s.weightsFile ?? "") takes \(ann.inputCount) inputs; \(s.task.rawValue) has \(width) pixels")
        }
        let annAccuracy = try ANNTraining.evaluate(ann, images: test.pixels, labels: test.labels, backend: .float(gain: 1)).accuracy
        let subset = min(s.evalLimit, test.count)
        let annSubset = try ANNTraining.evaluate(ann, images: Array(test.pixels.prefix(subset * width)), labels: Array(test.labels.prefix(subset)),
                                                 backend: .float(gain: 1)).accuracy
        log(String(format: "software ANN: test accuracy %.4f (first %d: %.4f)", annAccuracy, subset, annSubset))
        let norm = Array(train.pixels.prefix(min(train.count, s.normalizationImages) * width))
        let conversion = try SpikingConversion(ann: ann, images: norm, settings: s.conversion)
        log("normalization λ \(conversion.lambdas), rates per step \(conversion.rates)")
        let p = s.conversion.profile
        let chip = EmulatedChip(seed: s.seed, config: p.config.scalingMismatch(by: s.mismatchScale), calibrated: true,
                                tauMem: p.tauMem, tauSyn: p.tauSyn)
        func accuracy(_ set: ImageSet, limit: Int, seed: UInt64) throws -> Double {
            let n = min(limit, set.count)
            let rec = try conversion.record(ann, on: chip, images: Array(set.pixels.prefix(n * width)), labels: Array(set.labels.prefix(n)), seed: seed)
            return Double(ann.softmaxCrossEntropy(rec.output, labels: Array(set.labels.prefix(n))).correct) / Double(n)
        }
        let evalSeed = s.seed &* 7919 &+ 0xE7A1
        let converted = try accuracy(test, limit: test.count, seed: evalSeed)
        log(String(format: "converted (%@, mismatch ×%.1f): test accuracy %.4f", p.rawValue, s.mismatchScale, converted))
        var curve = [try accuracy(test, limit: s.evalLimit, seed: evalSeed)]
        var adam = ANNAdam(learningRate: s.learningRate, weightLimit: nil)
        var order = Array(0..<train.count)
        var rng = SeededRandom(seed: s.seed, stream: 0xF17E)
        order.seededShuffle(&rng)
        var cursor = 0, step: UInt64 = 0
        for it in 1...max(1, s.iterations) where s.iterations > 0 {
            let start = monotonicSeconds()
            var loss = 0.0, correct = 0
            for b in stride(from: 0, to: s.imagesPerIteration, by: s.batchSize) {
                let idx = (0..<min(s.batchSize, s.imagesPerIteration - b)).map { order[(cursor + $0) % train.count] }
                cursor += idx.count
                let batch = train.subset(idx)
                step += 1
                let r = try conversion.fineTuneStep(&ann, optimizer: &adam, on: chip, images: batch.pixels, labels: batch.labels,
                                                    seed: s.seed &* 1_000_003 &+ step &* 4099)
                loss += r.loss * Double(idx.count)
                correct += r.correct
            }
            adam.learningRate *= s.learningRateDecay
            curve.append(try accuracy(test, limit: s.evalLimit, seed: evalSeed))
            log(String(format: "iteration %d: loss %.4f, train accuracy on chip %.4f, test (first %d) %.4f (%.1f s)", it,
                       loss / Double(s.imagesPerIteration), Double(correct) / Double(s.imagesPerIteration),
                       min(s.evalLimit, test.count), curve[it], monotonicSeconds() - start))
        }
        let tuned = s.iterations > 0 ? try accuracy(test, limit: test.count, seed: evalSeed) : converted
        log(String(format: "fine-tuned: test accuracy %.4f after %d iterations", tuned, s.iterations))
        let job = "conversion-mismatch-" + String(format: "%g", s.mismatchScale)
        let record = Record(job: job, network: s.task.rawValue, profile: p.rawValue, seed: s.seed, ann_accuracy: annAccuracy,
                            converted_accuracy: converted, finetuned_accuracy: tuned, iterations: s.iterations)
        return Result(record: record, curve: curve, annSubsetAccuracy: annSubset, conversion: conversion)
    }

    /// The task's bias-free ReLU MLP (He initialization), trained in float for `softwareEpochs`.
    static func trainSoftware(_ s: Settings, train: ImageSet, log: (String) -> Void) throws -> ANNNetwork {
        let sizes = s.task.sizes
        var layers: [ANNLayer] = []
        for k in 0..<(sizes.count - 1) {
            if k > 0 { layers.append(.relu) }
            layers.append(.linear(inputs: sizes[k], outputs: sizes[k + 1]))
        }
        let std = sizes.dropLast().map { Float((2 / Double($0)).squareRoot()) }
        var ann = ANNNetwork(layers: layers, inputCount: sizes[0], weightStd: std, logitScale: 1, seed: s.seed)
        var adam = ANNAdam(learningRate: s.softwareLearningRate, weightLimit: nil)
        for e in 0..<s.softwareEpochs {
            let r = try ANNTraining.epoch(&ann, optimizer: &adam, images: train.pixels, labels: train.labels, batchSize: s.batchSize,
                                          backend: .float(gain: 1), seed: s.seed &* 1000 &+ UInt64(e))
            log(String(format: "software epoch %d: loss %.4f train accuracy %.4f", e + 1, r.loss, r.accuracy))
            adam.learningRate *= 0.9
        }
        return ann
    }
}
