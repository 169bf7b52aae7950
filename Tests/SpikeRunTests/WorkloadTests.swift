import Foundation
import SpikeRun
import Testing

@Suite struct WorkloadTests {
    @Test("the paper bench network is the RunConfig default network, weight for weight")
    func paperNetwork() {
        let w = BenchmarkWorkload(paper: true, seed: 3)
        // The definition `spikeloop bench --paper` used before it built its network from a RunConfig.
        let p = LIFParameters.paper
        let beta = exp(-1.7 / 6.0)
        let reference = Network.feedForward(
            sizes: [256, 246, 10], dt: 1.7e-6, hidden: p, readout: p,
            initializers: [
                WeightInit.paper(inputCount: 256, beta: beta, mean: 1e-3),
                WeightInit.paper(inputCount: 246, beta: beta),
            ],
            weightLimit: 63.0 / 240.0, seed: 3)
        #expect(w.network == reference)
        #expect(w.config.steps == 20 && w.config.batchSize == 100)
    }

    @Test("the SG-MLP16 bench network keeps its weights and hidden neurons")
    func sgMLP16Network() {
        let w = BenchmarkWorkload(paper: false, seed: 5)
        let p = LIFParameters(
            tauMem: 10e-3, tauSyn: 5e-3, vThreshold: 1, reset: .zero, resetGradient: .detached, currentTiming: .delayed,
            inputScaling: .oneMinusBeta)
        let reference = Network.feedForward(
            sizes: [256, 246, 10], dt: 1e-3, hidden: p, readout: p,
            initializers: [WeightInit(std: 14.0 / 16.0), WeightInit(std: Float(7.0 / 246.0.squareRoot()))], seed: 5)
        let n = w.network
        #expect(n.dt == reference.dt && n.layers.map(\.weights) == reference.layers.map(\.weights))
        #expect(n.layers[0] == reference.layers[0])
        #expect(n.layers[1].parameters.tauMem == p.tauMem && n.layers[1].parameters.currentTiming == .delayed)
        let o = w.config.objective
        #expect(o.loss.scale == 1 && o.loss.tieBreakNoise == 0 && o.surrogate == .superSpike(beta: 25))
        #expect(w.config.steps == 100 && w.config.batchSize == 256 && w.input(samples: 20, seed: 1).sampleCount == 20)
    }

    @Test("a tiny benchmark measures training and inference and reports the spikes of the initial network")
    func tinyBenchmark() throws {
        var b = Benchmark()
        b.trainBatches = 1
        b.inferenceBatches = 1
        b.singleSamples = 3
        b.steps = 20
        b.batchSize = 20
        b.threads = 2
        let r = try b.run()
        #expect(
            r.trainingSamplesPerSecond > 0 && r.inferenceSamplesPerSecond > 0 && r.singleSampleInferencesPerSecond > 0)
        #expect(r.inference.samples == 1000 && r.steps == 20 && r.batchSize == 20 && r.substrateName == "software")
        #expect(r.jsonObject["workload"] as? String == "sg-mlp16")
    }

    @Test("the mismatch experiment on a tiny task writes its plot, table and report with one row per spread")
    func tinyMismatch() throws {
        var c = TrainingRunTests.tinyConfig()
        c.chipCalibrated = false
        let out = RunDirectoryTests.tempURL().path
        let experiment = MismatchExperiment(
            config: c, sigmas: [0, 0.3], chips: [4], softwareEpochs: 1, loopEpochs: 1, outputDirectory: out)
        #expect(experiment.config.validationSamples == 0)
        var chipsDone = 0
        let r = try experiment.run { if case .chipDone = $0 { chipsDone += 1 } }
        #expect(
            chipsDone == 2 && r.rows.map(\.sigma) == [0, 0.3]
                && r.rows.allSatisfy { $0.transfer.count == 1 && $0.inTheLoopSD == 0 })
        #expect(
            FileManager.default.fileExists(atPath: r.plotPath) && FileManager.default.fileExists(atPath: r.tablePath))
        let table =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: r.tablePath)))
            as? [String: Any]
        #expect((table?["results"] as? [[String: Any]])?.count == 2 && table?["chips"] as? [Int] == [4])
        // the report shows the largest spread on the first chip, with both training phases
        let report = try String(contentsOfFile: try #require(r.reportPath), encoding: .utf8)
        #expect(report.contains(r.headline) && report.contains("in the loop →") && report.contains("id='chip-traces'"))
        #expect(r.headline.hasPrefix("In the loop") && r.headline.contains("σ_d 0.30") && r.headline.contains("chip 4"))
    }
}
