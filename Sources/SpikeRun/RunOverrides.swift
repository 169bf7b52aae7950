import Foundation
import SpikeTraining

/// The settings a user gives on the command line, applied over defaults, a config file or a saved run's config:
/// the resolution `spikeloop train`, `experiment mismatch` and the examples share.
///
/// Every property is optional so that the file and the defaults show through. ``resolve(base:)`` validates the
/// result, and its errors name what the user typed: the flag (`--lr`) when a flag set the value, the file and key
/// when the config file did, the key otherwise.
public struct RunOverrides: Sendable {
    public var dataset: String?
    public var dataDir: String?
    /// A YAML or JSON file with settings (same keys as `config.json`).
    public var configFile: String?
    public var epochs: Int?
    public var batchSize: Int?
    public var learningRate: Double?
    public var lrDecay: Double?
    public var optimizer: OptimizerKind?
    /// Comma-separated hidden layer sizes, as typed.
    public var hidden: String?
    public var recurrent = false
    public var steps: Int?
    public var dt: Double?
    public var tauMem: Double?
    public var tauSyn: Double?
    public var reset: ResetMode?
    public var resetGradient: ResetGradient?
    public var surrogate: String?
    public var loss: ReadoutReduction?
    public var readoutScale: Float?
    public var burst: Float?
    public var hiddenL2: Float?
    public var rotation: Double?
    public var channelJitter: Int?
    public var augmentOnsetShift: Int?
    public var augmentChannelMask: Int?
    public var augmentTimeMask: Int?
    public var augmentSpikeDrop: Double?
    public var dropout: Float?
    public var validationSamples: Int?
    public var trainSamples: Int?
    public var seed: UInt64?
    public var threads: Int?
    public var learning: String?
    public var feedback: Feedback?
    public var substrate: String?
    public var uncalibrated = false
    public var mismatchScale: Double?
    public var chipNoise: Double?
    public var decalibration: Double?
    public var chipSubsteps: Int?
    public var chipCount: Int?
    public var chipRoutingDelay: Int?
    public var onchipSampleEvery: Int?
    public var onchipHomeostasis: Float?
    public var weightsOnlyCheckpoints = false
    /// nil: the config's; `--tensorboard` / `--no-tensorboard`.
    public var tensorboard: Bool?

    public init() {}

    /// The CLI flag of each config key whose flag is not the key in kebab case (with the short alias in
    /// parentheses, so an error names what the user may have typed).
    static let flagExceptions = [
        "learningRate": "--learning-rate (--lr)", "chipMismatchScale": "--chip-mismatch-scale (--mismatch-scale)",
        "chipDecalibration": "--chip-decalibration (--decalibration)", "chipCalibrated": "--uncalibrated",
        "configFile": "--config", "lowestCF": "--lowest-cf", "highestCF": "--highest-cf",
    ]

    /// The flag that sets config key `key` (property or file spelling): `--learning-rate (--lr)` for
    /// `learningRate`, else the key in kebab case (`batchSize`, `batch_size` → `--batch-size`). Keys without a flag
    /// get their would-be name, which is still recognizable.
    public static func flagName(forKey key: String) -> String {
        if key.hasPrefix("--") { return key }
        if let f = flagExceptions[RunConfig.propertyKey(key)] { return f }
        return "--" + RunConfig.fileKey(key).replacingOccurrences(of: "_", with: "-")
    }

    /// The config keys that have a flag of their own (`spikeloop config keys` shows them).
    public static let flaggedKeys: [String] = [
        "dataset", "dataDir", "epochs", "batchSize", "learningRate", "lrDecay", "optimizer", "hidden", "recurrent",
        "steps", "dt", "tauMem", "tauSyn", "reset", "resetGradient", "surrogate", "loss", "readoutScale", "burst",
        "hiddenL2", "rotation", "channelJitter", "augmentOnsetShift", "augmentChannelMask", "augmentTimeMask",
        "augmentSpikeDrop", "dropout", "validationSamples", "trainSamples", "seed", "threads",
        "learning", "feedback", "substrate", "chipCalibrated", "chipMismatchScale", "chipNoise", "chipDecalibration",
        "chipSubsteps", "chipCount", "chipRoutingDelay", "weightsOnlyCheckpoints", "tensorboard", "onchipSampleEvery", "onchipHomeostasis",
    ]

    /// The config keys this value sets.
    var keysSet: Set<String> {
        let values: [(String, Bool)] = [
            ("dataset", dataset != nil), ("dataDir", dataDir != nil), ("epochs", epochs != nil),
            ("batchSize", batchSize != nil), ("learningRate", learningRate != nil), ("lrDecay", lrDecay != nil),
            ("optimizer", optimizer != nil), ("hidden", hidden != nil), ("recurrent", recurrent),
            ("steps", steps != nil), ("dt", dt != nil), ("tauMem", tauMem != nil), ("tauSyn", tauSyn != nil),
            ("reset", reset != nil), ("resetGradient", resetGradient != nil), ("surrogate", surrogate != nil),
            ("loss", loss != nil), ("readoutScale", readoutScale != nil), ("burst", burst != nil),
            ("hiddenL2", hiddenL2 != nil), ("rotation", rotation != nil), ("channelJitter", channelJitter != nil),
            ("augmentOnsetShift", augmentOnsetShift != nil), ("augmentChannelMask", augmentChannelMask != nil),
            ("augmentTimeMask", augmentTimeMask != nil), ("augmentSpikeDrop", augmentSpikeDrop != nil),
            ("dropout", dropout != nil), ("validationSamples", validationSamples != nil),
            ("trainSamples", trainSamples != nil), ("seed", seed != nil), ("threads", threads != nil),
            ("learning", learning != nil), ("feedback", feedback != nil), ("substrate", substrate != nil),
            ("chipCalibrated", uncalibrated), ("chipMismatchScale", mismatchScale != nil),
            ("chipNoise", chipNoise != nil), ("chipDecalibration", decalibration != nil),
            ("chipSubsteps", chipSubsteps != nil), ("chipCount", chipCount != nil), ("chipRoutingDelay", chipRoutingDelay != nil),
            ("weightsOnlyCheckpoints", weightsOnlyCheckpoints),
            ("tensorboard", tensorboard != nil), ("onchipSampleEvery", onchipSampleEvery != nil),
            ("onchipHomeostasis", onchipHomeostasis != nil),
        ]
        return Set(values.filter(\.1).map(\.0))
    }

    /// Defaults (of ``dataset``, or of the dataset the config file names) or `base`, then the config file, then
    /// the flags; validated.
    /// - Throws: ``RunError``: `.configFile` for a file that cannot be used, `.invalidSetting` whose subject is
    ///   the flag (`--lr`), `file: key`, or the key, and whose message gives the allowed range.
    public func resolve(base: RunConfig? = nil) throws -> RunConfig {
        var c = base ?? RunConfig.defaults(for: dataset ?? "fashion-mnist")
        var fileKeys: Set<String> = []
        if let f = configFile {
            c = try c.overlaid(withFile: f)
            fileKeys = Self.keys(ofFile: f)
            // A config file that names the dataset starts from that dataset's defaults, as the flag would.
            if dataset == nil, base == nil, c.dataset != "fashion-mnist", RunConfig.datasets.contains(c.dataset) {
                c = try RunConfig.defaults(for: c.dataset).overlaid(withFile: f)
            }
        }
        try apply(to: &c)
        do { try c.validate() } catch let e as RunError where e.code == .invalidSetting {
            throw relabel(e, fileKeys: fileKeys)
        }
        return c
    }

    /// Names the flag or the file in a validation error of key `e.subject`.
    func relabel(_ e: RunError, fileKeys: Set<String>) -> RunError {
        let key = RunConfig.propertyKey(e.subject)
        let name = RunConfig.fileKey(key)
        if keysSet.contains(key) {
            return RunError(.invalidSetting, subject: Self.flagName(forKey: key), "\(e.message) (setting \(name))")
        }
        if let f = configFile, fileKeys.contains(key) {
            return RunError(.invalidSetting, subject: "\(f): setting '\(name)'", e.message)
        }
        return RunError(.invalidSetting, subject: name, e.message)
    }

    private static func keys(ofFile path: String) -> Set<String> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let dict = (try? RunConfig.parseYAML(text, path: path)) as? [String: Any]
        else { return [] }
        return Set(dict.keys.map(RunConfig.propertyKey))
    }

    private func apply(to c: inout RunConfig) throws {
        if let v = dataset { c.dataset = v }
        if let v = dataDir { c.dataDir = v }
        if let v = epochs { c.epochs = v }
        if let v = batchSize { c.batchSize = v }
        if let v = learningRate { c.learningRate = v }
        if let v = lrDecay { c.lrDecay = v }
        if let v = optimizer { c.optimizer = v }
        if let v = hidden { c.hidden = try Self.parseHidden(v) }
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
        if let v = augmentOnsetShift { c.augmentOnsetShift = v }
        if let v = augmentChannelMask { c.augmentChannelMask = v }
        if let v = augmentTimeMask { c.augmentTimeMask = v }
        if let v = augmentSpikeDrop { c.augmentSpikeDrop = v }
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
        if let v = chipCount { c.chipCount = v }
        if let v = chipRoutingDelay { c.chipRoutingDelay = v }
        if weightsOnlyCheckpoints { c.weightsOnlyCheckpoints = true }
        if let v = tensorboard { c.tensorboard = v }
        if let v = onchipSampleEvery { c.onchipSampleEvery = v }
        if let v = onchipHomeostasis { c.onchipHomeostasis = v }
    }

    /// `246` or `128,64` → layer sizes; anything else (empty, non-integer, ≤ 0, overflowing) is an error naming
    /// `--hidden`.
    static func parseHidden(_ text: String) throws -> [Int] {
        let sizes = text.split(separator: ",", omittingEmptySubsequences: false).map {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw RunError(
                .invalidSetting, subject: "--hidden",
                "expects positive integer sizes separated by commas (e.g. 246 or 128,64), got '\(text)'")
        }
        return sizes.map { $0 ?? 0 }
    }
}
