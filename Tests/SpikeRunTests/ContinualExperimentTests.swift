import Foundation
import SpikeRun
import Testing

@Suite struct ContinualExperimentTests {
    static func config(epochs: Int = 1) -> RunConfig {
        var c = RunConfig.defaults(for: "synthetic")
        c.epochs = epochs
        c.trainSamples = 400
        c.testSamples = 200
        c.threads = 2
        return c
    }

    @Test("each method writes the accuracy matrix: one row per task (joint: one), tasks seen so far, and its plot")
    func matrixShapes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("continual-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (benchmark, method) in [(ContinualBenchmark.permuted, ContinualMethod.si), (.split, .finetune), (.split, .joint)] {
            let e = ContinualExperiment(config: Self.config(), benchmark: benchmark, method: method, taskCount: 3, outputDirectory: dir.path)
            let r = try e.run()
            let expected = method == .joint ? [3] : [1, 2, 3]
            #expect(r.accuracy.map(\.count) == expected, "\(benchmark) \(method)")
            #expect(r.accuracy.joined().allSatisfy { (0...1).contains($0) })
            #expect(abs(r.meanAccuracy - r.accuracy.last!.reduce(0, +) / 3) < 1e-12)
            let table = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: r.tablePath))) as! [String: Any]
            #expect(table["benchmark"] as? String == benchmark.rawValue && table["method"] as? String == method.rawValue)
            #expect(try String(contentsOfFile: r.plotPath, encoding: .utf8).hasPrefix("<svg"))
            let page = try String(contentsOfFile: r.reportPath, encoding: .utf8)
            #expect(page.contains("id='matrix'") && page.contains("<svg") && page.contains(benchmark.rawValue))
        }
    }

    @Test("split tasks are multi-head: two-class tasks of a learnable dataset are far above the 50 % chance level")
    func splitIsMultiHead() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("continual-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = Self.config(epochs: 8)
        c.trainSamples = 1000
        let r = try ContinualExperiment(config: c, benchmark: .split, method: .joint, taskCount: 5, outputDirectory: dir.path).run()
        #expect(r.meanAccuracy > 0.8, "\(r.accuracy)")
    }

    @Test("settings out of range are errors naming the flag")
    func validation() {
        for (e, flag) in [
            (ContinualExperiment(config: Self.config(), benchmark: .split, method: .si, taskCount: 0), "--task-count"),
            (ContinualExperiment(config: Self.config(), benchmark: .split, method: .si, siStrength: -1), "--si-c"),
            (ContinualExperiment(config: Self.config(), benchmark: .permuted, method: .si, siDamping: .nan), "--si-xi"),
        ] {
            #expect(throws: RunError.self) { try e.validate() }
            do { try e.validate() } catch { #expect("\(error)".contains(flag), "\(error)") }
        }
        // Split needs two classes per task.
        let tooMany = ContinualExperiment(config: Self.config(), benchmark: .split, method: .si, taskCount: 6)
        do { _ = try tooMany.run(); Issue.record("6 split tasks of 10 classes ran") } catch { #expect("\(error)".contains("--task-count")) }
    }
}
