import Foundation
import SpikeCore
import SpikeReport
import SpikeTraining

/// The central result of Cramer et al. 2022 (doi:10.1073/pnas.2109194119): as the chip is decalibrated, weights
/// trained in the ideal software simulator and copied onto the chip (transfer) lose accuracy, while training in
/// the loop on the same chip instance recovers it.
///
/// For each decalibration spread σ_d of τ_m, τ_s and (ϑ − leak) and each chip seed, (a) the software network is
/// evaluated on the chip, and (b) training continues in the loop for ``loopEpochs`` from the software weights
/// (or from the initial weights with ``fromScratch``). Accuracies are averaged over chips. What
/// `spikeloop experiment mismatch` does.
public struct MismatchExperiment: Sendable {
    /// The run settings; the validation split is not used (all training samples train).
    public var config: RunConfig
    /// Decalibration spreads σ_d (relative).
    public var sigmas: [Double]
    /// Chip instance seeds.
    public var chips: [UInt64]
    public var softwareEpochs: Int
    public var loopEpochs: Int
    public var fromScratch: Bool
    /// Folder for `mismatch-<dataset>.svg` and `.json`.
    public var outputDirectory: String

    public init(
        config: RunConfig, sigmas: [Double] = [0, 0.1, 0.2, 0.3, 0.5], chips: [UInt64] = [1, 2],
        softwareEpochs: Int = 30,
        loopEpochs: Int = 5, fromScratch: Bool = false, outputDirectory: String = "runs/mismatch"
    ) {
        var c = config
        c.validationSamples = 0
        self.config = c
        self.sigmas = sigmas
        self.chips = chips
        self.softwareEpochs = softwareEpochs
        self.loopEpochs = loopEpochs
        self.fromScratch = fromScratch
        self.outputDirectory = outputDirectory
    }

    /// What the experiment reports while it runs.
    public enum Event: Sendable {
        case dataLoaded(train: Int, test: Int)
        case softwareTrained(accuracy: Double, seconds: Double)
        case chipDone(sigma: Double, chip: UInt64, transferAccuracy: Double, inTheLoopAccuracy: Double)
    }

    /// Runs the experiment and writes the plot and the JSON table into ``outputDirectory``.
    public func run(events: (Event) -> Void = { _ in }) throws -> MismatchResult {
        try validate()
        BLAS.setThreads(1)
        let workers = config.workers
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        let data = try RunData.load(config)
        events(.dataLoaded(train: data.train.sampleCount, test: data.test.sampleCount))
        let initial = config.makeNetwork(inputs: data.channels, classes: data.classes)
        let objective = config.objective

        // (a) the software network, trained once
        let software = SoftwareSubstrate()
        let swTrainer = try makeTrainer(initial, substrate: software, seed: config.seed, workers: workers)
        let t0 = monotonicSeconds()
        for e in 0..<softwareEpochs { _ = try swTrainer.trainEpoch(data.train, epoch: e, batchSize: config.batchSize) }
        let inference = Inference(network: initial, stepCount: config.steps, workers: workers)
        try software.load(swTrainer.network)
        let swTest = try inference.evaluate(data.test, substrate: software, loss: objective.loss, classes: data.classes)
        events(.softwareTrained(accuracy: swTest.accuracy, seconds: monotonicSeconds() - t0))

        var rows: [MismatchResult.Row] = []
        for sigma in sigmas {
            var transfer: [Double] = []
            var loop: [Double] = []
            for seed in chips {
                var settings = config.chipSettings
                settings.decalibration = sigma
                let chip = try SubstrateSpec.chip(seed: seed).makeSubstrate(for: swTrainer.network, chip: settings)
                try chip.load(swTrainer.network)
                transfer.append(
                    try inference.evaluate(data.test, substrate: chip, loss: objective.loss, classes: data.classes)
                        .accuracy)
                let trainer = try makeTrainer(
                    fromScratch ? initial : swTrainer.network, substrate: chip, seed: config.seed &+ seed,
                    workers: workers)
                for e in 0..<loopEpochs {
                    _ = try trainer.trainEpoch(
                        data.train, epoch: fromScratch ? e : softwareEpochs + e, batchSize: config.batchSize)
                }
                try chip.load(trainer.network)
                loop.append(
                    try inference.evaluate(data.test, substrate: chip, loss: objective.loss, classes: data.classes)
                        .accuracy)
                events(
                    .chipDone(sigma: sigma, chip: seed, transferAccuracy: transfer.last!, inTheLoopAccuracy: loop.last!)
                )
            }
            rows.append(MismatchResult.Row(sigma: sigma, transfer: transfer, inTheLoop: loop))
        }
        let result = MismatchResult(
            dataset: config.dataset, softwareAccuracy: swTest.accuracy, softwareEpochs: softwareEpochs,
            loopEpochs: loopEpochs, fromScratch: fromScratch, chips: chips, rows: rows,
            plotPath: (outputDirectory as NSString).appendingPathComponent("mismatch-\(config.dataset).svg"),
            tablePath: (outputDirectory as NSString).appendingPathComponent("mismatch-\(config.dataset).json"))
        try result.write()
        return result
    }

    private func makeTrainer(_ network: Network, substrate: Substrate, seed: UInt64, workers: Int) throws -> Trainer {
        try Trainer(
            network: network, optimizer: Optimizer(config: config.optimizerConfig, network: network),
            objective: config.objective, substrate: substrate, stepCount: config.steps, seed: seed, workers: workers)
    }
}

/// The table of a ``MismatchExperiment``: mean and SD over chips of transfer and in-the-loop accuracy per σ_d.
public struct MismatchResult: Sendable {
    public struct Row: Sendable {
        public var sigma: Double
        /// Test accuracy of each chip, in the order of ``MismatchExperiment/chips``.
        public var transfer: [Double]
        public var inTheLoop: [Double]

        public var transferMean: Double { Self.mean(transfer) }
        public var transferSD: Double { Self.sd(transfer) }
        public var inTheLoopMean: Double { Self.mean(inTheLoop) }
        public var inTheLoopSD: Double { Self.sd(inTheLoop) }

        static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }
        /// Sample SD (n − 1); 0 for one chip.
        static func sd(_ x: [Double]) -> Double {
            let m = mean(x)
            return x.count > 1 ? (x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(x.count - 1)).squareRoot() : 0
        }
    }

    public var dataset: String
    public var softwareAccuracy: Double
    public var softwareEpochs: Int
    public var loopEpochs: Int
    public var fromScratch: Bool
    public var chips: [UInt64]
    public var rows: [Row]
    /// Where the SVG plot and the JSON table are written.
    public var plotPath: String
    public var tablePath: String

    /// The JSON table (also the last line of `spikeloop experiment mismatch --json`).
    public var jsonObject: [String: Any] {
        let table: [[String: Any]] = rows.map { r in
            [
                "sigma_d": r.sigma, "transfer_accuracy": r.transferMean, "transfer_sd": r.transferSD,
                "in_the_loop_accuracy": r.inTheLoopMean, "in_the_loop_sd": r.inTheLoopSD, "chips": chips.count,
            ]
        }
        return [
            "dataset": dataset, "software_accuracy": softwareAccuracy, "software_epochs": softwareEpochs,
            "loop_epochs": loopEpochs, "from_scratch": fromScratch, "chips": chips.map { Int($0) }, "results": table,
            "plot": plotPath,
        ]
    }

    /// Writes the accuracy-vs-σ_d plot and the JSON table (atomically).
    public func write() throws {
        let svg = SVG.lineChart(
            title: "\(dataset): accuracy vs decalibration", xLabel: "σ_d (relative spread of τ_m, τ_s, ϑ − leak)",
            yLabel: "test accuracy (%)",
            series: [
                SVG.Series(
                    name: "transfer", points: rows.map { ($0.sigma, 100 * $0.transferMean) }, color: SVG.color(1)),
                SVG.Series(
                    name: "in the loop", points: rows.map { ($0.sigma, 100 * $0.inTheLoopMean) }, color: SVG.color(0)),
                SVG.Series(
                    name: "software", points: rows.map { ($0.sigma, 100 * softwareAccuracy) }, color: SVG.color(7)),
            ])
        try atomicWrite(Data(svg.utf8), to: URL(fileURLWithPath: plotPath))
        let json = try JSONSerialization.data(withJSONObject: jsonObject, options: [.sortedKeys, .prettyPrinted])
        try atomicWrite(json, to: URL(fileURLWithPath: tablePath))
    }
}
