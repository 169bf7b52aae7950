import Foundation
import SpikeAudio
import SpikeRun
import Testing

/// Generated bad values for every flag and config key: each must give a ``RunError`` (no trap, no hang) whose
/// text names the flag or key. The counts are printed for RESULTS.md.
@Suite struct SettingsFuzzTests {
    /// One malformed input: what it is, the name its error must contain, and how to feed it to the library.
    struct Case {
        var label: String
        var mustName: String
        var run: () throws -> Void
    }

    /// Runs every case; returns how many gave a `RunError` naming what they must.
    static func check(_ cases: [Case], group: String) -> Int {
        var named = 0
        for c in cases {
            do {
                try c.run()
                Issue.record("\(group): \(c.label) was accepted")
            } catch let e as RunError {
                let ok = e.description.contains(c.mustName)
                #expect(ok, "\(group): \(c.label): '\(e.description)' does not name \(c.mustName)")
                if ok { named += 1 }
            } catch {
                Issue.record("\(group): \(c.label) threw \(type(of: error)), not RunError: \(error)")
            }
        }
        print(
            "settings fuzz \(group): \(cases.count) malformed inputs, \(named) clear errors naming the flag or key, 0 crashes"
        )
        return named
    }

    static let badDoubles: [Double] = [.nan, .infinity, -.infinity, -1, 0, 1e300]
    static let badFloats: [Float] = [.nan, .infinity, -.infinity, -1, 1e30]
    static let badInts: [Int] = [-1, Int.min, Int.max]

    /// Bad values per flag, applied to `RunOverrides`; (flag, value text, setter).
    static var flagCases: [Case] {
        var cases: [Case] = []
        func add(_ key: String, _ value: String, _ set: @escaping (inout RunOverrides) -> Void) {
            let flag = RunOverrides.flagName(forKey: key)
            cases.append(
                Case(label: "\(flag) \(value)", mustName: flag) {
                    var o = RunOverrides()
                    o.dataset = "synthetic"
                    set(&o)
                    _ = try o.resolve()
                })
        }
        let doubles: [(String, WritableKeyPath<RunOverrides, Double?>)] = [
            ("learningRate", \.learningRate), ("lrDecay", \.lrDecay), ("dt", \.dt), ("tauMem", \.tauMem),
            ("tauSyn", \.tauSyn),
        ]
        for (key, path) in doubles { for v in badDoubles { add(key, "\(v)") { $0[keyPath: path] = v } } }
        let nonNegativeDoubles: [(String, WritableKeyPath<RunOverrides, Double?>)] = [
            ("rotation", \.rotation), ("chipMismatchScale", \.mismatchScale), ("chipNoise", \.chipNoise),
            ("chipDecalibration", \.decalibration),
        ]
        for (key, path) in nonNegativeDoubles {
            for v in badDoubles where v != 0 { add(key, "\(v)") { $0[keyPath: path] = v } }
        }
        let floats: [(String, WritableKeyPath<RunOverrides, Float?>)] = [
            ("readoutScale", \.readoutScale), ("burst", \.burst), ("hiddenL2", \.hiddenL2), ("dropout", \.dropout),
        ]
        for (key, path) in floats { for v in badFloats { add(key, "\(v)") { $0[keyPath: path] = v } } }
        add("dropout", "1") { $0.dropout = 1 }
        add("steps", "10000 with --hidden 4096") { ($0.steps, $0.hidden) = (10_000, "4096") }
        add("validationSamples", "1e8 on synthetic") { $0.validationSamples = 100_000_000 }
        add("trainSamples", "1e8 on synthetic") { $0.trainSamples = 100_000_000 }
        add("readoutScale", "0") { $0.readoutScale = 0 }
        let ints: [(String, WritableKeyPath<RunOverrides, Int?>, [Int])] = [
            ("epochs", \.epochs, []), ("batchSize", \.batchSize, [0]), ("steps", \.steps, [0]),
            ("channelJitter", \.channelJitter, []), ("validationSamples", \.validationSamples, []),
            ("trainSamples", \.trainSamples, [0]), ("threads", \.threads, [0, 10_000]),
            ("chipSubsteps", \.chipSubsteps, [0]), ("chipCount", \.chipCount, [0, 65]),
            ("chipRoutingDelay", \.chipRoutingDelay, []),
        ]
        for (key, path, extra) in ints { for v in badInts + extra { add(key, "\(v)") { $0[keyPath: path] = v } } }
        for text in [
            "", "0", "-1", "8,x", "99999999999999999999", "5000", "1,2,3,4,5,6,7,8,9", ",", "8,,8", "4096,4096,4096",
        ] {
            add("hidden", "'\(text)'") { $0.hidden = text }
        }
        let strings: [(String, WritableKeyPath<RunOverrides, String?>, [String])] = [
            ("surrogate", \.surrogate, ["relu", "superspike:inf", "superspike:nan", "sigmoid:-1", "superspike:1e30"]),
            ("substrate", \.substrate, ["chip:x", "gpu", "chip:-1"]), ("learning", \.learning, ["hebb", ""]),
            ("dataset", \.dataset, ["nope", ""]),
        ]
        for (key, path, values) in strings { for v in values { add(key, "'\(v)'") { $0[keyPath: path] = v } } }
        return cases
    }

    /// Every numeric config key and whether -1 is a valid value for it.
    static let numericKeys: [(String, Bool)] = [
        ("imageSize", false), ("validationSamples", false), ("trainSamples", false), ("testSamples", false),
        ("tauIn", false), ("thresholdIn", false), ("shdTimeScale", false), ("shdChannelOffset", false),
        ("shdChannelStride", false), ("dropout", false), ("rotation", false), ("channelJitter", false),
        ("augmentOnsetShift", false), ("augmentChannelMask", false), ("augmentTimeMask", false), ("augmentSpikeDrop", false),
        ("steps", false), ("dt", false), ("tauMem", false), ("tauSyn", false), ("threshold", false),
        ("initScale", false), ("hiddenInitMean", true), ("weightLimit", false), ("readoutScale", false),
        ("tieBreakNoise", false), ("burst", false), ("readoutAmplitude", false), ("upperBound", false),
        ("upperThreshold", false), ("lowerBound", false), ("lowerThreshold", false), ("hiddenL2", false),
        ("readoutL2", false), ("learningRate", false), ("lrDecay", false), ("lrDecayEvery", false),
        ("weightDecay", false), ("momentum", false), ("batchSize", false), ("epochs", false), ("seed", false),
        ("threads", false), ("chipMismatchScale", false), ("chipNoise", false), ("chipDecalibration", false),
        ("chipSubsteps", false), ("chipCount", false), ("chipRoutingDelay", false),
    ]

    static func file(_ text: String, _ ext: String = "yaml") -> String {
        let path = RunConfigTests.tempPath(ext)
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    /// A config file per key and bad value (NaN, ±∞, overflowing, ill-typed, negative), through the resolution.
    static var configCases: [Case] {
        var cases: [Case] = []
        func add(_ key: String, _ text: String, ext: String = "yaml") {
            cases.append(
                Case(label: "\(ext) `\(text)`", mustName: RunConfig.fileKey(key)) {
                    var o = RunOverrides()
                    o.dataset = "synthetic"
                    o.configFile = file(text, ext)
                    _ = try o.resolve()
                })
        }
        let values = [".nan", ".inf", "-.inf", "1e400", "99999999999999999999999", "\"text\"", "[1, 2]", "{a: 1}"]
        for (key, negativeOK) in numericKeys {
            for v in values { add(key, "\(RunConfig.fileKey(key)): \(v)") }
            if !negativeOK { add(key, "\(RunConfig.fileKey(key)): -1") }
        }
        for key in ["hidden", "initStd"] {
            for v in ["[.nan]", "[-1]", "\"x\"", "[1e400]", "[99999999999999999999]", "{a: 1}", "[]", "[[1]]"] {
                add(key, "\(RunConfig.fileKey(key)): \(v)")
            }
        }
        add("hidden", "hidden: [0]")
        add("hidden", "hidden: [100000]")
        for (key, json) in [
            ("learningRate", #"{"learningRate": 1e400}"#), ("epochs", #"{"epochs": -1}"#),
            ("batchSize", #"{"batchSize": 1.5}"#), ("steps", #"{"steps": null}"#), ("dt", #"{"dt": "1e-6"}"#),
            ("threads", #"{"threads": 100000}"#), ("seed", #"{"seed": -5}"#), ("hidden", #"{"hidden": [8, -8]}"#),
        ] {
            add(key, json, ext: "json")
        }
        return cases
    }

    /// Files that are not a usable config at all: each error must name the file.
    static var structuralCases: [Case] {
        let bomb = (1...9).map { level in
            level == 1
                ? "a1: &a1 [\(Array(repeating: "\"lol\"", count: 9).joined(separator: ","))]"
                : "a\(level): &a\(level) [\(Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ","))]"
        }.joined(separator: "\n")
        let keyBomb = "x: &x [1,1]\n" + (1...20).map { "k\($0): &k\($0) [*x, *x]" }.joined(separator: "\n")
        let texts: [(String, String)] = [
            ("alias bomb", bomb), ("alias chain", keyBomb), ("list", "- 1\n- 2\n"), ("scalar", "42\n"),
            ("unknown key", "learningRat: 0.1\n"), ("bad YAML", "epochs: [1, 2\n"), ("tab", "epochs:\t\t- x\n  - :\n"),
            ("duplicate key", "epochs: 1\nepochs: 2\n"), ("binary", "\u{0}\u{1}\u{2}\u{FFFD}epochs"),
            ("nested", String(repeating: "[", count: 500)), ("huge", String(repeating: "# padding\n", count: 120_000)),
        ]
        var cases = texts.map { label, text in
            let path = file(text)
            return Case(label: label, mustName: path) { _ = try RunConfig.synthetic.overlaid(withFile: path) }
        }
        let missing = RunConfigTests.tempPath("yaml")
        cases.append(Case(label: "missing file", mustName: missing) { _ = try RunConfig().overlaid(withFile: missing) })
        return cases
    }

    /// The other commands' numbers: convert audio, inspect chip, experiment mismatch, bench, spoken digits.
    static var commandCases: [Case] {
        var cases: [Case] = []
        func add(_ key: String, _ value: String, _ body: @escaping () throws -> Void) {
            cases.append(Case(label: "\(key) \(value)", mustName: RunConfig.fileKey(key), run: body))
        }
        func audio(_ change: @escaping (inout AudioConversion) -> Void) -> () throws -> Void {
            {
                var a = AudioConversion()
                change(&a)
                try a.validate()
            }
        }
        for v in [-1, 65_536, 3_000_000_000, Int.max, Int.min] {
            add("label", "\(v)", audio { $0.label = v })
            add("speaker", "\(v)", audio { $0.speaker = v })
        }
        for v in [0, -1, Int.max] { add("repetitions", "\(v)", audio { $0.repetitions = v }) }
        for v in [0, -1, 10_000] { add("threads", "\(v)", audio { $0.threads = v }) }
        for v in [Double.nan, .infinity, -1, 0, 1e30, 1e9] {
            add("sampleRate", "\(v)", audio { $0.parameters.sampleRate = v })
        }
        for v in [Double.nan, .infinity, -1, 1e9] { add("hannRamp", "\(v)", audio { $0.parameters.hannRamp = v }) }
        for v in [Double.nan, .infinity, -5] {
            add("lowestCF", "\(v)", audio { $0.parameters.lowestCF = v })
            add("highestCF", "\(v)", audio { $0.parameters.highestCF = v })
        }
        for v in [0, -1, 70_000, Int.max] { add("channels", "\(v)", audio { $0.parameters.channels = v }) }
        for v in [Double.nan, .infinity, 0, -1e-6, 1, 1e-12] {
            add("tauMem", "\(v)") { try ChipInspection.validate(tauMem: v, tauSyn: 6e-6) }
            add("tauSyn", "\(v)") { try ChipInspection.validate(tauMem: 6e-6, tauSyn: v) }
        }
        func mismatch(_ change: @escaping (inout MismatchExperiment) -> Void) -> () throws -> Void {
            {
                var m = MismatchExperiment(config: .synthetic)
                change(&m)
                try m.validate()
            }
        }
        for v in [-1, Int.min, Int.max] {
            add("softwareEpochs", "\(v)", mismatch { $0.softwareEpochs = v })
            add("loopEpochs", "\(v)", mismatch { $0.loopEpochs = v })
        }
        for v in [[Double.nan], [.infinity], [-1], [], [0, 1e9]] { add("sigmas", "\(v)", mismatch { $0.sigmas = v }) }
        add("chips", "[]", mismatch { $0.chips = [] })
        add("learningRate", "nan", mismatch { $0.config.learningRate = .nan })
        func bench(_ change: @escaping (inout Benchmark) -> Void) -> () throws -> Void {
            {
                var b = Benchmark()
                change(&b)
                try b.validate()
            }
        }
        for v in [0, -1, Int.max] {
            add("threads", "\(v)", bench { $0.threads = v })
            add("steps", "\(v)", bench { $0.steps = v })
            add("batchSize", "\(v)", bench { $0.batchSize = v })
            add("trainBatches", "\(v)", bench { $0.trainBatches = v })
            add("inferenceBatches", "\(v)", bench { $0.inferenceBatches = v })
            add("singleSamples", "\(v)", bench { $0.singleSamples = v })
        }
        func digits(_ change: @escaping (inout SpokenDigitsGeneration) -> Void) -> () throws -> Void {
            {
                var g = SpokenDigitsGeneration(corpus: SpokenDigitsCorpus(), output: "/nonexistent")
                change(&g)
                try g.validate()
            }
        }
        for v in [0, -1, Int.max] { add("threads", "\(v)", digits { $0.threads = v }) }
        for v in [1, -1, Int.max] { add("voices", "\(v)", digits { $0.corpus.voices = v }) }
        add("pitches", "[100]", digits { $0.corpus.pitches = [100] })
        add("speeds", "[0]", digits { $0.corpus.speeds = [0] })
        add("test-voices", "0", digits { $0.corpus.testVoices = 0 })
        return cases
    }

    @Test("every bad flag value gives an error naming the flag")
    func flags() {
        let cases = Self.flagCases
        #expect(cases.count >= 120 && Self.check(cases, group: "flags") == cases.count)
    }

    @Test("every bad config value gives an error naming the key, and broken files name the file")
    func configFiles() {
        let cases = Self.configCases + Self.structuralCases
        #expect(cases.count >= 300 && Self.check(cases, group: "config files") == cases.count)
    }

    @Test("every bad setting of the other commands gives an error naming it")
    func commands() {
        let cases = Self.commandCases
        #expect(cases.count >= 80 && Self.check(cases, group: "other commands") == cases.count)
    }
}
