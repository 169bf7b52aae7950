import Foundation
import SpikeTraining
import Yams

extension RunConfig {
    /// Settings that are optional and therefore absent from an encoded config whose value is nil.
    static let optionalKeys: Set<String> = [
        "dataDir", "trainSamples", "testSamples", "initStd", "weightLimit", "threads", "chipNoise", "chipSubsteps",
    ]

    /// Overlays the keys of a YAML or JSON file; unknown keys are an error naming the key and the file.
    ///
    /// - Throws: ``RunError`` with code `.configFile` when the file cannot be read, is not a mapping, names an
    ///   unknown setting or gives a value of the wrong type.
    public func overlaid(withFile path: String) throws -> RunConfig {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw RunError(.configFile, "cannot read config file \(path): \(error.localizedDescription)")
        }
        let loaded: Any?
        do { loaded = try Yams.load(yaml: text) } catch {
            throw RunError(.configFile, subject: path, "not valid YAML or JSON: \(error)")
        }
        guard let dict = loaded as? [String: Any] else {
            throw RunError(.configFile, subject: path, "expected a mapping of settings at the top level")
        }
        return try overlaid(with: dict, source: path)
    }

    /// Overlays settings given as a dictionary (a parsed file, a checkpoint's metadata); `source` names them in errors.
    public func overlaid(with dict: [String: Any], source: String) throws -> RunConfig {
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self))
        guard var merged = encoded as? [String: Any] else {
            preconditionFailure("a RunConfig encodes as a JSON object")
        }
        let known = Set(merged.keys).union(Self.optionalKeys)
        for (k, v) in dict {
            guard known.contains(k) else {
                throw RunError(
                    .configFile, subject: source,
                    "unknown setting '\(k)' (known: \(known.sorted().joined(separator: ", ")))")
            }
            merged[k] = v
        }
        do {
            let data = try JSONSerialization.data(withJSONObject: merged)
            return try JSONDecoder().decode(RunConfig.self, from: data)
        } catch let DecodingError.typeMismatch(_, ctx), let DecodingError.dataCorrupted(ctx) {
            let key = ctx.codingPath.map(\.stringValue).joined(separator: ".")
            throw RunError(.configFile, subject: source, "setting '\(key)': \(ctx.debugDescription)")
        } catch {
            throw RunError(.configFile, subject: source, "\(error)")
        }
    }

    /// Checks every setting; the error names the setting, what was expected and what was found.
    public func validate() throws {
        func check(_ ok: Bool, _ field: String, _ msg: @autoclosure () -> String) throws {
            if !ok { throw RunError(.invalidSetting, subject: field, msg()) }
        }
        let knownDatasets = "mnist, fashion-mnist, shd, synthetic"
        try check(Self.datasets.contains(dataset), "dataset", "unknown dataset '\(dataset)' (known: \(knownDatasets))")
        try check(steps > 0, "steps", "must be positive, got \(steps)")
        try check(dt > 0, "dt", "must be positive, got \(dt)")
        try check(tauMem > 0 && tauSyn > 0, "tauMem/tauSyn", "must be positive")
        try check(
            !hidden.isEmpty && hidden.allSatisfy { $0 > 0 }, "hidden",
            "needs at least one positive layer size, got \(hidden)")
        if let s = initStd {
            try check(
                s.count == hidden.count + 1 && s.allSatisfy { $0 >= 0 }, "initStd",
                "needs \(hidden.count + 1) non-negative SDs (hidden layers, then the readout), got \(s)")
        }
        try check(batchSize > 0, "batchSize", "must be positive, got \(batchSize)")
        try check(epochs >= 0, "epochs", "must not be negative, got \(epochs)")
        try check(learningRate > 0, "learningRate", "must be positive, got \(learningRate)")
        try check(validationSamples >= 0, "validationSamples", "must not be negative")
        if let n = trainSamples { try check(n >= 0, "trainSamples", "must not be negative, got \(n)") }
        if let n = testSamples { try check(n >= 0, "testSamples", "must not be negative, got \(n)") }
        try check(channelJitter >= 0, "channelJitter", "must not be negative, got \(channelJitter)")
        try check(
            Surrogate(parsing: surrogate) != nil, "surrogate",
            "unknown surrogate '\(surrogate)' (superspike, sigmoid, exponential, triangle, optionally :beta)")
        if let t = threads { try check(t > 0, "threads", "must be positive, got \(t)") }
        let spec = try SubstrateSpec(parsing: substrate)
        try check(dropout >= 0 && dropout < 1, "dropout", "must lie in [0, 1), got \(dropout)")
        try check(
            dropout == 0 || (learning == "bptt" && !spec.isChip), "dropout",
            "is implemented for BPTT on the software substrate")
        try check(
            LearningRule(name: learning) != nil, "learning",
            "unknown rule '\(learning)' (bptt, rtrl, eprop, diagonal, superspike)")
        try check(
            chipMismatchScale >= 0 && chipDecalibration >= 0, "chipMismatchScale/chipDecalibration",
            "must not be negative")
        if let s = chipSubsteps { try check(s > 0, "chipSubsteps", "must be positive") }
    }
}
