import Foundation
import SpikeCore
import SpikeData
import SpikeTraining

/// Every setting of a training run, with the paper's defaults for 16×16 images (Cramer et al. 2022).
///
/// Resolved in this order: defaults (``defaults(for:)``) → config file (``overlaid(withFile:)``, YAML or JSON,
/// same keys) → overrides (the CLI's flags). The resolved config is written to the run directory and into every
/// checkpoint, so a run can be resumed and a checkpoint evaluated with exactly the encoding it was trained on.
/// The JSON keys are the property names in snake case (``fileKey(_:)``: `learningRate` is `learning_rate`);
/// optional settings that are nil are left out. Old files with camelCase keys still load (with a warning).
public struct RunConfig: Codable, Equatable, Sendable {
    // data
    public var dataset = "fashion-mnist"
    public var dataDir: String? = nil
    public var imageSize = 16
    public var validationSamples = 5000
    /// Use only the first N training samples (quick runs); nil: all.
    public var trainSamples: Int? = nil
    /// Use only the first N test samples (quick runs); nil: all.
    public var testSamples: Int? = nil
    public var tauIn = 8e-6
    public var thresholdIn = 0.2
    /// SHD-format data: time scaling and channel subsampling (see `SHDBinning`).
    public var shdTimeScale = 1.0 / 2000
    public var shdChannelOffset = 70
    public var shdChannelStride = 9
    /// Unit dropout on hidden spikes during training: probability that a hidden neuron's output is dropped for a sample.
    public var dropout: Float = 0
    /// Random rotation augmentation, degrees (0: off).
    public var rotation = 0.0
    /// Channel-shift augmentation for spike datasets: each training sample moves by a uniform whole number of
    /// channels in −J…J, redrawn every epoch (0: off).
    public var channelJitter = 0
    /// Spike-domain augmentation of spike datasets (`SpikeAugmentation`), redrawn every epoch (0: off): onset
    /// shift by up to ±steps, one silenced band of up to N channels, one silenced span of up to N steps, and the
    /// probability that each spike is deleted.
    public var augmentOnsetShift = 0
    public var augmentChannelMask = 0
    public var augmentTimeMask = 0
    public var augmentSpikeDrop = 0.0
    // network
    public var hidden = [246]
    public var recurrent = false
    public var steps = 20
    /// Time step Δt, seconds (chip time).
    public var dt = 1.7e-6
    /// Membrane and synaptic time constants, seconds.
    public var tauMem = 6e-6
    public var tauSyn = 6e-6
    public var threshold: Float = 1
    public var reset = ResetMode.subtract
    public var resetGradient = ResetGradient.detached
    public var currentTiming = CurrentTiming.sameStep
    public var inputScaling = InputScaling.unit
    /// Weight SD of the paper's rule `initScale·(1 − β)/√N_in`.
    public var initScale = 0.7
    public var hiddenInitMean: Float = 1e-3
    /// Explicit weight SD per weight layer (hidden layers, then the readout), replacing the paper's rule; nil: the rule.
    public var initStd: [Double]? = nil
    public var weightLimit: Float? = 63.0 / 240.0
    // objective
    public var surrogate = "superspike:50"
    public var loss = ReadoutReduction.maxOverTime
    public var readoutScale: Float = 10
    public var tieBreakNoise: Float = 1e-5
    public var burst: Float = 5e-4
    public var readoutAmplitude: Float = 0
    public var upperBound: Float = 0
    public var upperThreshold: Float = 1
    public var lowerBound: Float = 0
    public var lowerThreshold: Float = 0
    public var hiddenL2: Float = 0.1
    public var readoutL2: Float = 0
    // optimization
    public var optimizer = OptimizerKind.adam
    public var learningRate = 1.5e-3
    public var lrDecay = 0.97
    public var lrDecayEvery = 1
    public var weightDecay = 0.0
    public var momentum = 0.9
    public var batchSize = 100
    public var epochs = 100
    public var seed: UInt64 = 1
    /// Write checkpoints without optimizer state (a third of the size with Adam); a resume then starts the
    /// optimizer's moments afresh.
    public var weightsOnlyCheckpoints = false
    /// Write TensorBoard event files (`tensorboard/` in the run directory): per-epoch scalars and weight histograms.
    public var tensorboard = true
    /// Worker threads; nil: all cores.
    public var threads: Int? = nil
    // learning rule
    /// `bptt`, `rtrl` (tiny networks), `onchip` (the emulated chip learns by itself), or an online rule: `eprop`,
    /// `diagonal`, `superspike`.
    public var learning = "bptt"
    /// Feedback for online rules: symmetric, random or uniform.
    public var feedback = Feedback.symmetric
    /// On-chip learning (`learning: onchip`): membrane samples every N steps, and the homeostasis strength that
    /// pulls each hidden neuron's spike count into `lowerThreshold…upperThreshold`.
    public var onchipSampleEvery = 1
    public var onchipHomeostasis: Float = 0.02
    // substrate
    /// `software`, or `chip[:seed]` for the emulated analog chip (in-the-loop training); see ``SubstrateSpec``.
    public var substrate = "software"
    public var chipCalibrated = true
    /// Multiplies every fixed-pattern mismatch spread of the chip (1: the documented defaults).
    public var chipMismatchScale = 1.0
    /// Temporal membrane noise SD (threshold units); nil: the chip default.
    public var chipNoise: Double? = nil
    /// Relative spread of τ_m, τ_s and (ϑ − leak) applied after calibration.
    public var chipDecalibration = 0.0
    public var chipSubsteps: Int? = nil
    /// Emulated chips side by side for a network larger than one chip (1: its sub-networks run one after another
    /// on the same chip); see ``PartitionedChip``.
    public var chipCount = 1
    /// Extra delay of spikes routed between sub-networks (chips), model steps (0: delivered at the next step boundary).
    public var chipRoutingDelay = 0

    /// The paper's defaults for 16×16 Fashion-MNIST.
    public init() {}

    /// The datasets ``RunData/load(_:needTrain:)`` knows.
    public static let datasets = ["synthetic", "mnist", "fashion-mnist", "shd"]

    /// Defaults for the built-in synthetic task (no files needed).
    public static var synthetic: RunConfig {
        var c = RunConfig()
        c.dataset = "synthetic"
        c.hidden = [64]
        c.validationSamples = 500
        c.epochs = 10
        c.batchSize = 50
        c.learningRate = 3e-3
        return c
    }

    /// Defaults for SHD-format spoken digits on the chip's time scale (Cramer et al. 2022 setup: 70 channels,
    /// 186 recurrent hidden neurons, 20 classes, sum-over-time loss, homeostatic regularizer). Assumptions: 250
    /// steps of 2 µs cover 1 s of audio ÷ 2000; τ_m = 20 µs, τ_s = 10 µs (40 ms and 20 ms biological).
    public static var shd: RunConfig {
        var c = RunConfig()
        c.dataset = "shd"
        c.hidden = [186]
        c.recurrent = true
        c.steps = 250
        c.dt = 2e-6
        c.tauMem = 20e-6
        c.tauSyn = 10e-6
        c.loss = .sumOverTime
        c.readoutScale = 0.05  // sum over 250 steps; ≈ 0.2 for 60 steps
        c.initScale = 5  // the paper-image scale 0.7 leaves the hidden layer silent on sparse SHD input
        c.burst = 0
        c.upperBound = 1e-3
        c.upperThreshold = 10
        c.hiddenL2 = 0
        c.validationSamples = 800
        c.epochs = 50
        c.batchSize = 64
        c.learningRate = 5e-3
        c.lrDecay = 0.98
        return c
    }

    /// The defaults of `dataset`: ``synthetic``, ``shd``, or the image defaults with the name set.
    public static func defaults(for dataset: String) -> RunConfig {
        if dataset == "synthetic" { return .synthetic }
        if dataset == "shd" { return .shd }
        var c = RunConfig()
        c.dataset = dataset
        return c
    }

    /// The loss, regularizers and surrogate. Call ``validate()`` first: an unparsable surrogate is a precondition failure.
    public var objective: Objective {
        guard let surrogate = Surrogate(parsing: surrogate) else {
            preconditionFailure("surrogate '\(self.surrogate)' does not parse; validate() the config first")
        }
        return Objective(
            loss: ReadoutLoss(reduction: loss, scale: readoutScale, tieBreakNoise: tieBreakNoise),
            regularizers: Regularizers(
                burst: burst, readoutAmplitude: readoutAmplitude, upperBound: upperBound,
                upperThreshold: upperThreshold,
                lowerBound: lowerBound, lowerThreshold: lowerThreshold, hiddenL2: hiddenL2, readoutL2: readoutL2),
            surrogate: surrogate)
    }

    public var optimizerConfig: OptimizerConfig {
        OptimizerConfig(
            kind: optimizer, learningRate: learningRate, weightDecay: weightDecay, momentum: momentum,
            decayFactor: lrDecay,
            decayEvery: lrDecayEvery)
    }

    /// The learning rule named by ``learning`` and ``feedback``. Call ``validate()`` first.
    public var learningRule: LearningRule {
        guard let rule = LearningRule(name: learning, feedback: feedback) else {
            preconditionFailure("learning rule '\(learning)' is unknown; validate() the config first")
        }
        return rule
    }

    /// The parameters of the hidden neurons.
    public var neuron: LIFParameters {
        LIFParameters(
            tauMem: tauMem, tauSyn: tauSyn, vThreshold: threshold, reset: reset, resetGradient: resetGradient,
            currentTiming: currentTiming, inputScaling: inputScaling)
    }

    /// Worker threads: ``threads`` or all cores.
    public var workers: Int { threads ?? availableCores }

    /// The config as pretty-printed JSON with sorted snake-case keys (the settings of `config.json`).
    public var json: String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted]
        enc.keyEncodingStrategy = .custom { path in FileKey(Self.fileKey(path.last?.stringValue ?? "")) }
        // Encoding plain numbers, strings and arrays cannot fail; the fallback is unreachable.
        guard let data = try? enc.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A coding key holding a setting's file name (``RunConfig/fileKey(_:)``).
private struct FileKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
