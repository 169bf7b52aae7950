import Foundation
import SpikeReport

extension MismatchResult {
    /// The row of the largest σ_d: where the experiment makes its point.
    var headlineRow: Row? { rows.max { $0.sigma < $1.sigma } }

    /// The one line that says what the experiment showed, e.g. `In the loop 83.9 % vs copied from software
    /// 61.4 % on the same decalibrated chip (Fashion-MNIST, emulated chip 3, σ_d 0.30; software alone 84.3 %)`.
    public var headline: String {
        guard let r = headlineRow else { return "no chip was run" }
        let where_ =
            chips.count == 1
            ? "emulated chip \(chips[0])" : "mean of emulated chips \(chips.map(String.init).joined(separator: ", "))"
        let start = fromScratch ? "Trained in the loop from scratch" : "In the loop"
        return String(
            format:
                "%@ %.1f %% vs copied from software %.1f %% on the same decalibrated chip (%@, %@, σ_d %.2f; software alone %.1f %%)",
            start, 100 * r.inTheLoopMean, 100 * r.transferMean, ClassNames.datasetTitle(dataset), where_, r.sigma,
            100 * softwareAccuracy)
    }
}

extension MismatchExperiment {
    /// Writes the report of the chip shown in detail: the headline, the comparison of software, copied and
    /// in-the-loop accuracy, then the full run report of the in-the-loop network on that chip (curves of both
    /// phases, chip vs software membranes, weights, activity, calibration, chip time).
    func writeReport(
        _ result: MismatchResult, detail: ChipOutcome, softwareMetrics: [[String: Any]], data: RunData
    ) throws {
        guard let path = result.reportPath else { return }
        var shown = config
        shown.substrate = "chip:\(detail.seed)"
        shown.chipDecalibration = detail.sigma
        shown.epochs = loopEpochs
        var report = RunReport(
            network: detail.network, config: shown, test: data.test, classes: data.classes,
            evaluation: detail.inTheLoop, substrate: detail.chip, metrics: softwareMetrics + detail.metrics, chip: detail.chip)
        let name = ClassNames.datasetTitle(config.dataset)
        report.title = "SpikeLoop — training in the loop vs copying weights onto a decalibrated chip (\(name))"
        let comparison = comparisonSection(result, detail: detail)
        report.preamble = { page in comparison(&page) }
        try report.write(to: URL(fileURLWithPath: path))
    }

    private func comparisonSection(_ result: MismatchResult, detail: ChipOutcome) -> (inout HTMLReport) -> Void {
        let sigmaText = String(format: "%.2f", detail.sigma)
        let softwareText = String(format: "%.1f", 100 * result.softwareAccuracy)
        let chart = result.chart
        let bars = SVG.bars(
            title: "chip \(detail.seed), σ_d \(sigmaText): test accuracy", yLabel: "test accuracy (%)",
            bars: [
                ("software", 100 * result.softwareAccuracy, SVG.color(7)),
                ("copied to chip", 100 * detail.transfer.accuracy, SVG.color(1)),
                ("in the loop", 100 * detail.inTheLoop.accuracy, SVG.color(0)),
            ], yRange: (0, 100))
        let start = fromScratch ? "from the initial weights" : "from the software weights"
        let rows = result.rows.map { r in
            [
                String(format: "%.2f", r.sigma),
                String(format: "%.2f ± %.2f", 100 * r.transferMean, 100 * r.transferSD),
                String(format: "%.2f ± %.2f", 100 * r.inTheLoopMean, 100 * r.inTheLoopSD),
            ]
        }
        let epochs = (softwareEpochs, loopEpochs)
        return { page in
            page.headline(result.headline)
            page.note(
                "The central result of Cramer et al. 2022 (doi:10.1073/pnas.2109194119) on an emulated BrainScaleS-2 chip. A network is trained \(epochs.0) epochs in the ideal software simulation (\(softwareText) % test accuracy). The chip is calibrated, then its τ_m, τ_s and threshold − leak are spread by σ_d = \(sigmaText) around the calibrated values (a chip whose calibration has drifted). Copying the software weights onto it loses accuracy; training \(epochs.1) epochs in the loop \(start) on the same chip (forward pass on the chip, gradients from the chip's recorded spikes and membranes) recovers it. The rest of this page is the in-the-loop network on chip \(detail.seed)."
            )
            page.figures(result.rows.count > 1 ? [bars, chart] : [bars])
            page.table(header: ["σ_d", "copied from software (%)", "in the loop (%)"], rows: rows)
        }
    }
}

extension ClassNames {
    /// How a dataset is written in prose: `Fashion-MNIST`, `MNIST`, `SHD`, else the name as given.
    public static func datasetTitle(_ dataset: String) -> String {
        switch dataset {
        case "fashion-mnist": return "Fashion-MNIST"
        case "mnist": return "MNIST"
        case "shd": return "SHD"
        default: return dataset
        }
    }
}
