import Foundation
import SpikeAudio
import SpikeCore

// Range checks of the settings of SpikeRun's other commands (convert audio, inspect chip, experiment mismatch,
// bench, dataset spoken-digits). Each throws ``RunError`` (`.invalidSetting`) whose subject is the setting's key
// (``RunOverrides/flagName(forKey:)`` gives the CLI flag) and whose message gives the allowed range.

extension ChipInspection {
    /// Calibration targets the emulated chip can reach, seconds of chip time (0.1 µs to 1 ms).
    public static let tauRange: ClosedRange<Double> = 1e-7...1e-3

    /// Checks the calibration targets before any measurement runs.
    public static func validate(tauMem: Double, tauSyn: Double) throws {
        try SettingCheck.real(tauMem, "tauMem", min: tauRange.lowerBound, max: tauRange.upperBound)
        try SettingCheck.real(tauSyn, "tauSyn", min: tauRange.lowerBound, max: tauRange.upperBound)
    }
}

extension AudioConversion {
    /// Highest pipeline sample rate, Hz (a 1.2 KB WAV at an absurd rate must not expand to gigabytes).
    public static let maxSampleRate = 192_000.0
    /// Longest Hann ramp, seconds.
    public static let maxHannRamp = 60.0
    /// Labels and speaker ids are stored as 16-bit unsigned integers in the SHD layout.
    public static let labelRange = 0...65_535
    public static let maxRepetitions = 1000

    /// Checks the label, speaker, repetitions, threads and cochlea parameters before any file is read.
    public func validate() throws {
        try SettingCheck.int(label, "label", Self.labelRange)
        try SettingCheck.int(speaker, "speaker", Self.labelRange)
        try SettingCheck.int(repetitions, "repetitions", 1...Self.maxRepetitions)
        if let t = threads { try SettingCheck.int(t, "threads", 1...RunConfig.Limits.threads) }
        try SettingCheck.real(parameters.sampleRate, "sampleRate", min: 4000, max: Self.maxSampleRate)
        try SettingCheck.nonNegative(parameters.hannRamp, "hannRamp", max: Self.maxHannRamp)
        try SettingCheck.real(parameters.lowestCF, "lowestCF", min: 0, max: Self.maxSampleRate, openMin: true)
        try SettingCheck.real(parameters.highestCF, "highestCF", min: 0, max: Self.maxSampleRate, openMin: true)
        try SettingCheck.int(parameters.channels, "channels", 1...65_535)
        do {
            try parameters.validate()
            try lauscher.validate()
        } catch let e as CochleaError {
            throw RunError(.invalidSetting, subject: e.field, e.message)
        }
    }
}

extension MismatchExperiment {
    /// Checks the run config, the epochs, the spreads and the chip list before any data is loaded.
    public func validate() throws {
        try config.validate()
        try SettingCheck.int(softwareEpochs, "softwareEpochs", 0...RunConfig.Limits.epochs)
        try SettingCheck.int(loopEpochs, "loopEpochs", 0...RunConfig.Limits.epochs)
        guard !sigmas.isEmpty else { throw SettingCheck.fail("sigmas", "needs at least one spread") }
        for s in sigmas { try SettingCheck.nonNegative(s, "sigmas", max: 10) }
        guard (1...1000).contains(chips.count) else {
            throw SettingCheck.fail("chips", "needs 1…1000 chip seeds, got \(chips.count)")
        }
    }
}

extension Benchmark {
    /// Most samples a benchmark encodes for training or inference (memory).
    public static let maxSamples = 2_000_000

    /// Checks threads, steps, batch size and batch counts before anything is allocated.
    public func validate() throws {
        if let t = threads { try SettingCheck.int(t, "threads", 1...RunConfig.Limits.threads) }
        if let s = steps { try SettingCheck.int(s, "steps", 1...RunConfig.Limits.steps) }
        if let b = batchSize { try SettingCheck.int(b, "batchSize", 1...RunConfig.Limits.batchSize) }
        let batch = batchSize ?? 256
        try SettingCheck.int(trainBatches, "trainBatches", 1...(Self.maxSamples / batch - 2))
        try SettingCheck.int(inferenceBatches, "inferenceBatches", 1...(Self.maxSamples / 1000))
        try SettingCheck.int(singleSamples, "singleSamples", 1...Self.maxSamples)
    }
}

extension SpokenDigitsGeneration {
    /// Checks the corpus (voices, speeds, pitches, languages) and the threads before anything is synthesized.
    public func validate() throws {
        if let t = threads { try SettingCheck.int(t, "threads", 1...RunConfig.Limits.threads) }
        try SettingCheck.int(corpus.voices, "voices", 2...10_000)
        do { try corpus.validate() } catch let e as CochleaError {
            throw RunError(.invalidSetting, subject: e.field, e.message)
        }
    }
}
