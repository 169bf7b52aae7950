import Foundation
import SpikeCore
import SpikeTraining

extension RunConfig {
    /// Upper limits of the sizes a config may ask for, so that a typo cannot exhaust memory or run for days.
    ///
    /// Every limit is far above what the paper setups use (246 hidden neurons, 250 steps, batch 100).
    public enum Limits {
        /// Neurons per hidden layer.
        public static let hiddenSize = 4096
        public static let hiddenLayers = 8
        /// Hidden-to-hidden and recurrent weights in all: 2²⁴ (64 MiB of weights, 4× that with gradients and
        /// Adam moments).
        public static let hiddenWeights = 1 << 24
        public static let steps = 10_000
        /// Time steps × hidden neurons: 2²² (the state BPTT records per sample, about 50 MB, is kept for a few
        /// samples per worker; the SHD setup uses 250 × 186 ≈ 46,500).
        public static let stepNeurons = 1 << 22
        /// Training plus validation samples of the generated synthetic task.
        public static let syntheticSamples = 1_000_000
        /// Samples per minibatch (a batch larger than the training set is one batch per epoch).
        public static let batchSize = 65_536
        public static let epochs = 1_000_000
        /// Training, validation or test samples.
        public static let samples = 100_000_000
        public static let imageSize = 64
        public static let channelJitter = 10_000
        public static let channelIndex = 1_000_000
        /// Worker threads: 4× the cores (more only adds memory and contention).
        public static var threads: Int { 4 * max(1, availableCores) }
        public static let chipSubsteps = 1000
        /// Emulated chips side by side.
        public static let chips = 64
        /// Time constants and Δt, seconds.
        public static let seconds = 1000.0
        /// Learning rate, weight decay, regularizer strengths and other scale factors.
        public static let scale = 1e6
    }

    /// Checks every setting: finite, in range, within ``Limits``, and consistent with the others.
    /// - Throws: ``RunError`` (`.invalidSetting`) whose subject is the setting's key and whose message gives the
    ///   allowed range and the value found.
    public func validate() throws {
        try validateData()
        try validateNetwork()
        try validateObjective()
        try validateOptimization()
        try validateSubstrate()
    }

    private func validateData() throws {
        let knownDatasets = "mnist, fashion-mnist, shd, synthetic"
        guard Self.datasets.contains(dataset) else {
            throw SettingCheck.fail(
                "dataset", "unknown dataset '\(dataset)'.\(Suggestion.hint(for: dataset, in: Self.datasets)) Known: \(knownDatasets)")
        }
        try SettingCheck.int(imageSize, "imageSize", 1...Limits.imageSize)
        try SettingCheck.int(validationSamples, "validationSamples", 0...Limits.samples)
        if let n = trainSamples { try SettingCheck.int(n, "trainSamples", 1...Limits.samples) }
        if let n = testSamples { try SettingCheck.int(n, "testSamples", 1...Limits.samples) }
        try SettingCheck.positive(tauIn, "tauIn", max: Limits.seconds)
        try SettingCheck.real(thresholdIn, "thresholdIn", min: 0, max: 1, openMin: true, openMax: true)
        try SettingCheck.positive(shdTimeScale, "shdTimeScale", max: Limits.scale)
        try SettingCheck.int(shdChannelOffset, "shdChannelOffset", 0...Limits.channelIndex)
        try SettingCheck.int(shdChannelStride, "shdChannelStride", 1...Limits.channelIndex)
        try SettingCheck.real(dropout, "dropout", min: 0, max: 1, openMax: true)
        try SettingCheck.nonNegative(rotation, "rotation", max: 180)
        try SettingCheck.int(channelJitter, "channelJitter", 0...Limits.channelJitter)
        try SettingCheck.int(augmentOnsetShift, "augmentOnsetShift", 0...Limits.channelJitter)
        try SettingCheck.int(augmentChannelMask, "augmentChannelMask", 0...Limits.channelJitter)
        try SettingCheck.int(augmentTimeMask, "augmentTimeMask", 0...Limits.channelJitter)
        try SettingCheck.real(augmentSpikeDrop, "augmentSpikeDrop", min: 0, max: 1, openMax: true)
        if dataset == "synthetic" {
            let total = (trainSamples ?? RunData.syntheticTrainSamples) + validationSamples
            guard total <= Limits.syntheticSamples else {
                throw SettingCheck.fail(
                    trainSamples == nil ? "validationSamples" : "trainSamples",
                    "the synthetic task generates training plus validation samples, at most \(Limits.syntheticSamples), got \(total)")
            }
        }
    }

    private func validateNetwork() throws {
        guard !hidden.isEmpty else { throw SettingCheck.fail("hidden", "needs at least one layer size, got []") }
        guard hidden.count <= Limits.hiddenLayers else {
            throw SettingCheck.fail("hidden", "at most \(Limits.hiddenLayers) hidden layers, got \(hidden.count)")
        }
        for h in hidden { try SettingCheck.int(h, "hidden", 1...Limits.hiddenSize) }
        let weights =
            zip(hidden, hidden.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 }
            + (recurrent ? hidden.reduce(0) { $0 + $1 * $1 } : 0)
        guard weights <= Limits.hiddenWeights else {
            throw SettingCheck.fail(
                "hidden",
                "\(hidden)\(recurrent ? " (recurrent)" : "") has \(weights) hidden weights, at most \(Limits.hiddenWeights)"
            )
        }
        try SettingCheck.int(steps, "steps", 1...Limits.steps)
        let neurons = hidden.reduce(0, +)
        guard steps * neurons <= Limits.stepNeurons else {
            throw SettingCheck.fail(
                "steps",
                "\(steps) steps × \(neurons) hidden neurons = \(steps * neurons) exceeds \(Limits.stepNeurons) (the state recorded per sample for training); use fewer steps or smaller hidden layers")
        }
        try SettingCheck.positive(dt, "dt", max: Limits.seconds)
        try SettingCheck.positive(tauMem, "tauMem", max: Limits.seconds)
        try SettingCheck.positive(tauSyn, "tauSyn", max: Limits.seconds)
        try SettingCheck.real(threshold, "threshold", min: 0, max: Limits.scale, openMin: true)
        try SettingCheck.nonNegative(initScale, "initScale", max: Limits.scale)
        try SettingCheck.real(hiddenInitMean, "hiddenInitMean", min: -Limits.scale, max: Limits.scale)
        if let s = initStd {
            guard s.count == hidden.count + 1 else {
                throw SettingCheck.fail(
                    "initStd", "needs \(hidden.count + 1) non-negative SDs (hidden layers, then the readout), got \(s)")
            }
            for x in s { try SettingCheck.nonNegative(x, "initStd", max: Limits.scale) }
        }
        if let w = weightLimit { try SettingCheck.real(w, "weightLimit", min: 0, max: Limits.scale, openMin: true) }
    }

    private func validateObjective() throws {
        guard let s = Surrogate(parsing: surrogate), s.beta.isFinite, s.beta <= Float(Limits.scale) else {
            throw SettingCheck.fail(
                "surrogate",
                "unknown surrogate '\(surrogate)' (superspike, sigmoid, exponential, triangle, optionally :beta with a finite beta in (0, 1e+06])"
            )
        }
        try SettingCheck.real(readoutScale, "readoutScale", min: 0, max: Limits.scale, openMin: true)
        try SettingCheck.real(tieBreakNoise, "tieBreakNoise", min: 0, max: Limits.scale)
        let strengths: [(String, Float)] = [
            ("burst", burst), ("readoutAmplitude", readoutAmplitude), ("upperBound", upperBound),
            ("lowerBound", lowerBound), ("hiddenL2", hiddenL2), ("readoutL2", readoutL2),
            ("upperThreshold", upperThreshold), ("lowerThreshold", lowerThreshold),
        ]
        for (key, value) in strengths { try SettingCheck.real(value, key, min: 0, max: Limits.scale) }
    }

    private func validateOptimization() throws {
        try SettingCheck.positive(learningRate, "learningRate", max: Limits.scale)
        try SettingCheck.real(lrDecay, "lrDecay", min: 0, max: 1, openMin: true)
        try SettingCheck.int(lrDecayEvery, "lrDecayEvery", 1...Limits.epochs)
        try SettingCheck.nonNegative(weightDecay, "weightDecay", max: Limits.scale)
        try SettingCheck.real(momentum, "momentum", min: 0, max: 1, openMax: true)
        try SettingCheck.int(batchSize, "batchSize", 1...Limits.batchSize)
        try SettingCheck.int(epochs, "epochs", 0...Limits.epochs)
        if let t = threads { try SettingCheck.int(t, "threads", 1...Limits.threads) }
        guard LearningRule(name: learning) != nil else {
            throw SettingCheck.fail("learning", "unknown rule '\(learning)' (bptt, rtrl, onchip, eprop, diagonal, superspike)")
        }
        try SettingCheck.int(onchipSampleEvery, "onchipSampleEvery", 1...Limits.steps)
        try SettingCheck.real(onchipHomeostasis, "onchipHomeostasis", min: 0, max: Limits.scale)
    }

    private func validateSubstrate() throws {
        let spec = try SubstrateSpec(parsing: substrate)
        if learning == "onchip" {
            guard spec.isChip else { throw SettingCheck.fail("learning", "onchip runs on the emulated chip's plasticity processor: set --substrate chip[:SEED]") }
            guard loss == .sumOverTime else { throw SettingCheck.fail("loss", "on-chip learning needs the sum-over-time loss (--loss sum): the readout error must be known only at the end of a run") }
            guard hidden.count == 1 && !recurrent else { throw SettingCheck.fail("hidden", "on-chip learning trains one feed-forward hidden layer (--hidden N, not recurrent)") }
            guard chipCount == 1 else { throw SettingCheck.fail("chipCount", "on-chip learning runs on one chip's plasticity processor: set --chip-count 1") }
        }
        if dropout > 0 && (learning != "bptt" || spec.isChip) {
            throw SettingCheck.fail("dropout", "is implemented for BPTT on the software substrate")
        }
        try SettingCheck.nonNegative(chipMismatchScale, "chipMismatchScale", max: 100)
        if let n = chipNoise { try SettingCheck.nonNegative(n, "chipNoise", max: 100) }
        try SettingCheck.nonNegative(chipDecalibration, "chipDecalibration", max: 10)
        if let s = chipSubsteps { try SettingCheck.int(s, "chipSubsteps", 1...Limits.chipSubsteps) }
        try SettingCheck.int(chipCount, "chipCount", 1...Limits.chips)
        try SettingCheck.int(chipRoutingDelay, "chipRoutingDelay", 0...steps)
        if !spec.isChip && (chipCount != 1 || chipRoutingDelay != 0) {
            throw SettingCheck.fail(chipCount != 1 ? "chipCount" : "chipRoutingDelay", "applies to emulated chips: set --substrate chip[:SEED]")
        }
        if spec.isChip {
            for (key, tau) in [("tauMem", tauMem), ("tauSyn", tauSyn)] {
                try SettingCheck.real(
                    tau, key, min: ChipInspection.tauRange.lowerBound, max: ChipInspection.tauRange.upperBound)
            }
        }
    }
}
