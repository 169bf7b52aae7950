import ArgumentParser
import Foundation
import SpikeReport
import SpikeSubstrate

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Inspect a substrate.", subcommands: [InspectChip.self])
}

/// `spikeloop inspect chip`: the measured per-neuron parameter distributions of an emulated chip instance,
/// before and after calibration (probe measurements only, as on hardware).
struct InspectChip: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chip", abstract: "Measure a chip instance before and after calibration (text and SVG).")

    @Option(help: "Chip instance seed.") var seed: UInt64 = 1
    @Option(help: "Calibration target tau_m, seconds.") var tauMem: Double = 6e-6
    @Option(help: "Calibration target tau_s, seconds.") var tauSyn: Double = 6e-6
    @Option(help: "Where to write the SVG histograms (default: chip-<seed>.svg.html).") var out: String?
    @Flag(help: "Print one JSON object as the last line.") var json = false

    func run() throws {
        let raw = EmulatedChip(seed: seed, calibrated: false, tauMem: tauMem, tauSyn: tauSyn)
        let before = raw.measure()
        let chip = EmulatedChip(seed: seed, calibrated: true, tauMem: tauMem, tauSyn: tauSyn)
        chip.calibrate(tauMem: tauMem, tauSyn: tauSyn)
        let after = chip.measure()
        func stats(_ xs: [Double]) -> (Double, Double) {
            let m = xs.reduce(0, +) / Double(xs.count)
            return (m, (xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(max(1, xs.count - 1))).squareRoot())
        }
        let rows: [(String, [Double], [Double], Double)] = [
            ("tau_m (us)", before.tauMem, after.tauMem, 1e6), ("tau_s (us)", before.tauSyn, after.tauSyn, 1e6),
            ("leak", before.leak, after.leak, 1), ("threshold", before.threshold, after.threshold, 1), ("reset", before.reset, after.reset, 1),
        ]
        print("chip \(seed): \(before.tauMem.count) neurons measured through probes (mean ± SD)")
        print("parameter".padding(toLength: 12, withPad: " ", startingAt: 0) + "uncalibrated".padding(toLength: 24, withPad: " ", startingAt: 0) + "calibrated")
        var jsonRows: [String: Any] = [:]
        for (name, b, a, k) in rows {
            let sb = stats(b), sa = stats(a)
            print(name.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: "%8.3f ± %-12.3f%8.3f ± %.3f", sb.0 * k, sb.1 * k, sa.0 * k, sa.1 * k))
            jsonRows[name] = ["before_mean": sb.0 * k, "before_sd": sb.1 * k, "after_mean": sa.0 * k, "after_sd": sa.1 * k]
        }
        var page = HTMLReport(title: "Emulated chip \(seed): measured neuron parameters")
        page.paragraph("Probe measurements of all \(before.tauMem.count) neurons before (blue) and after (red) calibration to tau_m = \(tauMem * 1e6) us, tau_s = \(tauSyn * 1e6) us, leak 0, threshold 1, reset 0.")
        // Both histograms of a parameter share the uncalibrated range, so the narrowing is visible.
        page.figures(rows.map { name, b, a, k in
            let all = (b + a).map { $0 * k }
            let range = (all.min() ?? 0, all.max() ?? 1)
            return SVG.histogram(title: "\(name): before", values: b.map { $0 * k }, bins: 40, xLabel: name, range: range)
                + SVG.histogram(title: "\(name): after", values: a.map { $0 * k }, bins: 40, xLabel: name, color: SVG.color(1), range: range)
        })
        let path = out ?? "chip-\(seed).svg.html"
        try atomicWriteString(page.html, to: path)
        print("histograms: \(path)")
        if json { printJSONLine(["seed": Int(seed), "parameters": jsonRows, "histograms": path]) }
    }
}

func atomicWriteString(_ s: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
    try Data(s.utf8).write(to: tmp)
    if rename(tmp.path, url.path) != 0 { throw ValidationError("cannot write \(path)") }
}
