import Foundation
import SpikeCore
import SpikeData
import SpikeTraining

/// The encoded spike data of a run: training, validation and test batches.
struct EncodedData {
    var train: SpikeBatch
    var validation: SpikeBatch
    var test: SpikeBatch
    var classes: Int
    var channels: Int
    /// Training images before encoding (kept for per-epoch augmentation); nil for spike datasets.
    var trainImages: ImageSet?
    var testImages: ImageSet?
    var encoder: LatencyEncoder?
    var loadSeconds: Double

    /// Training batch for `epoch`: re-encoded with fresh seeded rotations when augmenting.
    func trainBatch(epoch: Int, config: TrainConfig) -> SpikeBatch {
        if config.channelJitter > 0 && trainImages == nil {
            var rng = SeededRandom(seed: config.seed, stream: 0xC4A7 &+ UInt64(epoch))
            let j = config.channelJitter
            return train.shiftingChannels(by: (0..<train.sampleCount).map { _ in rng.nextIndex(below: 2 * j + 1) - j })
        }
        guard config.rotation > 0, let images = trainImages, let enc = encoder else { return train }
        var rng = SeededRandom(seed: config.seed, stream: 0xA06 &+ UInt64(epoch))
        let maxAngle = config.rotation * .pi / 180
        let angles = (0..<images.count).map { _ in (2 * rng.nextUnitDouble() - 1) * maxAngle }
        let rotated = ImageOps.rotate(images, angles: angles)
        return enc.encode(images: rotated.pixels, pixels: rotated.width * rotated.height, labels: rotated.labels)
    }
}

enum DataPipeline {
    /// Loads, preprocesses, splits and encodes the dataset named in `config`.
    static func load(_ config: TrainConfig, needTrain: Bool = true) throws -> EncodedData {
        let start = monotonicSeconds()
        if config.dataset == "synthetic" {
            let n = config.trainSamples ?? 5000
            let all = SyntheticTasks.prototypes(samples: n + config.validationSamples, stepCount: config.steps, seed: config.seed &+ 100)
            let train = all.subset(Array(0..<n))
            let val = all.subset(Array(n..<(n + config.validationSamples)))
            let test = SyntheticTasks.prototypes(samples: 1000, stepCount: config.steps, seed: config.seed &+ 200)
            return EncodedData(train: train, validation: val, test: test, classes: 10, channels: all.channelCount, trainImages: nil, testImages: nil, encoder: nil, loadSeconds: monotonicSeconds() - start)
        }
        if config.dataset == "shd" { return try loadSHD(config, needTrain: needTrain, start: start) }
        guard let name = ImageDatasetName(rawValue: config.dataset) else {
            throw DatasetError(.unknownName, path: "", "unknown dataset '\(config.dataset)' (known: mnist, fashion-mnist, shd, synthetic)")
        }
        let encoder = LatencyEncoder(tauIn: config.tauIn, thresholdIn: config.thresholdIn, dt: config.dt, stepCount: config.steps)
        let testSet = try ImageDatasets.load(name, split: "t10k", directory: config.dataDir, size: config.imageSize)
        var trainSet: ImageSet? = nil
        var valSet: ImageSet? = nil
        if needTrain {
            let full = try ImageDatasets.load(name, split: "train", directory: config.dataDir, size: config.imageSize)
            // Deterministic validation split: a fixed permutation (independent of the run's seed).
            var order = Array(0..<full.count)
            var rng = SeededRandom(seed: 0x5EA1_DA7A)
            order.seededShuffle(&rng)
            let nVal = min(config.validationSamples, full.count - 1)
            valSet = full.subset(Array(order.suffix(nVal)).sorted())
            var trainIdx = Array(order.prefix(full.count - nVal)).sorted()
            if let limit = config.trainSamples { trainIdx = Array(trainIdx.prefix(limit)) }
            trainSet = full.subset(trainIdx)
        }
        let px = config.imageSize * config.imageSize
        func encode(_ s: ImageSet?) -> SpikeBatch {
            guard let s = s else { return SpikeBatch(stepCount: config.steps, channelCount: px) }
            return encoder.encode(images: s.pixels, pixels: px, labels: s.labels)
        }
        return EncodedData(
            train: encode(trainSet), validation: encode(valSet), test: encode(testSet), classes: 10, channels: px,
            trainImages: trainSet, testImages: testSet, encoder: encoder, loadSeconds: monotonicSeconds() - start)
    }

    /// SHD-format files `shd_train.h5` and `shd_test.h5` from `--data-dir` or `$SPIKELOOP_SHD_DIR`, binned with the
    /// config's time scale, step and channel subsampling; validation carved from the training file.
    static func loadSHD(_ config: TrainConfig, needTrain: Bool, start: Double) throws -> EncodedData {
        guard let dir = config.dataDir ?? ProcessInfo.processInfo.environment["SPIKELOOP_SHD_DIR"] else {
            throw DatasetError(.notFound, path: "", "dataset 'shd' needs --data-dir (or $SPIKELOOP_SHD_DIR): a folder with shd_train.h5 and shd_test.h5 (the Spiking Heidelberg Digits files, or ones written by SpikeLoop)")
        }
        let binning = SHDBinning(dt: config.dt, stepCount: config.steps, timeScale: config.shdTimeScale, channelOffset: config.shdChannelOffset, channelStride: config.shdChannelStride)
        let testFile = try SHDFile(path: (dir as NSString).appendingPathComponent("shd_test.h5"))
        let test = try binning.batch(testFile, indices: Array(0..<testFile.sampleCount))
        var train = SpikeBatch(stepCount: config.steps, channelCount: binning.channelCount)
        var validation = train
        if needTrain {
            let trainFile = try SHDFile(path: (dir as NSString).appendingPathComponent("shd_train.h5"))
            var order = Array(0..<trainFile.sampleCount)
            var rng = SeededRandom(seed: 0x5EA1_DA7A)
            order.seededShuffle(&rng)
            let nVal = min(config.validationSamples, max(0, trainFile.sampleCount - 1))
            var trainIdx = Array(order.prefix(trainFile.sampleCount - nVal)).sorted()
            if let limit = config.trainSamples { trainIdx = Array(trainIdx.prefix(limit)) }
            train = try binning.batch(trainFile, indices: trainIdx)
            validation = try binning.batch(trainFile, indices: Array(order.suffix(nVal)).sorted())
        }
        let classes = max(20, Int((train.labels + test.labels).max() ?? 0) + 1)
        return EncodedData(
            train: train, validation: validation, test: test, classes: classes, channels: binning.channelCount,
            trainImages: nil, testImages: nil, encoder: nil, loadSeconds: monotonicSeconds() - start)
    }
}
