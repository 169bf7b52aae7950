import Foundation
import SpikeReport

extension RunReport {
    /// Loss, accuracy, hidden activity and learning rate per epoch from the metrics lines. Rows with a `phase`
    /// (the mismatch experiment: "software", then "in the loop") become one series per phase, with a marker
    /// where the phase changes.
    func addCurves(to page: inout HTMLReport) {
        let rows = metrics
        guard !rows.isEmpty else { return }
        let phases = rows.reduce(into: [String]()) { list, r in
            let p = r["phase"] as? String ?? ""
            if !list.contains(p) { list.append(p) }
        }
        func epoch(_ r: [String: Any]) -> Double? { (r["epoch"] as? NSNumber)?.doubleValue }
        func series(_ key: String, _ name: String, colorIndex: Int, scale: Double = 1) -> [SVG.Series] {
            phases.enumerated().compactMap { i, phase in
                let points: [(Double, Double)] = rows.compactMap { r in
                    guard (r["phase"] as? String ?? "") == phase, let e = epoch(r),
                        let v = (r[key] as? NSNumber)?.doubleValue, v.isFinite
                    else { return nil }
                    return (e, v * scale)
                }
                guard !points.isEmpty else { return nil }
                let label = phase.isEmpty ? name : "\(name), \(phase)"
                // phases share a colour per quantity and differ in dash (first phase dashed)
                return SVG.Series(
                    name: label, points: points, color: SVG.color(colorIndex),
                    dashed: phases.count > 1 && i < phases.count - 1)
            }
        }
        // where a later phase starts: between its first epoch and the one before
        var verticals: [SVG.Marker] = []
        for phase in phases.dropFirst() {
            if let first = rows.first(where: { ($0["phase"] as? String ?? "") == phase }).flatMap(epoch) {
                verticals.append(SVG.Marker(x: first - 0.5, label: "\(phase) →", color: "#555"))
            }
        }
        page.heading("Training", id: Section.training.rawValue)
        page.figures([
            SVG.lineChart(
                title: "Loss", xLabel: "epoch", yLabel: "loss",
                series: series("train_loss", "train", colorIndex: 0)
                    + series("validation_loss", "validation", colorIndex: 1), verticals: verticals),
            SVG.lineChart(
                title: "Accuracy", xLabel: "epoch", yLabel: "accuracy (%)",
                series: series("train_accuracy", "train", colorIndex: 0, scale: 100)
                    + series("validation_accuracy", "validation", colorIndex: 1, scale: 100), verticals: verticals),
            SVG.lineChart(
                title: "Hidden activity", xLabel: "epoch", yLabel: "hidden spikes per sample",
                series: series("hidden_spikes_per_sample", "train", colorIndex: 2), yRange: nil, verticals: verticals),
            SVG.lineChart(
                title: "Learning rate", xLabel: "epoch", yLabel: "learning rate",
                series: series("learning_rate", "learning rate", colorIndex: 4), verticals: verticals),
        ])
    }
}
