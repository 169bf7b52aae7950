import Foundation
import SpikeTraining
import Yams

extension RunConfig {
    /// Settings that are optional and therefore absent from an encoded config whose value is nil.
    static let optionalKeys: Set<String> = [
        "dataDir", "trainSamples", "testSamples", "initStd", "weightLimit", "threads", "chipNoise", "chipSubsteps",
    ]

    /// Largest config file read (a settings file is a few hundred bytes).
    public static let maxConfigFileBytes = 1 << 20
    /// YAML aliases (`*name`) a config file may use; a flat mapping of settings needs none, and the cap makes an
    /// alias bomb ("billion laughs") impossible before anything is expanded.
    public static let maxConfigAliases = 16
    /// Nodes of the parsed YAML after aliases are expanded.
    public static let maxConfigNodes = 10_000

    /// Overlays the keys of a YAML or JSON file; unknown keys are an error naming the key and the file.
    ///
    /// - Throws: ``RunError`` with code `.configFile` when the file cannot be read, is larger than
    ///   ``maxConfigFileBytes``, uses more than ``maxConfigAliases`` aliases or expands past ``maxConfigNodes``
    ///   nodes, is not a mapping, names an unknown setting, or gives a value of the wrong type or a NaN or ±∞
    ///   (naming the key).
    public func overlaid(withFile path: String) throws -> RunConfig {
        try overlaid(withFile: path, warnAboutOldKeys: true)
    }

    /// ``overlaid(withFile:)``; with `warnAboutOldKeys`, camelCase keys (the spelling before snake case) are
    /// reported through ``warningHandler``.
    func overlaid(withFile path: String, warnAboutOldKeys: Bool) throws -> RunConfig {
        let text: String
        do {
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
            guard size <= Self.maxConfigFileBytes else {
                throw RunError(
                    .configFile, subject: path,
                    "is \(size) bytes; a config file may have at most \(Self.maxConfigFileBytes)")
            }
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch let e as RunError { throw e } catch {
            throw RunError(.configFile, "cannot read config file \(path): \(error.localizedDescription)")
        }
        let loaded = try Self.parseYAML(text, path: path)
        guard let dict = loaded as? [String: Any] else {
            throw RunError(.configFile, subject: path, "expected a mapping of settings at the top level")
        }
        return try overlaid(with: dict, source: path, warnAboutOldKeys: warnAboutOldKeys)
    }

    /// Parses YAML (or JSON) text with the alias and size caps of ``overlaid(withFile:)``.
    static func parseYAML(_ text: String, path: String) throws -> Any? {
        let aliases = Self.aliasCount(text)
        guard aliases <= Self.maxConfigAliases else {
            throw RunError(
                .configFile, subject: path,
                "uses \(aliases) YAML aliases (*name), at most \(Self.maxConfigAliases): a config file is a flat mapping of settings (alias bombs are refused)"
            )
        }
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw RunError(.configFile, subject: path, "not valid YAML or JSON: \(error)")
        }
        guard let root = node else { return nil }
        var budget = Self.maxConfigNodes
        guard Self.fits(root, budget: &budget) else {
            throw RunError(
                .configFile, subject: path, "expands to more than \(Self.maxConfigNodes) YAML nodes (alias bomb?)")
        }
        return root.any
    }

    /// Alias tokens in YAML text: `*` right after the start of a line, a space or a flow indicator, followed by
    /// an anchor name. Overcounts inside quoted strings and comments, never undercounts.
    static func aliasCount(_ text: String) -> Int {
        var count = 0
        var previous: Character = "\n"
        var iterator = text.makeIterator()
        var pendingStar = false
        while let c = iterator.next() {
            if pendingStar, !c.isWhitespace, !",[]{}".contains(c) { count += 1 }
            pendingStar = c == "*" && (previous.isWhitespace || "[{,:?-".contains(previous))
            previous = c
        }
        return count
    }

    /// Walks `node` (aliases expanded) and spends one unit of `budget` per node; false when it runs out.
    private static func fits(_ node: Node, budget: inout Int) -> Bool {
        budget -= 1
        guard budget >= 0 else { return false }
        switch node {
        case .mapping(let m):
            for (k, v) in m where !fits(k, budget: &budget) || !fits(v, budget: &budget) { return false }
        case .sequence(let s):
            for n in s where !fits(n, budget: &budget) { return false }
        default: break
        }
        return true
    }

    /// Throws for the first NaN or ±∞ in a parsed setting (YAML `.nan`, `.inf`, `1e400`), naming its key.
    static func checkFinite(_ value: Any, key: String, source: String) throws {
        switch value {
        case let d as Double where !d.isFinite:
            throw RunError(
                .configFile, subject: source, "setting '\(key)': \(d) is not a finite number")
        case let a as [Any]:
            for (i, v) in a.enumerated() { try checkFinite(v, key: "\(key)[\(i)]", source: source) }
        case let m as [String: Any]:
            for (k, v) in m { try checkFinite(v, key: "\(key).\(k)", source: source) }
        default: break
        }
    }

    /// Overlays settings given as a dictionary (a parsed file, a checkpoint's metadata); `source` names them in errors.
    ///
    /// Keys are snake case (`learning_rate`); the camelCase spelling of older files and checkpoints is accepted
    /// (reported through ``warningHandler`` when `warnAboutOldKeys`). The record-only keys of `config.json`
    /// (`provenance`, `chip_model`) are skipped. An unknown key is an error that suggests the nearest known one.
    public func overlaid(with dict: [String: Any], source: String, warnAboutOldKeys: Bool = false) throws -> RunConfig {
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self))
        guard var merged = encoded as? [String: Any] else {
            preconditionFailure("a RunConfig encodes as a JSON object")
        }
        let known = Set(merged.keys).union(Self.optionalKeys)
        var oldSpellings: [String] = []
        for (k, v) in dict.sorted(by: { $0.key < $1.key }) where !Self.recordOnlyKeys.contains(k) {
            try Self.checkFinite(v, key: Self.fileKey(Self.propertyKey(k)), source: source)
            let property = Self.propertyKey(k)
            guard known.contains(property) else {
                let names = known.map(Self.fileKey).sorted()
                throw RunError(
                    .configFile, subject: source,
                    "unknown setting '\(k)'.\(Suggestion.hint(for: Self.fileKey(k), in: names)) Known settings (spikeloop config keys explains each): \(names.joined(separator: ", "))"
                )
            }
            if k != Self.fileKey(property) { oldSpellings.append(k) }
            merged[property] = v
        }
        if warnAboutOldKeys, !oldSpellings.isEmpty {
            Self.warningHandler(
                "\(source): camelCase setting names are deprecated; write \(oldSpellings.map { "\(Self.fileKey($0)) (not \($0))" }.joined(separator: ", "))"
            )
        }
        let dict = Dictionary(
            dict.filter { !Self.recordOnlyKeys.contains($0.key) }.map { (Self.propertyKey($0.key), $0.value) },
            uniquingKeysWith: { $1 })
        do {
            return try Self.decode(merged)
        } catch let DecodingError.typeMismatch(_, ctx), let DecodingError.dataCorrupted(ctx),
            let DecodingError.valueNotFound(_, ctx)
        {
            var key = ctx.codingPath.map { Self.fileKey($0.stringValue) }.joined(separator: ".")
            var why = ctx.debugDescription
            if key.isEmpty, let culprit = culprit(in: dict, base: encoded) {
                // Foundation reports some mismatches (1.5 or -1 for an integer) without a path: find the key.
                key = Self.fileKey(culprit)
                why =
                    "\(dict[culprit].map { "\($0)" } ?? "null") is not a valid value (expected the type of \(Self.describe(encoded, key: culprit)))"
            }
            throw RunError(.configFile, subject: source, "setting '\(key)': \(why)")
        } catch {
            throw RunError(.configFile, subject: source, "\(error)")
        }
    }

    private static func decode(_ object: [String: Any]) throws -> RunConfig {
        let data = try JSONSerialization.data(withJSONObject: object)
        return try JSONDecoder().decode(RunConfig.self, from: data)
    }

    /// The first key of `dict` (sorted) that alone makes the config undecodable.
    private func culprit(in dict: [String: Any], base: Any) -> String? {
        guard let base = base as? [String: Any] else { return nil }
        return dict.keys.sorted().first { k in
            var one = base
            one[k] = dict[k]
            return (try? Self.decode(one)) == nil
        }
    }

    /// The default value of `key` as an example of its type (`an integer like 100`).
    private static func describe(_ encoded: Any, key: String) -> String {
        guard let value = (encoded as? [String: Any])?[key] else { return "the setting" }
        return "its default, \(value)"
    }
}
