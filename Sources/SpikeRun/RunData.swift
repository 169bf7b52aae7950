import Foundation
import SpikeCore
import SpikeData
import SpikeTraining

/// The encoded spike data of a run: training, validation and test batches.
///
/// ```swift
/// let data = try RunData.load(config)
/// let network = config.makeNetwork(inputs: data.channels, classes: data.classes)
/// ```
public struct RunData: Sendable {
    public var train: SpikeBatch
    public var validation: SpikeBatch
    public var test: SpikeBatch
    public var classes: Int
    public var channels: Int
    /// Training images before encoding (kept for per-epoch augmentation); nil for spike datasets.
    public var trainImages: ImageSet?
    public var testImages: ImageSet?
    public var encoder: LatencyEncoder?
    /// Wall-clock seconds spent loading and encoding.
    public var loadSeconds: Double

    public init(
        train: SpikeBatch, validation: SpikeBatch, test: SpikeBatch, classes: Int, channels: Int,
        trainImages: ImageSet? = nil, testImages: ImageSet? = nil, encoder: LatencyEncoder? = nil,
        loadSeconds: Double = 0
    ) {
        self.train = train
        self.validation = validation
        self.test = test
        self.classes = classes
        self.channels = channels
        self.trainImages = trainImages
        self.testImages = testImages
        self.encoder = encoder
        self.loadSeconds = loadSeconds
    }

    /// Training batch for `epoch`: spike-domain augmentation (``RunConfig/spikeAugmentation``) or re-encoded
    /// with fresh seeded rotations (``RunConfig/rotation``) when augmenting, else ``train``.
    public func trainBatch(epoch: Int, config: RunConfig) -> SpikeBatch {
        let augmentation = config.spikeAugmentation
        if augmentation.isActive && trainImages == nil {
            return augmentation.apply(to: train, seed: config.seed, epoch: epoch)
        }
        guard config.rotation > 0, let images = trainImages, let enc = encoder else { return train }
        var rng = SeededRandom(seed: config.seed, stream: 0xA06 &+ UInt64(epoch))
        let maxAngle = config.rotation * .pi / 180
        let angles = (0..<images.count).map { _ in (2 * rng.nextUnitDouble() - 1) * maxAngle }
        let rotated = ImageOps.rotate(images, angles: angles)
        return enc.encode(images: rotated.pixels, pixels: rotated.width * rotated.height, labels: rotated.labels)
    }

    /// The deterministic validation split of a training file of `count` samples: a fixed permutation, independent
    /// of the run's seed; validation takes its last `validationSamples` (at most `count − 1`), training the rest,
    /// cut to the first `trainSamples` when given. Both lists are sorted.
    public static func split(count: Int, validationSamples: Int, trainSamples: Int?) -> (
        train: [Int], validation: [Int]
    ) {
        var order = Array(0..<count)
        var rng = SeededRandom(seed: 0x5EA1_DA7A)
        order.seededShuffle(&rng)
        let validationCount = min(validationSamples, max(0, count - 1))
        var train = Array(order.prefix(count - validationCount)).sorted()
        if let limit = trainSamples { train = Array(train.prefix(limit)) }
        return (train, Array(order.suffix(validationCount)).sorted())
    }

    /// Loads, preprocesses, splits and encodes the dataset named in `config`; `needTrain: false` loads only the
    /// test split (evaluation).
    /// - Throws: `DatasetError` naming the missing or malformed file.
    public static func load(_ config: RunConfig, needTrain: Bool = true) throws -> RunData {
        let start = monotonicSeconds()
        var data: RunData
        switch config.dataset {
        case "synthetic": data = synthetic(config)
        case "shd": data = try shd(config, needTrain: needTrain)
        default: data = try images(config, needTrain: needTrain)
        }
        if let n = config.testSamples, n < data.test.sampleCount {
            data.test = data.test.subset(Array(0..<n))
            data.testImages = data.testImages?.subset(Array(0..<n))
        }
        data.loadSeconds = monotonicSeconds() - start
        return data
    }

    /// Training samples of the synthetic task when ``RunConfig/trainSamples`` is nil.
    static let syntheticTrainSamples = 5000

    static func synthetic(_ config: RunConfig) -> RunData {
        let n = config.trainSamples ?? syntheticTrainSamples
        let all = SyntheticTasks.prototypes(
            samples: n + config.validationSamples, stepCount: config.steps, seed: config.seed &+ 100)
        let train = all.subset(Array(0..<n))
        let validation = all.subset(Array(n..<(n + config.validationSamples)))
        let test = SyntheticTasks.prototypes(samples: 1000, stepCount: config.steps, seed: config.seed &+ 200)
        return RunData(train: train, validation: validation, test: test, classes: 10, channels: all.channelCount)
    }

    static func images(_ config: RunConfig, needTrain: Bool) throws -> RunData {
        guard let name = ImageDatasetName(rawValue: config.dataset) else {
            throw DatasetError(
                .unknownName, path: "",
                "unknown dataset '\(config.dataset)' (known: mnist, fashion-mnist, shd, synthetic)")
        }
        let encoder = LatencyEncoder(
            tauIn: config.tauIn, thresholdIn: config.thresholdIn, dt: config.dt, stepCount: config.steps)
        let testSet = try ImageDatasets.load(name, split: "t10k", directory: config.dataDir, size: config.imageSize)
        var trainSet: ImageSet? = nil
        var validationSet: ImageSet? = nil
        if needTrain {
            let full = try ImageDatasets.load(name, split: "train", directory: config.dataDir, size: config.imageSize)
            let s = split(
                count: full.count, validationSamples: config.validationSamples, trainSamples: config.trainSamples)
            validationSet = full.subset(s.validation)
            trainSet = full.subset(s.train)
        }
        let px = config.imageSize * config.imageSize
        func encode(_ s: ImageSet?) -> SpikeBatch {
            guard let s = s else { return SpikeBatch(stepCount: config.steps, channelCount: px) }
            return encoder.encode(images: s.pixels, pixels: px, labels: s.labels)
        }
        return RunData(
            train: encode(trainSet), validation: encode(validationSet), test: encode(testSet), classes: 10,
            channels: px,
            trainImages: trainSet, testImages: testSet, encoder: encoder)
    }

    /// SHD-format files `shd_train.h5` and `shd_test.h5` from ``RunConfig/dataDir`` or `$SPIKELOOP_SHD_DIR`,
    /// binned with the config's time scale, step and channel subsampling; validation carved from the training file.
    static func shd(_ config: RunConfig, needTrain: Bool) throws -> RunData {
        guard let dir = config.dataDir ?? ProcessInfo.processInfo.environment["SPIKELOOP_SHD_DIR"] else {
            throw DatasetError(
                .notFound, path: "",
                "dataset 'shd' needs --data-dir (or $SPIKELOOP_SHD_DIR): a folder with shd_train.h5 and shd_test.h5 (the Spiking Heidelberg Digits files, or ones written by SpikeLoop)"
            )
        }
        let binning = SHDBinning(
            dt: config.dt, stepCount: config.steps, timeScale: config.shdTimeScale,
            channelOffset: config.shdChannelOffset, channelStride: config.shdChannelStride)
        try binning.validate(source: "SHD settings (dt, steps, shdTimeScale, shdChannelOffset, shdChannelStride)")
        let testFile = try SHDFile(path: (dir as NSString).appendingPathComponent("shd_test.h5"))
        let test = try binning.batch(testFile, indices: Array(0..<testFile.sampleCount))
        var train = SpikeBatch(stepCount: config.steps, channelCount: binning.channelCount)
        var validation = train
        if needTrain {
            let trainFile = try SHDFile(path: (dir as NSString).appendingPathComponent("shd_train.h5"))
            let s = split(
                count: trainFile.sampleCount, validationSamples: config.validationSamples,
                trainSamples: config.trainSamples)
            train = try binning.batch(trainFile, indices: s.train)
            validation = try binning.batch(trainFile, indices: s.validation)
        }
        let classes = max(20, Int((train.labels + test.labels).max() ?? 0) + 1)
        return RunData(
            train: train, validation: validation, test: test, classes: classes, channels: binning.channelCount)
    }
}
