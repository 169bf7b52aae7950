import ArgumentParser
import SpikeRun
import SpikeTraining

extension ResetMode: ExpressibleByArgument {}
extension ResetGradient: ExpressibleByArgument {}
extension CurrentTiming: ExpressibleByArgument {}
extension InputScaling: ExpressibleByArgument {}
extension ReadoutReduction: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension Feedback: ExpressibleByArgument {}

/// `text (default: …)`, the default read from the library (``RunConfig/defaultDescription(forKey:)``), so the help
/// cannot drift from the code. The flags stay optional, so that a config file's values show through.
func help(_ text: String, key: String) -> ArgumentHelp {
    ArgumentHelp("\(text) (default: \(RunConfig.defaultDescription(forKey: key)); config key \(RunConfig.fileKey(key)))")
}

/// Flags that override the config; every one is optional so that the file and defaults show through. Each flag is
/// its config key in kebab case (`--batch-size` sets `batch_size`); `spikeloop config keys` lists every key.
struct ConfigFlags: ParsableArguments {
    @Option(help: help("Dataset: fashion-mnist, mnist, shd (SHD-format HDF5 files) or synthetic", key: "dataset")) var dataset: String?
    @Option(help: help("Folder with the dataset: the four IDX files for mnist/fashion-mnist (else $SPIKELOOP_MNIST_DIR / $SPIKELOOP_FASHION_MNIST_DIR, or the Debian location /usr/share/datasets/fashion-mnist), shd_train.h5 and shd_test.h5 for shd (else $SPIKELOOP_SHD_DIR)", key: "dataDir")) var dataDir: String?
    @Option(help: "YAML or JSON file with settings (the keys of config.json; spikeloop config keys lists them).") var config: String?
    @Option(parsing: .unconditional, help: help("Epochs", key: "epochs")) var epochs: Int?
    @Option(parsing: .unconditional, help: help("Minibatch size", key: "batchSize")) var batchSize: Int?
    @Option(name: [.customLong("learning-rate"), .customLong("lr")], parsing: .unconditional, help: help("Learning rate", key: "learningRate")) var learningRate: Double?
    @Option(parsing: .unconditional, help: help("Learning-rate factor per epoch (step decay)", key: "lrDecay")) var lrDecay: Double?
    @Option(help: help("Optimizer: adam or sgd", key: "optimizer")) var optimizer: OptimizerKind?
    @Option(help: help("Hidden layer sizes, comma separated (e.g. 246 or 128,64)", key: "hidden")) var hidden: String?
    @Flag(help: help("Recurrent hidden layers", key: "recurrent")) var recurrent = false
    @Option(parsing: .unconditional, help: help("Time steps per sample", key: "steps")) var steps: Int?
    @Option(parsing: .unconditional, help: help("Time step, seconds (chip time)", key: "dt")) var dt: Double?
    @Option(parsing: .unconditional, help: help("Membrane time constant, seconds", key: "tauMem")) var tauMem: Double?
    @Option(parsing: .unconditional, help: help("Synaptic time constant, seconds", key: "tauSyn")) var tauSyn: Double?
    @Option(help: help("Reset: subtract, zero or immediate", key: "reset")) var reset: ResetMode?
    @Option(help: help("Reset gradient: detached or differentiable", key: "resetGradient")) var resetGradient: ResetGradient?
    @Option(help: help("Surrogate: superspike, sigmoid, exponential or triangle, optionally :beta", key: "surrogate")) var surrogate: String?
    @Option(help: help("Loss reduction over time: max, sum or last", key: "loss")) var loss: ReadoutReduction?
    @Option(parsing: .unconditional, help: help("Readout scale in front of the softmax", key: "readoutScale")) var readoutScale: Float?
    @Option(parsing: .unconditional, help: help("Hidden burst regularizer strength", key: "burst")) var burst: Float?
    @Option(parsing: .unconditional, help: help("Hidden weight L2 strength", key: "hiddenL2")) var hiddenL2: Float?
    @Option(parsing: .unconditional, help: help("Random rotation augmentation, degrees (0: off)", key: "rotation")) var rotation: Double?
    @Option(parsing: .unconditional, help: help("Channel-shift augmentation for spike datasets: shift each training sample by up to ±J channels (0: off)", key: "channelJitter")) var channelJitter: Int?
    @Option(parsing: .unconditional, help: help("Onset-shift augmentation for spike datasets: move each training sample by up to ±N steps (0: off)", key: "augmentOnsetShift")) var augmentOnsetShift: Int?
    @Option(parsing: .unconditional, help: help("Channel-mask augmentation: silence a band of up to N channels per training sample (0: off)", key: "augmentChannelMask")) var augmentChannelMask: Int?
    @Option(parsing: .unconditional, help: help("Time-mask augmentation: silence a span of up to N steps per training sample (0: off)", key: "augmentTimeMask")) var augmentTimeMask: Int?
    @Option(parsing: .unconditional, help: help("Spike-drop augmentation: probability that each training spike is deleted (0: off)", key: "augmentSpikeDrop")) var augmentSpikeDrop: Double?
    @Option(parsing: .unconditional, help: help("Dropout on hidden spikes during training (probability per hidden neuron and sample)", key: "dropout")) var dropout: Float?
    @Option(parsing: .unconditional, help: help("Validation samples carved from the training set", key: "validationSamples")) var validationSamples: Int?
    @Option(parsing: .unconditional, help: help("Use only the first N training samples", key: "trainSamples")) var trainSamples: Int?
    @Option(parsing: .unconditional, help: help("Seed (weights, shuffling, augmentation)", key: "seed")) var seed: UInt64?
    @Option(parsing: .unconditional, help: help("Worker threads", key: "threads")) var threads: Int?
    @Option(help: help("Learning rule: bptt, rtrl (tiny networks), onchip (the chip's plasticity processor learns; needs --substrate chip and --loss sum), eprop, diagonal or superspike", key: "learning")) var learning: String?
    @Option(parsing: .unconditional, help: help("On-chip learning: membrane samples every N steps", key: "onchipSampleEvery")) var onchipSampleEvery: Int?
    @Option(parsing: .unconditional, help: help("On-chip learning: homeostasis strength", key: "onchipHomeostasis")) var onchipHomeostasis: Float?
    @Option(help: help("Feedback for online rules: symmetric, random or uniform", key: "feedback")) var feedback: Feedback?
    @Option(help: help("Substrate: software, or chip[:seed] for in-the-loop training on the emulated analog chip", key: "substrate")) var substrate: String?
    @Flag(help: "Leave the emulated chip uncalibrated (sets chip_calibrated to false).") var uncalibrated = false
    @Option(name: [.customLong("chip-mismatch-scale"), .customLong("mismatch-scale")], parsing: .unconditional, help: help("Scale of the chip's fixed-pattern mismatch (1 = documented defaults)", key: "chipMismatchScale")) var chipMismatchScale: Double?
    @Option(parsing: .unconditional, help: help("Chip membrane noise SD (threshold units)", key: "chipNoise")) var chipNoise: Double?
    @Option(name: [.customLong("chip-decalibration"), .customLong("decalibration")], parsing: .unconditional, help: help("Spread of tau_m, tau_s and (threshold - leak) after calibration (e.g. 0.3)", key: "chipDecalibration")) var chipDecalibration: Double?
    @Option(parsing: .unconditional, help: help("Chip integration substeps per model step", key: "chipSubsteps")) var chipSubsteps: Int?
    @Option(parsing: .unconditional, help: help("Emulated chips side by side for a network larger than one chip", key: "chipCount")) var chipCount: Int?
    @Option(parsing: .unconditional, help: help("Extra delay of spikes routed between chips, model steps", key: "chipRoutingDelay")) var chipRoutingDelay: Int?
    @Flag(help: help("Checkpoints without optimizer state (a third of the size); a resume restarts the optimizer's moments", key: "weightsOnlyCheckpoints")) var weightsOnlyCheckpoints = false
    @Flag(inversion: .prefixedNo, help: help("TensorBoard event files in <run-dir>/tensorboard (scalars per epoch, weight histograms)", key: "tensorboard")) var tensorboard: Bool?

    /// The flags as library overrides (`RunOverrides`), which name the flag in their errors.
    var overrides: RunOverrides {
        var o = RunOverrides()
        o.dataset = dataset
        o.dataDir = dataDir
        o.configFile = config
        o.epochs = epochs
        o.batchSize = batchSize
        o.learningRate = learningRate
        o.lrDecay = lrDecay
        o.optimizer = optimizer
        o.hidden = hidden
        o.recurrent = recurrent
        o.steps = steps
        o.dt = dt
        o.tauMem = tauMem
        o.tauSyn = tauSyn
        o.reset = reset
        o.resetGradient = resetGradient
        o.surrogate = surrogate
        o.loss = loss
        o.readoutScale = readoutScale
        o.burst = burst
        o.hiddenL2 = hiddenL2
        o.rotation = rotation
        o.channelJitter = channelJitter
        o.augmentOnsetShift = augmentOnsetShift
        o.augmentChannelMask = augmentChannelMask
        o.augmentTimeMask = augmentTimeMask
        o.augmentSpikeDrop = augmentSpikeDrop
        o.dropout = dropout
        o.validationSamples = validationSamples
        o.trainSamples = trainSamples
        o.seed = seed
        o.threads = threads
        o.learning = learning
        o.feedback = feedback
        o.substrate = substrate
        o.uncalibrated = uncalibrated
        o.mismatchScale = chipMismatchScale
        o.chipNoise = chipNoise
        o.decalibration = chipDecalibration
        o.chipSubsteps = chipSubsteps
        o.chipCount = chipCount
        o.chipRoutingDelay = chipRoutingDelay
        o.onchipSampleEvery = onchipSampleEvery
        o.onchipHomeostasis = onchipHomeostasis
        o.weightsOnlyCheckpoints = weightsOnlyCheckpoints
        o.tensorboard = tensorboard
        return o
    }

    func resolve(base: RunConfig? = nil) throws -> RunConfig {
        do { return try overrides.resolve(base: base) } catch let e as RunError where e.code == .invalidSetting {
            throw ValidationError(e.description)
        }
    }
}
