import Foundation
import SpikeData
import SpikeTraining
import Yams

/// Every setting of a training run, with the paper's defaults for 16×16 images (Cramer et al. 2022).
///
/// Resolved in this order: defaults → config file (YAML or JSON, same keys) → command-line flags. The resolved
/// config is written to the run directory and into every checkpoint, so a run can be resumed and a
/// checkpoint evaluated with exactly the encoding it was trained on.
struct TrainConfig: Codable, Equatable {
    // data
    var dataset = "fashion-mnist"
    var dataDir: String? = nil
    var imageSize = 16
    var validationSamples = 5000
    /// Use only the first N training samples (quick runs); nil: all.
    var trainSamples: Int? = nil
    var tauIn = 8e-6
    var thresholdIn = 0.2
    /// SHD-format data: time scaling and channel subsampling (see `SHDBinning`).
    var shdTimeScale = 1.0 / 2000
    var shdChannelOffset = 70
    var shdChannelStride = 9
    /// Unit dropout on hidden spikes during training: probability that a hidden neuron's output is dropped for a sample.
    var dropout: Float = 0
    /// Random rotation augmentation, degrees (0: off).
    var rotation = 0.0
    /// Channel-shift augmentation for spike datasets: each training sample moves by a uniform whole number of
    /// channels in −J…J, redrawn every epoch (0: off).
    var channelJitter = 0
    // network
    var hidden = [246]
    var recurrent = false
    var steps = 20
    var dt = 1.7e-6
    var tauMem = 6e-6
    var tauSyn = 6e-6
    var threshold: Float = 1
    var reset = ResetMode.subtract
    var resetGradient = ResetGradient.detached
    var currentTiming = CurrentTiming.sameStep
    var inputScaling = InputScaling.unit
    var initScale = 0.7
    var hiddenInitMean: Float = 1e-3
    var weightLimit: Float? = 63.0 / 240.0
    // objective
    var surrogate = "superspike:50"
    var loss = ReadoutReduction.maxOverTime
    var readoutScale: Float = 10
    var tieBreakNoise: Float = 1e-5
    var burst: Float = 5e-4
    var readoutAmplitude: Float = 0
    var upperBound: Float = 0
    var upperThreshold: Float = 1
    var lowerBound: Float = 0
    var lowerThreshold: Float = 0
    var hiddenL2: Float = 0.1
    var readoutL2: Float = 0
    // optimization
    var optimizer = OptimizerKind.adam
    var learningRate = 1.5e-3
    var lrDecay = 0.97
    var lrDecayEvery = 1
    var weightDecay = 0.0
    var momentum = 0.9
    var batchSize = 100
    var epochs = 100
    var seed: UInt64 = 1
    var threads: Int? = nil
    // learning rule
    /// `bptt`, `rtrl` (tiny networks), or an online rule: `eprop`, `diagonal`, `superspike`.
    var learning = "bptt"
    /// Feedback for online rules: symmetric, random or uniform.
    var feedback = Feedback.symmetric
    // substrate
    /// `software`, or `chip[:seed]` for the emulated analog chip (in-the-loop training).
    var substrate = "software"
    var chipCalibrated = true
    /// Multiplies every fixed-pattern mismatch spread of the chip (1: the documented defaults).
    var chipMismatchScale = 1.0
    /// Temporal membrane noise SD (threshold units); nil: the chip default.
    var chipNoise: Double? = nil
    /// Relative spread of τ_m, τ_s and (ϑ − leak) applied after calibration.
    var chipDecalibration = 0.0
    var chipSubsteps: Int? = nil

    /// Defaults for the built-in synthetic task (no files needed).
    static var synthetic: TrainConfig {
        var c = TrainConfig()
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
    static var shd: TrainConfig {
        var c = TrainConfig()
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

    static func defaults(for dataset: String) -> TrainConfig {
        if dataset == "synthetic" { return .synthetic }
        if dataset == "shd" { return .shd }
        var c = TrainConfig()
        c.dataset = dataset
        return c
    }

    /// Overlays the keys of a YAML or JSON file; unknown keys are an error naming the key and the file.
    func overlaid(withFile path: String) throws -> TrainConfig {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigError("cannot read config file \(path): \(error.localizedDescription)")
        }
        let loaded: Any?
        do { loaded = try Yams.load(yaml: text) } catch { throw ConfigError("\(path): not valid YAML or JSON: \(error)") }
        guard let dict = loaded as? [String: Any] else { throw ConfigError("\(path): expected a mapping of settings at the top level") }
        return try overlaid(with: dict, source: path)
    }

    func overlaid(with dict: [String: Any], source: String) throws -> TrainConfig {
        let base = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self)) as! [String: Any]
        let known = Set(base.keys).union(["dataDir", "trainSamples", "weightLimit", "threads", "chipNoise", "chipSubsteps"])
        var merged = base
        for (k, v) in dict {
            guard known.contains(k) else {
                throw ConfigError("\(source): unknown setting '\(k)' (known: \(known.sorted().joined(separator: ", ")))")
            }
            merged[k] = v
        }
        do {
            let data = try JSONSerialization.data(withJSONObject: merged)
            return try JSONDecoder().decode(TrainConfig.self, from: data)
        } catch let DecodingError.typeMismatch(_, ctx), let DecodingError.dataCorrupted(ctx) {
            throw ConfigError("\(source): setting '\(ctx.codingPath.map(\.stringValue).joined(separator: "."))': \(ctx.debugDescription)")
        } catch {
            throw ConfigError("\(source): \(error)")
        }
    }

    func validate() throws {
        func check(_ ok: Bool, _ field: String, _ msg: String) throws { if !ok { throw ConfigError("\(field): \(msg)") } }
        try check(["synthetic", "mnist", "fashion-mnist", "shd"].contains(dataset), "dataset", "unknown dataset '\(dataset)' (known: mnist, fashion-mnist, shd, synthetic)")
        try check(steps > 0, "steps", "must be positive, got \(steps)")
        try check(dt > 0, "dt", "must be positive, got \(dt)")
        try check(tauMem > 0 && tauSyn > 0, "tauMem/tauSyn", "must be positive")
        try check(!hidden.isEmpty && hidden.allSatisfy { $0 > 0 }, "hidden", "needs at least one positive layer size, got \(hidden)")
        try check(batchSize > 0, "batchSize", "must be positive, got \(batchSize)")
        try check(epochs >= 0, "epochs", "must not be negative, got \(epochs)")
        try check(learningRate > 0, "learningRate", "must be positive, got \(learningRate)")
        try check(validationSamples >= 0, "validationSamples", "must not be negative")
        try check(channelJitter >= 0, "channelJitter", "must not be negative, got \(channelJitter)")
        try check(Surrogate(parsing: surrogate) != nil, "surrogate", "unknown surrogate '\(surrogate)' (superspike, sigmoid, exponential, triangle, optionally :beta)")
        if let t = threads { try check(t > 0, "threads", "must be positive, got \(t)") }
        try check(substrate == "software" || substrate == "chip" || (substrate.hasPrefix("chip:") && UInt64(substrate.dropFirst(5)) != nil), "substrate", "expected software, chip or chip:SEED, got '\(substrate)'")
        try check(dropout >= 0 && dropout < 1, "dropout", "must lie in [0, 1), got \(dropout)")
        try check(dropout == 0 || (learning == "bptt" && substrate == "software"), "dropout", "is implemented for BPTT on the software substrate")
        try check(LearningRule(name: learning) != nil, "learning", "unknown rule '\(learning)' (bptt, rtrl, eprop, diagonal, superspike)")
        try check(chipMismatchScale >= 0 && chipDecalibration >= 0, "chipMismatchScale/chipDecalibration", "must not be negative")
        if let s = chipSubsteps { try check(s > 0, "chipSubsteps", "must be positive") }
    }

    var objective: Objective {
        Objective(
            loss: ReadoutLoss(reduction: loss, scale: readoutScale, tieBreakNoise: tieBreakNoise),
            regularizers: Regularizers(
                burst: burst, readoutAmplitude: readoutAmplitude, upperBound: upperBound, upperThreshold: upperThreshold,
                lowerBound: lowerBound, lowerThreshold: lowerThreshold, hiddenL2: hiddenL2, readoutL2: readoutL2),
            surrogate: Surrogate(parsing: surrogate)!)
    }

    var optimizerConfig: OptimizerConfig {
        OptimizerConfig(kind: optimizer, learningRate: learningRate, weightDecay: weightDecay, momentum: momentum, decayFactor: lrDecay, decayEvery: lrDecayEvery)
    }

    var learningRule: LearningRule { LearningRule(name: learning, feedback: feedback)! }

    var neuron: LIFParameters {
        LIFParameters(
            tauMem: tauMem, tauSyn: tauSyn, vThreshold: threshold, reset: reset, resetGradient: resetGradient,
            currentTiming: currentTiming, inputScaling: inputScaling)
    }

    /// A fresh network for `inputs` channels and `classes` outputs, initialized as in the paper.
    func makeNetwork(inputs: Int, classes: Int) -> Network {
        let beta = exp(-dt / tauMem)
        let sizes = [inputs] + hidden + [classes]
        var inits: [WeightInit] = []
        for l in 0..<(sizes.count - 1) {
            inits.append(WeightInit.paper(inputCount: sizes[l], beta: beta, scale: initScale, mean: l < sizes.count - 2 ? hiddenInitMean : 0))
        }
        let readout = LIFParameters(tauMem: tauMem, tauSyn: tauSyn, currentTiming: currentTiming, inputScaling: inputScaling)
        return Network.feedForward(
            sizes: sizes, dt: dt, hidden: neuron, readout: readout, initializers: inits, recurrent: recurrent,
            recurrentInit: recurrent ? WeightInit.paper(inputCount: hidden[0], beta: beta, scale: initScale) : nil,
            weightLimit: weightLimit, seed: seed)
    }

    var json: String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try! enc.encode(self), as: UTF8.self)
    }
}

struct ConfigError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
