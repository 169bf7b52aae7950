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
        /// One training epoch finished: `phase` is "software" or "in the loop" (then `chip` and `sigma` say where).
        case epochDone(phase: String, epoch: Int, of: Int, trainAccuracy: Double, seconds: Double)
        case softwareTrained(accuracy: Double, seconds: Double)
        case chipDone(sigma: Double, chip: UInt64, transferAccuracy: Double, inTheLoopAccuracy: Double)
    }

    /// The (σ_d, chip) pair the report shows in detail: the largest spread on the first chip, where the gap
    /// between transfer and in-the-loop training is widest.
    public var reportPair: (sigma: Double, chip: UInt64) { (sigmas.max() ?? 0, chips.first ?? 1) }

    /// Runs the experiment and writes the plot, the JSON table and the report into ``outputDirectory``.
    public func run(events: (Event) -> Void = { _ in }) throws -> MismatchResult {
        try validate()
        BLAS.setThreads(1)
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        let data = try RunData.load(config)
        events(.dataLoaded(train: data.train.sampleCount, test: data.test.sampleCount))
        let initial = config.makeNetwork(inputs: data.channels, classes: data.classes)
        let inference = Inference(network: initial, stepCount: config.steps, workers: config.workers)

        // (a) the software network, trained once
        let t0 = monotonicSeconds()
        let software = SoftwareSubstrate()
        let (softwareNetwork, softwareMetrics) = try train(
            initial, on: software, seed: config.seed, phase: "software", firstEpoch: 0, epochs: softwareEpochs,
            data: data, events: events)
        try software.load(softwareNetwork)
        let swTest = try inference.evaluate(
            data.test, substrate: software, loss: config.objective.loss, classes: data.classes)
        events(.softwareTrained(accuracy: swTest.accuracy, seconds: monotonicSeconds() - t0))

        var rows: [MismatchResult.Row] = []
        var detail: ChipOutcome?
        for sigma in sigmas {
            var row = MismatchResult.Row(sigma: sigma, transfer: [], inTheLoop: [])
            for seed in chips {
                let outcome = try runChip(
                    sigma: sigma, seed: seed, start: fromScratch ? initial : softwareNetwork, data: data,
                    inference: inference, events: events)
                row.transfer.append(outcome.transfer.accuracy)
                row.inTheLoop.append(outcome.inTheLoop.accuracy)
                events(
                    .chipDone(
                        sigma: sigma, chip: seed, transferAccuracy: outcome.transfer.accuracy,
                        inTheLoopAccuracy: outcome.inTheLoop.accuracy))
                if sigma == reportPair.sigma && seed == reportPair.chip && detail == nil { detail = outcome }
            }
            rows.append(row)
        }
        let base = (outputDirectory as NSString).appendingPathComponent("mismatch-\(config.dataset)")
        var result = MismatchResult(
            dataset: config.dataset, softwareAccuracy: swTest.accuracy, softwareEpochs: softwareEpochs,
            loopEpochs: loopEpochs, fromScratch: fromScratch, chips: chips, rows: rows, plotPath: base + ".svg",
            tablePath: base + ".json")
        if let detail {
            result.reportPath = base + ".html"
            try writeReport(result, detail: detail, softwareMetrics: softwareMetrics, data: data)
        }
        try result.write()
        return result
    }

    /// What one chip instance did at one σ_d: the copied weights' and the in-the-loop network's test results,
    /// with what the report needs (the chip, the trained network, the in-the-loop epochs).
    struct ChipOutcome {
        var sigma: Double
        var seed: UInt64
        var chip: EmulatedChip
        var network: Network
        var transfer: RunStatistics
        var inTheLoop: RunStatistics
        var metrics: [[String: Any]]
    }

    /// Builds chip `seed` decalibrated by `sigma`, evaluates `start`'s weights on it (transfer), then trains in the
    /// loop for ``loopEpochs`` and evaluates again.
    private func runChip(
        sigma: Double, seed: UInt64, start: Network, data: RunData, inference: Inference, events: (Event) -> Void
    ) throws -> ChipOutcome {
        var settings = config.chipSettings
        settings.decalibration = sigma
        guard let chip = try SubstrateSpec.chip(seed: seed).makeChip(for: start, chip: settings) else {
            preconditionFailure("a chip spec builds a chip")
        }
        try chip.load(start)
        let loss = config.objective.loss
        let transfer = try inference.evaluate(data.test, substrate: chip, loss: loss, classes: data.classes)
        let (trained, metrics) = try train(
            start, on: chip, seed: config.seed &+ seed, phase: "in the loop",
            firstEpoch: fromScratch ? 0 : softwareEpochs, epochs: loopEpochs, data: data, events: events)
        try chip.load(trained)
        let loop = try inference.evaluate(data.test, substrate: chip, loss: loss, classes: data.classes)
        return ChipOutcome(
            sigma: sigma, seed: seed, chip: chip, network: trained, transfer: transfer, inTheLoop: loop,
            metrics: metrics)
    }

    /// Trains `network` on `substrate` for `epochs` epochs numbered from `firstEpoch` (which sets the learning
    /// rate schedule); returns the trained network and one metrics line per epoch (`phase` included).
    private func train(
        _ network: Network, on substrate: Substrate, seed: UInt64, phase: String, firstEpoch: Int, epochs: Int,
        data: RunData, events: (Event) -> Void
    ) throws -> (Network, [[String: Any]]) {
        let trainer = try Trainer(
            network: network, optimizer: Optimizer(config: config.optimizerConfig, network: network),
            objective: config.objective, substrate: substrate, stepCount: config.steps, seed: seed,
            workers: config.workers)
        var metrics: [[String: Any]] = []
        for e in firstEpoch..<(firstEpoch + epochs) {
            let t0 = monotonicSeconds()
            let (stats, _) = try trainer.trainEpoch(data.train, epoch: e, batchSize: config.batchSize)
            let seconds = monotonicSeconds() - t0
            metrics.append([
                "epoch": e + 1, "phase": phase, "train_loss": stats.meanLoss, "train_accuracy": stats.accuracy,
                "hidden_spikes_per_sample": stats.hiddenSpikesPerSample, "seconds": seconds,
                "learning_rate": config.optimizerConfig.learningRate(epoch: e),
            ])
            events(
                .epochDone(
                    phase: phase, epoch: e - firstEpoch + 1, of: epochs, trainAccuracy: stats.accuracy,
                    seconds: seconds))
        }
        return (trainer.network, metrics)
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
    /// The report of the chip shown in detail (``MismatchExperiment/reportPair``); nil when none was written.
    public var reportPath: String? = nil

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
            "plot": plotPath, "report": reportPath ?? NSNull(), "headline": headline,
        ]
    }

    /// Writes the accuracy-vs-σ_d plot and the JSON table (atomically).
    public func write() throws {
        try atomicWrite(Data(SVG.document([chart], columns: 1).utf8), to: URL(fileURLWithPath: plotPath))
        let json = try JSONSerialization.data(withJSONObject: jsonObject, options: [.sortedKeys, .prettyPrinted])
        try atomicWrite(json, to: URL(fileURLWithPath: tablePath))
    }

    /// Test accuracy against σ_d: transfer, in the loop and the software network.
    var chart: String {
        SVG.lineChart(
            title: "\(ClassNames.datasetTitle(dataset)): accuracy vs decalibration",
            xLabel: "σ_d (relative spread of τ_m, τ_s, ϑ − leak)", yLabel: "test accuracy (%)",
            series: [
                SVG.Series(
                    name: "copied from software", points: rows.map { ($0.sigma, 100 * $0.transferMean) },
                    color: SVG.color(1)),
                SVG.Series(
                    name: "in the loop", points: rows.map { ($0.sigma, 100 * $0.inTheLoopMean) }, color: SVG.color(0)),
                SVG.Series(
                    name: "software", points: rows.map { ($0.sigma, 100 * softwareAccuracy) }, color: SVG.color(7),
                    dashed: true),
            ],
            markers: rows.count == 1
                ? rows.flatMap { r in
                    [(r.sigma, 100 * r.transferMean, SVG.color(1)), (r.sigma, 100 * r.inTheLoopMean, SVG.color(0))]
                } : [])
    }
}
