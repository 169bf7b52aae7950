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
    @Option(help: "Epochs.") var epochs: Int?
    @Option(help: "Minibatch size.") var batchSize: Int?
    @Option(name: .customLong("lr"), help: "Learning rate.") var learningRate: Double?
    @Option(help: "Learning-rate factor per epoch (step decay).") var lrDecay: Double?
    @Option(help: "Optimizer: adam or sgd.") var optimizer: OptimizerKind?
    @Option(help: "Hidden layer sizes, comma separated (e.g. 246 or 128,64).") var hidden: String?
    @Flag(help: "Recurrent hidden layers.") var recurrent = false
    @Option(help: "Time steps per sample.") var steps: Int?
    @Option(help: "Time step, seconds (chip time: 1.7e-6).") var dt: Double?
    @Option(help: "Membrane time constant, seconds.") var tauMem: Double?
    @Option(help: "Synaptic time constant, seconds.") var tauSyn: Double?
    @Option(help: "Reset: subtract or zero.") var reset: ResetMode?
    @Option(help: "Reset gradient: detached or differentiable.") var resetGradient: ResetGradient?
    @Option(help: "Surrogate: superspike, sigmoid, exponential or triangle, optionally :beta.") var surrogate: String?
    @Option(help: "Loss reduction over time: max, sum or last.") var loss: ReadoutReduction?
    @Option(help: "Readout scale in front of the softmax.") var readoutScale: Float?
    @Option(help: "Hidden burst regularizer strength.") var burst: Float?
    @Option(help: "Hidden weight L2 strength.") var hiddenL2: Float?
    @Option(help: "Random rotation augmentation, degrees (0: off).") var rotation: Double?
    @Option(help: "Channel-shift augmentation for spike datasets: shift each training sample by up to ±J channels (0: off).") var channelJitter: Int?
    @Option(help: "Dropout on hidden spikes during training (probability a hidden neuron's output is dropped per sample).") var dropout: Float?
    @Option(help: "Validation samples carved from the training set.") var validationSamples: Int?
    @Option(help: "Use only the first N training samples.") var trainSamples: Int?
    @Option(help: "Seed (weights, shuffling, augmentation).") var seed: UInt64?
    @Option(help: "Worker threads (default: all cores).") var threads: Int?
    @Option(help: "Learning rule: bptt, rtrl (tiny networks), eprop, diagonal or superspike.") var learning: String?
    @Option(help: "Feedback for online rules: symmetric, random or uniform.") var feedback: Feedback?
    @Option(help: "Substrate: software, or chip[:seed] for in-the-loop training on the emulated analog chip.") var substrate: String?
    @Flag(help: "Leave the emulated chip uncalibrated.") var uncalibrated = false
    @Option(help: "Scale of the chip's fixed-pattern mismatch (1 = documented defaults).") var mismatchScale: Double?
    @Option(help: "Chip membrane noise SD (threshold units).") var chipNoise: Double?
    @Option(help: "Spread of tau_m, tau_s and (threshold - leak) after calibration (e.g. 0.3).") var decalibration: Double?
    @Option(help: "Chip integration substeps per model step.") var chipSubsteps: Int?

    func resolve(base: RunConfig? = nil) throws -> RunConfig {
        var c = base ?? RunConfig.defaults(for: dataset ?? "fashion-mnist")
        if let f = config {
            c = try c.overlaid(withFile: f)
            // A config file that names the dataset starts from that dataset's defaults, as the flag would.
            if dataset == nil, base == nil, c.dataset != "fashion-mnist" {
                c = try RunConfig.defaults(for: c.dataset).overlaid(withFile: f)
            }
        }
        if let v = dataset { c.dataset = v }
        if let v = dataDir { c.dataDir = v }
        if let v = epochs { c.epochs = v }
        if let v = batchSize { c.batchSize = v }
        if let v = learningRate { c.learningRate = v }
        if let v = lrDecay { c.lrDecay = v }
        if let v = optimizer { c.optimizer = v }
        if let v = hidden {
            let sizes = v.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw ValidationError("--hidden expects positive sizes separated by commas, got '\(v)'")
            }
            c.hidden = sizes.map { $0! }
        }
        if recurrent { c.recurrent = true }
        if let v = steps { c.steps = v }
        if let v = dt { c.dt = v }
        if let v = tauMem { c.tauMem = v }
        if let v = tauSyn { c.tauSyn = v }
        if let v = reset { c.reset = v }
        if let v = resetGradient { c.resetGradient = v }
        if let v = surrogate { c.surrogate = v }
        if let v = loss { c.loss = v }
        if let v = readoutScale { c.readoutScale = v }
        if let v = burst { c.burst = v }
        if let v = hiddenL2 { c.hiddenL2 = v }
        if let v = rotation { c.rotation = v }
        if let v = channelJitter { c.channelJitter = v }
        if let v = dropout { c.dropout = v }
        if let v = validationSamples { c.validationSamples = v }
        if let v = trainSamples { c.trainSamples = v }
        if let v = seed { c.seed = v }
        if let v = threads { c.threads = v }
        if let v = substrate { c.substrate = v }
        if let v = learning { c.learning = v }
        if let v = feedback { c.feedback = v }
        if uncalibrated { c.chipCalibrated = false }
        if let v = mismatchScale { c.chipMismatchScale = v }
        if let v = chipNoise { c.chipNoise = v }
        if let v = decalibration { c.chipDecalibration = v }
        if let v = chipSubsteps { c.chipSubsteps = v }
        do { try c.validate() } catch let e as RunError { throw ValidationError(e.description) }
        return c
    }
}
