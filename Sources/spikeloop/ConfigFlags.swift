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

/// Flags that override the config; every one is optional so that the file and defaults show through.
struct ConfigFlags: ParsableArguments {
    @Option(help: "Dataset: fashion-mnist, mnist, shd (SHD-format HDF5 files) or synthetic.") var dataset: String?
    @Option(help: "Folder with the dataset's IDX files (else $SPIKELOOP_MNIST_DIR / $SPIKELOOP_FASHION_MNIST_DIR, or the Debian location).") var dataDir: String?
    @Option(help: "YAML or JSON file with settings (same keys as the run's config.json).") var config: String?
    @Option(parsing: .unconditional, help: "Epochs.") var epochs: Int?
    @Option(parsing: .unconditional, help: "Minibatch size.") var batchSize: Int?
    @Option(name: .customLong("lr"), parsing: .unconditional, help: "Learning rate.") var learningRate: Double?
    @Option(parsing: .unconditional, help: "Learning-rate factor per epoch (step decay).") var lrDecay: Double?
    @Option(help: "Optimizer: adam or sgd.") var optimizer: OptimizerKind?
    @Option(help: "Hidden layer sizes, comma separated (e.g. 246 or 128,64).") var hidden: String?
    @Flag(help: "Recurrent hidden layers.") var recurrent = false
    @Option(parsing: .unconditional, help: "Time steps per sample.") var steps: Int?
    @Option(parsing: .unconditional, help: "Time step, seconds (chip time: 1.7e-6).") var dt: Double?
    @Option(parsing: .unconditional, help: "Membrane time constant, seconds.") var tauMem: Double?
    @Option(parsing: .unconditional, help: "Synaptic time constant, seconds.") var tauSyn: Double?
    @Option(help: "Reset: subtract or zero.") var reset: ResetMode?
    @Option(help: "Reset gradient: detached or differentiable.") var resetGradient: ResetGradient?
    @Option(help: "Surrogate: superspike, sigmoid, exponential or triangle, optionally :beta.") var surrogate: String?
    @Option(help: "Loss reduction over time: max, sum or last.") var loss: ReadoutReduction?
    @Option(parsing: .unconditional, help: "Readout scale in front of the softmax.") var readoutScale: Float?
    @Option(parsing: .unconditional, help: "Hidden burst regularizer strength.") var burst: Float?
    @Option(parsing: .unconditional, help: "Hidden weight L2 strength.") var hiddenL2: Float?
    @Option(parsing: .unconditional, help: "Random rotation augmentation, degrees (0: off).") var rotation: Double?
    @Option(parsing: .unconditional, help: "Channel-shift augmentation for spike datasets: shift each training sample by up to ±J channels (0: off).") var channelJitter: Int?
    @Option(parsing: .unconditional, help: "Dropout on hidden spikes during training (probability a hidden neuron's output is dropped per sample).") var dropout: Float?
    @Option(parsing: .unconditional, help: "Validation samples carved from the training set.") var validationSamples: Int?
    @Option(parsing: .unconditional, help: "Use only the first N training samples.") var trainSamples: Int?
    @Option(parsing: .unconditional, help: "Seed (weights, shuffling, augmentation).") var seed: UInt64?
    @Option(parsing: .unconditional, help: "Worker threads (default: all cores).") var threads: Int?
    @Option(help: "Learning rule: bptt, rtrl (tiny networks), eprop, diagonal or superspike.") var learning: String?
    @Option(help: "Feedback for online rules: symmetric, random or uniform.") var feedback: Feedback?
    @Option(help: "Substrate: software, or chip[:seed] for in-the-loop training on the emulated analog chip.") var substrate: String?
    @Flag(help: "Leave the emulated chip uncalibrated.") var uncalibrated = false
    @Option(parsing: .unconditional, help: "Scale of the chip's fixed-pattern mismatch (1 = documented defaults).") var mismatchScale: Double?
    @Option(parsing: .unconditional, help: "Chip membrane noise SD (threshold units).") var chipNoise: Double?
    @Option(parsing: .unconditional, help: "Spread of tau_m, tau_s and (threshold - leak) after calibration (e.g. 0.3).") var decalibration: Double?
    @Option(parsing: .unconditional, help: "Chip integration substeps per model step.") var chipSubsteps: Int?

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
        o.dropout = dropout
        o.validationSamples = validationSamples
        o.trainSamples = trainSamples
        o.seed = seed
        o.threads = threads
        o.learning = learning
        o.feedback = feedback
        o.substrate = substrate
        o.uncalibrated = uncalibrated
        o.mismatchScale = mismatchScale
        o.chipNoise = chipNoise
        o.decalibration = decalibration
        o.chipSubsteps = chipSubsteps
        return o
    }

    func resolve(base: RunConfig? = nil) throws -> RunConfig {
        do { return try overrides.resolve(base: base) } catch let e as RunError where e.code == .invalidSetting {
            throw ValidationError(e.description)
        }
    }
}
