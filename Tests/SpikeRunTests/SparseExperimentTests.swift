import Foundation
import SpikeRun
import SpikeTraining
import Testing

@Suite struct SparseExperimentTests {
    static func config() -> RunConfig {
        var c = RunConfig.defaults(for: "synthetic")
        c.epochs = 1
        c.trainSamples = 200
        c.testSamples = 100
        c.threads = 2
        return c
    }

    @Test("every method trains; sparse ones keep their density and leave masked weights at zero", arguments: SparseMethod.allCases)
    func methods(method: SparseMethod) throws {
        var ntt = NTTSettings(density: 0.25)
        ntt.iterations = 3
        ntt.batchSize = 4
        let r = try SparseExperiment(config: Self.config(), method: method, density: 0.25, ntt: ntt, nttPool: 50).run()
        #expect((0...1).contains(r.testAccuracy))
        if method == .dense {
            #expect(r.measuredDensity == 1)
        } else {
            #expect(abs(r.measuredDensity - 0.25) < 0.01, "\(method): density \(r.measuredDensity)")
        }
        #expect(r.jsonObject["method"] as? String == method.rawValue)
    }

    @Test("bad settings name their flag")
    func flagErrors() {
        for (e, flag) in [
            (SparseExperiment(config: Self.config(), method: .ntt, density: 0), "--density"),
            (SparseExperiment(config: Self.config(), method: .ntt, density: 0.1, nttPool: 2), "--ntt-pool"),
        ] {
            do {
                try e.validate()
                Issue.record("\(flag) accepted")
            } catch { #expect("\(error)".contains(flag), "\(error)") }
        }
        var odd = NTTSettings(density: 0.1)
        odd.batchSize = 3
        #expect(throws: (any Error).self) { try SparseExperiment(config: Self.config(), method: .ntt, density: 0.1, ntt: odd).validate() }
    }
}
