import Foundation
import SpikeReport
import SpikeSubstrate
import SpikeTraining

/// The measured per-neuron parameter distributions of an emulated chip instance before and after calibration,
/// from probe measurements only, as on hardware: what `spikeloop inspect chip` shows.
public struct ChipInspection: Sendable {
    /// One measured parameter: every neuron's value before and after calibration (SI units) and the factor to
    /// the display unit of ``name``.
    public struct Parameter: Sendable {
        /// `tau_m (us)`, `tau_s (us)`, `leak`, `threshold`, `reset`.
        public var name: String
        public var before: [Double]
        public var after: [Double]
        /// SI value × scale = display value (1e6 for µs).
        public var scale: Double

        public init(name: String, before: [Double], after: [Double], scale: Double) {
            self.name = name
            self.before = before
            self.after = after
            self.scale = scale
        }

        /// Mean and sample SD (n − 1).
        public static func meanAndSD(_ xs: [Double]) -> (mean: Double, sd: Double) {
            let m = xs.reduce(0, +) / Double(xs.count)
            return (m, (xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(max(1, xs.count - 1))).squareRoot())
        }
        /// Mean and SD before calibration, display units.
        public var beforeStatistics: (mean: Double, sd: Double) {
            let s = Self.meanAndSD(before)
            return (s.mean * scale, s.sd * scale)
        }
        /// Mean and SD after calibration, display units.
        public var afterStatistics: (mean: Double, sd: Double) {
            let s = Self.meanAndSD(after)
            return (s.mean * scale, s.sd * scale)
        }
    }

    public var seed: UInt64
    /// Calibration targets, seconds.
    public var tauMem: Double
    public var tauSyn: Double
    public var parameters: [Parameter]
    public var neuronCount: Int

    /// Measures chip instance `seed` uncalibrated, then calibrated to `tauMem` and `tauSyn` (seconds).
    public init(seed: UInt64, tauMem: Double = 6e-6, tauSyn: Double = 6e-6) {
        let before = EmulatedChip(seed: seed, calibrated: false, tauMem: tauMem, tauSyn: tauSyn).measure()
        let chip = EmulatedChip(seed: seed, calibrated: true, tauMem: tauMem, tauSyn: tauSyn)
        chip.calibrate(tauMem: tauMem, tauSyn: tauSyn)
        let after = chip.measure()
        func p(_ name: String, _ key: KeyPath<NeuronMeasurements, [Double]>, _ scale: Double) -> Parameter {
            Parameter(name: name, before: before[keyPath: key], after: after[keyPath: key], scale: scale)
        }
        self.seed = seed
        self.tauMem = tauMem
        self.tauSyn = tauSyn
        neuronCount = before.tauMem.count
        parameters = [
            p("tau_m (us)", \.tauMem, 1e6), p("tau_s (us)", \.tauSyn, 1e6), p("leak", \.leak, 1),
            p("threshold", \.threshold, 1), p("reset", \.reset, 1),
        ]
    }

    /// An inspection of measurements made elsewhere (`parameters` in the order `tau_m`, `tau_s`, `leak`,
    /// `threshold`, `reset`); what tests use to check the output without measuring a whole chip.
    public init(seed: UInt64, tauMem: Double, tauSyn: Double, parameters: [Parameter]) {
        self.seed = seed
        self.tauMem = tauMem
        self.tauSyn = tauSyn
        self.parameters = parameters
        neuronCount = parameters.first?.before.count ?? 0
    }

    /// Mean and SD per parameter before and after (`before_mean`, `before_sd`, `after_mean`, `after_sd`).
    public var jsonObject: [String: Any] {
        var rows: [String: Any] = [:]
        for p in parameters {
            let b = p.beforeStatistics
            let a = p.afterStatistics
            rows[p.name] = ["before_mean": b.mean, "before_sd": b.sd, "after_mean": a.mean, "after_sd": a.sd]
        }
        return rows
    }

    /// Where `spikeloop inspect chip` writes the histograms unless told otherwise.
    public static func defaultSVGPath(seed: UInt64) -> String { "chip-\(seed).svg" }

    /// A standalone SVG of histograms, one row per parameter: uncalibrated (left) and calibrated (right) on the
    /// same x range, so the narrowing is visible.
    public var svg: String {
        let charts = parameters.flatMap { p -> [String] in
            let all = (p.before + p.after).map { $0 * p.scale }
            let range = (all.min() ?? 0, all.max() ?? 1)
            return [
                SVG.histogram(
                    title: "\(p.name): uncalibrated", values: p.before.map { $0 * p.scale }, bins: 40, xLabel: p.name,
                    range: range),
                SVG.histogram(
                    title: "\(p.name): calibrated", values: p.after.map { $0 * p.scale }, bins: 40, xLabel: p.name,
                    color: SVG.color(1), range: range),
            ]
        }
        return SVG.document(
            charts, columns: 2, title: "Emulated chip \(seed): measured neuron parameters",
            subtitle:
                "Probe measurements of all \(neuronCount) neurons before and after calibration to tau_m = \(AxisTicks.label(tauMem * 1e6, step: 0.01)) us, tau_s = \(AxisTicks.label(tauSyn * 1e6, step: 0.01)) us, leak 0, threshold 1, reset 0."
        )
    }

    /// Writes ``svg`` atomically to `path`.
    public func writeSVG(to path: String) throws {
        try atomicWrite(Data(svg.utf8), to: URL(fileURLWithPath: path))
    }
}
