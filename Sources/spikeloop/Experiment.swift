import ArgumentParser
import Foundation
import SpikeCore
import SpikeReport
import SpikeSubstrate
import SpikeTraining

struct Experiment: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a reference experiment.", subcommands: [MismatchExperiment.self])
}

/// `spikeloop experiment mismatch`: the central result of Cramer et al. 2022. For decalibration spreads σ_d of
/// τ_m, τ_s and (ϑ − leak), compare (a) weights trained in the ideal software simulator and copied onto the
/// chip with (b) in-the-loop training on the same chip instance, averaged over chip seeds.
struct MismatchExperiment: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mismatch",
        abstract: "Transfer vs in-the-loop accuracy as the chip is decalibrated.",
        discussion: """
            (b) starts from the software weights and trains in the loop for --loop-epochs (conversion followed by \
            in-the-loop fine-tuning); --from-scratch trains in the loop from the initial weights instead.
            """)

    @OptionGroup var flags: ConfigFlags
    @Option(help: "Decalibration spreads, comma separated.") var sigmas: String = "0,0.1,0.2,0.3,0.5"
    @Option(help: "Chip seeds, comma separated.") var chips: String = "1,2"
    @Option(help: "Software training epochs.") var softwareEpochs: Int = 30
    @Option(help: "In-the-loop epochs.") var loopEpochs: Int = 5
    @Flag(help: "Train in the loop from the initial weights instead of the software weights.") var fromScratch = false
    @Option(help: "Output folder for the table and plot.") var out: String = "runs/mismatch"
    @Flag(help: "Print one JSON object as the last line.") var json = false

    func run() throws {
        BLAS.setThreads(1)
        var config = try flags.resolve()
        config.validationSamples = 0
        let sigmaList = try sigmas.split(separator: ",").map { s -> Double in
            guard let v = Double(s), v >= 0 else { throw ValidationError("--sigmas expects non-negative numbers, got '\(s)'") }
            return v
        }
        let chipList = try chips.split(separator: ",").map { s -> UInt64 in
            guard let v = UInt64(s) else { throw ValidationError("--chips expects seeds, got '\(s)'") }
            return v
        }
        let workers = config.threads ?? availableCores
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let data = try DataPipeline.load(config)
        log("\(config.dataset): \(data.train.sampleCount) train, \(data.test.sampleCount) test samples")
        let initial = config.makeNetwork(inputs: data.channels, classes: data.classes)

        // (a) the software network, trained once
        let software = SoftwareSubstrate()
        let swTrainer = try Trainer(network: initial, optimizer: Optimizer(config: config.optimizerConfig, network: initial), objective: config.objective, substrate: software, stepCount: config.steps, seed: config.seed, workers: workers)
        let t0 = monotonicSeconds()
        for e in 0..<softwareEpochs { _ = try swTrainer.trainEpoch(data.train, epoch: e, batchSize: config.batchSize) }
        let inference = Inference(network: initial, stepCount: config.steps, workers: workers)
        try software.load(swTrainer.network)
        let swTest = try inference.evaluate(data.test, substrate: software, loss: config.objective.loss, classes: data.classes)
        log(String(format: "software: %.2f %% test after %d epochs (%.0f s)", 100 * swTest.accuracy, softwareEpochs, monotonicSeconds() - t0))

        var rows: [[String: Any]] = []
        for sigma in sigmaList {
            var transfer: [Double] = [], loop: [Double] = []
            for seed in chipList {
                var c = config
                c.substrate = "chip:\(seed)"
                c.chipDecalibration = sigma
                let chip = try makeSubstrate(c, network: swTrainer.network)
                try chip.load(swTrainer.network)
                transfer.append(try inference.evaluate(data.test, substrate: chip, loss: config.objective.loss, classes: data.classes).accuracy)
                let start = fromScratch ? initial : swTrainer.network
                let trainer = try Trainer(network: start, optimizer: Optimizer(config: config.optimizerConfig, network: start), objective: config.objective, substrate: chip, stepCount: config.steps, seed: config.seed &+ seed, workers: workers)
                for e in 0..<loopEpochs { _ = try trainer.trainEpoch(data.train, epoch: fromScratch ? e : softwareEpochs + e, batchSize: config.batchSize) }
                try chip.load(trainer.network)
                loop.append(try inference.evaluate(data.test, substrate: chip, loss: config.objective.loss, classes: data.classes).accuracy)
                log(String(format: "σ_d %.2f chip %llu: transfer %.2f %%, in the loop %.2f %%", sigma, seed, 100 * transfer.last!, 100 * loop.last!))
            }
            func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }
            func sd(_ x: [Double]) -> Double { let m = mean(x); return x.count > 1 ? (x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(x.count - 1)).squareRoot() : 0 }
            rows.append(["sigma_d": sigma, "transfer_accuracy": mean(transfer), "transfer_sd": sd(transfer), "in_the_loop_accuracy": mean(loop), "in_the_loop_sd": sd(loop), "chips": chipList.count])
        }
        print("\n\(config.dataset): test accuracy on the emulated chip (mean over \(chipList.count) chips), software \(String(format: "%.2f", 100 * swTest.accuracy)) %")
        print("sigma_d   transfer (%)      in the loop (%)")
        for r in rows {
            print(String(format: "%5.2f     %6.2f ± %-6.2f    %6.2f ± %.2f", r["sigma_d"] as! Double, 100 * (r["transfer_accuracy"] as! Double), 100 * (r["transfer_sd"] as! Double), 100 * (r["in_the_loop_accuracy"] as! Double), 100 * (r["in_the_loop_sd"] as! Double)))
        }
        let svg = SVG.lineChart(
            title: "\(config.dataset): accuracy vs decalibration", xLabel: "σ_d (relative spread of τ_m, τ_s, ϑ − leak)", yLabel: "test accuracy (%)",
            series: [
                SVG.Series(name: "transfer", points: rows.map { ($0["sigma_d"] as! Double, 100 * ($0["transfer_accuracy"] as! Double)) }, color: SVG.color(1)),
                SVG.Series(name: "in the loop", points: rows.map { ($0["sigma_d"] as! Double, 100 * ($0["in_the_loop_accuracy"] as! Double)) }, color: SVG.color(0)),
                SVG.Series(name: "software", points: rows.map { ($0["sigma_d"] as! Double, 100 * swTest.accuracy) }, color: SVG.color(7)),
            ])
        let svgPath = (out as NSString).appendingPathComponent("mismatch-\(config.dataset).svg")
        try atomicWriteString(svg, to: svgPath)
        let result: [String: Any] = [
            "dataset": config.dataset, "software_accuracy": swTest.accuracy, "software_epochs": softwareEpochs, "loop_epochs": loopEpochs,
            "from_scratch": fromScratch, "chips": chipList.map { Int($0) }, "results": rows, "plot": svgPath,
        ]
        try atomicWriteString(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys, .prettyPrinted]), as: UTF8.self), to: (out as NSString).appendingPathComponent("mismatch-\(config.dataset).json"))
        print("plot: \(svgPath)")
        if json { printJSONLine(result) }
    }

    private func log(_ s: String) {
        if json { FileHandle.standardError.write(Data((s + "\n").utf8)) } else { print(s) }
    }
}
