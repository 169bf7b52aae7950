import Foundation
import SpikeRun
import Testing

/// One naming scheme, every key documented, and "did you mean".
@Suite(.serialized) struct ConfigKeysTests {
    @Test("every setting has a description, a file name that round-trips, and listed flags exist")
    func documented() {
        let keys = RunConfig.allKeys
        #expect(keys.count >= 60)
        for k in keys {
            #expect(RunConfig.keyDescriptions[k] != nil, "setting \(k) is not documented")
            #expect(RunConfig.propertyKey(RunConfig.fileKey(k)) == k, "\(k) ↔ \(RunConfig.fileKey(k))")
            #expect(!RunConfig.fileKey(k).contains { $0.isUppercase })
        }
        #expect(Set(RunConfig.keyDescriptions.keys).subtracting(keys).isEmpty, "descriptions of unknown settings")
        #expect(Set(RunOverrides.flaggedKeys).isSubset(of: Set(keys)))
        #expect(RunOverrides.flagName(forKey: "learning_rate") == "--learning-rate (--lr)")
        #expect(RunOverrides.flagName(forKey: "hidden_l2") == "--hidden-l2")
        #expect(RunConfig.defaultDescription(forKey: "epochs") == "100, synthetic: 10, shd: 50")
        #expect(RunConfig.defaultDescription(forKey: "recurrent") == "false, shd: true")
    }

    @Test("docs/CONFIG.md is the output of spikeloop config keys --markdown")
    func docsUpToDate() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/CONFIG.md"), encoding: .utf8)
        #expect(text.contains(SettingDoc.markdown), "regenerate docs/CONFIG.md with spikeloop config keys --markdown")
    }

    @Test("config.json is snake case; old camelCase files load with a deprecation warning and the same values")
    func oldKeys() throws {
        var config = RunConfig.synthetic
        config.learningRate = 0.004
        config.hiddenL2 = 0.2
        #expect(config.json.contains("\"learning_rate\" : 0.004") && config.json.contains("\"hidden_l2\""))
        #expect(!config.json.contains("learningRate"))
        let snake = RunConfigTests.tempPath("yaml"), camel = RunConfigTests.tempPath("yaml")
        try "learning_rate: 0.004\nhidden_l2: 0.2\n".write(toFile: snake, atomically: true, encoding: .utf8)
        try "learningRate: 0.004\nhiddenL2: 0.2\n".write(toFile: camel, atomically: true, encoding: .utf8)
        var warnings: [String] = []
        let saved = RunConfig.warningHandler
        RunConfig.warningHandler = { warnings.append($0) }
        defer { RunConfig.warningHandler = saved }
        let a = try RunConfig.synthetic.overlaid(withFile: snake)
        #expect(warnings.isEmpty)
        let b = try RunConfig.synthetic.overlaid(withFile: camel)
        #expect(a == b && a == config)
        #expect(warnings.count == 1 && warnings[0].contains("hidden_l2 (not hiddenL2)"))
    }

    @Test("did you mean: near misses get the nearest name, far ones nothing")
    func suggestions() throws {
        #expect(Suggestion.closest(to: "trian", in: ["train", "evaluate", "export"]) == "train")
        #expect(Suggestion.closest(to: "fashion-mnst", in: RunConfig.datasets) == "fashion-mnist")
        #expect(Suggestion.closest(to: "colour", in: ["train", "evaluate"]) == nil)
        #expect(Suggestion.distance("kitten", "sitting") == 3 && Suggestion.distance("ab", "ba") == 1)
        let file = RunConfigTests.tempPath("yaml")
        try "learning_rat: 0.1\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect {
            try RunConfig().overlaid(withFile: file)
        } throws: { e in
            "\(e)".contains("unknown setting 'learning_rat'. Did you mean 'learning_rate'?")
        }
        var c = RunConfig.synthetic
        c.dataset = "fashion-mnst"
        #expect { try c.validate() } throws: { "\($0)".contains("Did you mean 'fashion-mnist'?") }
        #expect { try SubstrateSpec(parsing: "chp:2") } throws: { "\($0)".contains("Did you mean 'chip:2'?") }
    }
}
