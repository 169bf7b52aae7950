import Foundation
import SpikeRun
import Testing

@Suite struct RunConfigTests {
    static func tempPath(_ ext: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("spikerun-\(UUID().uuidString).\(ext)").path
    }

    @Test("per-dataset defaults: paper images, synthetic and the recurrent SHD setup")
    func defaults() {
        let mnist = RunConfig.defaults(for: "mnist")
        #expect(mnist.dataset == "mnist" && mnist.hidden == [246] && mnist.steps == 20 && mnist.dt == 1.7e-6)
        #expect(mnist.batchSize == 100 && mnist.learningRate == 1.5e-3 && mnist.lrDecay == 0.97)
        let synthetic = RunConfig.defaults(for: "synthetic")
        #expect(synthetic == .synthetic && synthetic.hidden == [64] && synthetic.epochs == 10)
        let shd = RunConfig.defaults(for: "shd")
        #expect(shd.recurrent && shd.hidden == [186] && shd.steps == 250 && shd.loss == .sumOverTime)
        #expect(RunConfig().dataset == "fashion-mnist")
    }

    @Test("a config.json written before SpikeRun still loads with every value (old run directories resume)")
    func oldConfigJSON() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/config-v1.json"
        ).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let config = try RunConfig().overlaid(withFile: path)
        #expect(
            config.dataset == "synthetic" && config.hidden == [32] && config.trainSamples == 300 && config.threads == 2)
        #expect(config.testSamples == nil && config.initStd == nil && !config.weightsOnlyCheckpoints)
        // Every key of the old file keeps its value: re-encoding gives the old file's keys plus newer settings.
        let old = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let new = try #require(try JSONSerialization.jsonObject(with: Data(config.json.utf8)) as? [String: Any])
        for (k, v) in old { #expect(new[RunConfig.fileKey(k)].map { "\($0)" } == "\(v)", "setting \(k)") }
    }

    @Test("a YAML file overlays its keys and keeps the rest")
    func overlay() throws {
        let path = Self.tempPath("yaml")
        try "epochs: 3\nhidden: [24, 12]\nlearningRate: 0.004\nsubstrate: chip:2\nchipNoise: 0.02\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        let c = try RunConfig.synthetic.overlaid(withFile: path)
        #expect(
            c.epochs == 3 && c.hidden == [24, 12] && c.learningRate == 0.004 && c.substrate == "chip:2"
                && c.chipNoise == 0.02)
        #expect(c.dataset == "synthetic" && c.batchSize == 50)
        try c.validate()
    }

    @Test("config-file errors name the file and the key")
    func overlayErrors() throws {
        let unknown = Self.tempPath("yaml")
        try "epochs: 2\nlearningRat: 0.1\n".write(toFile: unknown, atomically: true, encoding: .utf8)
        #expect(throws: RunError.self) { try RunConfig().overlaid(withFile: unknown) }
        do { _ = try RunConfig().overlaid(withFile: unknown) } catch let e as RunError {
            #expect(
                e.code == .configFile && e.subject == unknown && e.message.contains("unknown setting 'learningRat'"))
        }
        let wrongType = Self.tempPath("json")
        try #"{"epochs": "many"}"#.write(toFile: wrongType, atomically: true, encoding: .utf8)
        do {
            _ = try RunConfig().overlaid(withFile: wrongType)
            Issue.record("a string for epochs was accepted")
        } catch let e as RunError { #expect(e.description.contains(wrongType) && e.description.contains("'epochs'")) }
        let missing = Self.tempPath("yaml")
        #expect(throws: RunError.self) { try RunConfig().overlaid(withFile: missing) }
        let list = Self.tempPath("yaml")
        try "- 1\n- 2\n".write(toFile: list, atomically: true, encoding: .utf8)
        do {
            _ = try RunConfig().overlaid(withFile: list)
            Issue.record("a YAML list was accepted")
        } catch let e as RunError { #expect(e.message.contains("mapping")) }
    }

    /// One wrong setting each, and the setting the error must name.
    enum Breakage: CaseIterable, Sendable {
        case dataset, steps, hidden, initStd, batchSize, channelJitter, surrogate, substrate, dropout, dropoutOnChip
        case learning, testSamples

        func apply(to c: inout RunConfig) -> String {
            switch self {
            case .dataset: c.dataset = "nope"
            case .steps: c.steps = 0
            case .hidden: c.hidden = []
            case .initStd: c.initStd = [0.1]
            case .batchSize: c.batchSize = 0
            case .channelJitter: c.channelJitter = -1
            case .surrogate: c.surrogate = "relu"
            case .substrate: c.substrate = "chip:x"
            case .dropout: c.dropout = 1
            case .dropoutOnChip: (c.dropout, c.substrate) = (0.1, "chip:1")
            case .learning: c.learning = "hebb"
            case .testSamples: c.testSamples = -1
            }
            return self == .dropoutOnChip ? "dropout" : "\(self)"
        }
    }

    @Test("validate names the setting that is wrong", arguments: Breakage.allCases)
    func validation(breakage: Breakage) throws {
        var c = RunConfig.synthetic
        try c.validate()
        let field = breakage.apply(to: &c)
        #expect {
            try c.validate()
        } throws: { error in
            (error as? RunError)?.subject == RunConfig.fileKey(field)
        }
    }

    @Test("makeNetwork follows the sizes, the recurrent flag and the paper's initialization, deterministically")
    func network() throws {
        var c = RunConfig.synthetic
        c.hidden = [12, 8]
        c.recurrent = true
        let n = c.makeNetwork(inputs: 20, classes: 4)
        #expect(n.layers.map(\.kind) == [.recurrentLIF, .recurrentLIF, .leakyReadout])
        #expect(n.layers.map(\.inputCount) == [20, 12, 8] && n.layers.map(\.neuronCount) == [12, 8, 4])
        #expect(n == c.makeNetwork(inputs: 20, classes: 4))
        c.seed = 2
        #expect(n != c.makeNetwork(inputs: 20, classes: 4))
        c.recurrent = false
        c.initStd = [0, 0, 0]
        c.hiddenInitMean = 0.5
        let constant = c.makeNetwork(inputs: 20, classes: 4)
        #expect(
            constant.layers[0].weights.allSatisfy { $0 == 0.5 } && constant.layers[2].weights.allSatisfy { $0 == 0 })
    }
}
