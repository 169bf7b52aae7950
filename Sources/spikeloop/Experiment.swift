import ArgumentParser
import Foundation
import SpikeRun

struct Experiment: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a reference experiment.", subcommands: [MismatchCommand.self, ContinualCommand.self, SparseCommand.self, VMMCommand.self, ConversionCommand.self, RewardSTDPCommand.self, OnChipGradientCommand.self, DataParallelCommand.self])
}

/// `spikeloop experiment mismatch`: the central result of Cramer et al. 2022. For decalibration spreads σ_d of
/// τ_m, τ_s and (ϑ − leak), compare (a) weights trained in the ideal software simulator and copied onto the
/// chip with (b) in-the-loop training on the same chip instance, averaged over chip seeds (`MismatchExperiment`).
struct MismatchCommand: ParsableCommand {
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
    @Option(parsing: .unconditional, help: "Software training epochs.") var softwareEpochs: Int = 30
    @Option(parsing: .unconditional, help: "In-the-loop epochs.") var loopEpochs: Int = 5
    @Flag(help: "Train in the loop from the initial weights instead of the software weights.") var fromScratch = false
    @Option(help: "Output folder for the table and plot.") var out: String = "runs/mismatch"
    @Flag(help: "Print one JSON object as the last line.") var json = false

    func run() throws {
        let config = try flags.resolve()
        let sigmaList = try sigmas.split(separator: ",").map { s -> Double in
            guard let v = Double(s), v.isFinite, v >= 0 else { throw ValidationError("--sigmas expects finite non-negative numbers, got '\(s)'") }
            return v
        }
        let chipList = try chips.split(separator: ",").map { s -> UInt64 in
            guard let v = UInt64(s) else { throw ValidationError("--chips expects seeds, got '\(s)'") }
            return v
        }
        let experiment = MismatchExperiment(
            config: config, sigmas: sigmaList, chips: chipList, softwareEpochs: softwareEpochs, loopEpochs: loopEpochs,
            fromScratch: fromScratch, outputDirectory: out)
        do { try experiment.validate() } catch { throw flagError(error) }
        let result = try experiment.run { event in
            switch event {
            case .dataLoaded(let train, let test): log("\(config.dataset): \(train) train, \(test) test samples")
            case .epochDone(let phase, let epoch, let of, let accuracy, let seconds):
                log(String(format: "%@ epoch %d/%d: train %.2f %% (%.1f s)", phase, epoch, of, 100 * accuracy, seconds))
            case .softwareTrained(let accuracy, let seconds):
                log(String(format: "software: %.2f %% test after %d epochs (%.0f s)", 100 * accuracy, softwareEpochs, seconds))
            case .chipDone(let sigma, let chip, let transfer, let loop):
                log(String(format: "σ_d %.2f chip %llu: transfer %.2f %%, in the loop %.2f %%", sigma, chip, 100 * transfer, 100 * loop))
            }
        }
        print("\n\(config.dataset): test accuracy on the emulated chip (mean over \(chipList.count) chips), software \(String(format: "%.2f", 100 * result.softwareAccuracy)) %")
        print("sigma_d   transfer (%)      in the loop (%)")
        for r in result.rows {
            print(String(format: "%5.2f     %6.2f ± %-6.2f    %6.2f ± %.2f", r.sigma, 100 * r.transferMean, 100 * r.transferSD, 100 * r.inTheLoopMean, 100 * r.inTheLoopSD))
        }
        print("plot: \(result.plotPath)")
        if let report = result.reportPath { print("report: \(report)") }
        if json { printJSONLine(result.jsonObject) } else { print(result.headline) }
    }

    private func log(_ s: String) {
        if json { FileHandle.standardError.write(Data((s + "\n").utf8)) } else { print(s) }
    }
}
