import ArgumentParser
import SpikeRun

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Inspect a substrate.", subcommands: [InspectChip.self])
}

/// `spikeloop inspect chip`: the measured per-neuron parameter distributions of an emulated chip instance,
/// before and after calibration (probe measurements only, as on hardware; `ChipInspection`).
struct InspectChip: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chip", abstract: "Measure a chip instance before and after calibration (text and SVG).")

    @Option(parsing: .unconditional, help: "Chip instance seed.") var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "Calibration target tau_m, seconds.") var tauMem: Double = 6e-6
    @Option(parsing: .unconditional, help: "Calibration target tau_s, seconds.") var tauSyn: Double = 6e-6
    @Option(help: "Where to write the SVG histograms (default: chip-<seed>.svg).") var out: String?
    @Flag(help: "Print one JSON object as the last line.") var json = false

    func validate() throws {
        do { try ChipInspection.validate(tauMem: tauMem, tauSyn: tauSyn) } catch { throw flagError(error) }
    }

    func run() throws {
        let inspection = ChipInspection(seed: seed, tauMem: tauMem, tauSyn: tauSyn)
        print("chip \(seed): \(inspection.neuronCount) neurons measured through probes (mean ± SD)")
        print("parameter".padding(toLength: 12, withPad: " ", startingAt: 0) + "uncalibrated".padding(toLength: 24, withPad: " ", startingAt: 0) + "calibrated")
        for p in inspection.parameters {
            let b = p.beforeStatistics, a = p.afterStatistics
            print(p.name.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: "%8.3f ± %-12.3f%8.3f ± %.3f", b.mean, b.sd, a.mean, a.sd))
        }
        let path = out ?? ChipInspection.defaultSVGPath(seed: seed)
        try inspection.writeSVG(to: path)
        print("histograms: \(path)")
        if json { printJSONLine(["seed": Int(seed), "parameters": inspection.jsonObject, "histograms": path]) }
    }
}
