import Foundation
import SpikeReport

extension RunReport {
    /// Per hidden layer: every neuron's spikes per sample on a log scale, most active first, silent neurons
    /// counted; and the distribution of hidden spikes per sample. The whole test set on the run's substrate
    /// (10,000 Fashion-MNIST images take about a second on the emulated chip), so "silent" means silent on
    /// every test sample.
    func addActivity(to page: inout HTMLReport) throws {
        let (layers, perSample) = try LayerActivity.measure(network: network, input: test, substrate: substrate)
        guard let first = layers.first else { return }
        let n = first.samples
        page.heading("Activity per layer", id: Section.activity.rawValue)
        let silent = layers.map { "layer \($0.layer + 1): \($0.silentCount) of \($0.neuronCount)" }
        page.note(
            "Spikes per sample of every hidden neuron over \(n) test samples on \(substrate.name), sorted, on a logarithmic axis. Silent neurons (no spike on any of the \(n) samples, red band) cannot be drawn on a log axis and are counted instead: \(silent.joined(separator: "; "))."
        )
        var figs = layers.map { a in
            SVG.activityRank(
                title: "Layer \(a.layer + 1): \(a.silentCount) of \(a.neuronCount) neurons silent", rates: a.rates,
                yLabel: "spikes per sample (log)", color: SVG.color(2))
        }
        figs.append(
            SVG.histogram(
                title: "Hidden spikes per sample (\(n) test samples)", values: perSample.map(Double.init), bins: 30,
                xLabel: "spikes"))
        page.figures(figs)
        page.table(
            header: ["layer", "neurons", "silent", "spikes per sample", "most active neuron (spikes per sample)"],
            rows: layers.map { a in
                [
                    "hidden \(a.layer + 1)", String(a.neuronCount), String(a.silentCount),
                    String(format: "%.1f", a.spikesPerSample), String(format: "%.2f", a.rates.max() ?? 0),
                ]
            })
    }
}
