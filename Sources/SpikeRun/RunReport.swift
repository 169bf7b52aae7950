import Foundation
import SpikeReport
import SpikeTraining

/// The run report `report.html`: training curves, spike rasters, readout traces, confusion matrix, activity
/// histograms, all self-contained (inline SVG).
///
/// The rasters and histograms come from running up to 1,000 test samples on the run's substrate, so on a chip
/// they show what the chip did.
public enum RunReport {
    /// Writes `report.html` into `runDirectory` and returns its URL.
    public static func write(
        runDirectory: RunDirectory, network: Network, config: RunConfig, data: RunData, evaluation: RunStatistics,
        substrate: Substrate
    ) throws -> URL {
        let sizes = network.layers.map { "\($0.neuronCount)" }.joined(separator: "-")
        var page = HTMLReport(title: "SpikeLoop run — \(config.dataset), \(sizes) (input \(network.inputCount))")
        page.paragraph(
            String(
                format: "Test accuracy %.2f %% on %d samples; %.1f hidden spikes per sample; substrate %@; seed %llu.",
                100 * evaluation.accuracy, evaluation.samples, evaluation.hiddenSpikesPerSample, substrate.name,
                config.seed))
        addCurves(to: &page, metrics: runDirectory.metrics())
        try substrate.load(network)
        try addSamples(
            to: &page, network: network, test: data.test, config: config, evaluation: evaluation, substrate: substrate)
        try addActivity(to: &page, network: network, test: data.test, substrate: substrate)
        if evaluation.samples > 0 {
            page.heading("Test confusion matrix")
            page.figures([SVG.confusion(title: "Confusion (rows: true label)", matrix: evaluation.confusion)])
            page.table(
                header: ["class", "accuracy (%)", "samples"],
                rows: evaluation.perClassAccuracy.enumerated().map { k, a in
                    [String(k), String(format: "%.2f", 100 * a), String(evaluation.confusion[k].reduce(0, +))]
                })
        }
        page.heading("Configuration")
        page.paragraph(config.json)
        try atomicWrite(Data(page.html.utf8), to: runDirectory.reportURL)
        return runDirectory.reportURL
    }

    /// Loss, accuracy and activity per epoch from `metrics.jsonl`.
    static func addCurves(to page: inout HTMLReport, metrics rows: [[String: Any]]) {
        guard !rows.isEmpty else { return }
        func series(_ key: String, _ name: String, _ color: String, scale: Double = 1) -> SVG.Series {
            SVG.Series(
                name: name,
                points: rows.compactMap { r in
                    guard let e = r["epoch"] as? Double ?? (r["epoch"] as? Int).map(Double.init),
                        let v = r[key] as? Double
                    else { return nil }
                    return (e, v * scale)
                }, color: color)
        }
        page.heading("Training")
        page.figures([
            SVG.lineChart(
                title: "Loss", xLabel: "epoch", yLabel: "loss",
                series: [
                    series("train_loss", "train", SVG.color(0)), series("validation_loss", "validation", SVG.color(1)),
                ]),
            SVG.lineChart(
                title: "Accuracy", xLabel: "epoch", yLabel: "accuracy (%)",
                series: [
                    series("train_accuracy", "train", SVG.color(0), scale: 100),
                    series("validation_accuracy", "validation", SVG.color(1), scale: 100),
                ]),
            SVG.lineChart(
                title: "Hidden activity", xLabel: "epoch", yLabel: "spikes per sample",
                series: [series("hidden_spikes_per_sample", "train", SVG.color(2))]),
        ])
    }

    /// Three test samples recorded in full: the first hidden layer's raster and the readout membranes.
    static func addSamples(
        to page: inout HTMLReport, network: Network, test: SpikeBatch, config: RunConfig, evaluation: RunStatistics,
        substrate: Substrate
    ) throws {
        let T = test.stepCount
        let shown = min(3, test.sampleCount)
        guard shown > 0 else { return }
        var obs = Observation(network: network, stepCount: T, capacity: shown, recording: .full)
        try substrate.run(test, samples: 0..<shown, into: &obs, worker: 0)
        let dtMicro = network.dt * 1e6
        page.heading("Test samples: hidden spike rasters and readout membranes")
        var figs: [String] = []
        for s in 0..<shown {
            let label = Int(test.labels[s])
            let pred = evaluation.predictions.count > s ? Int(evaluation.predictions[s]) : -1
            let hidden = obs.layers[0]
            figs.append(
                SVG.raster(
                    title: "sample \(s) (label \(label)): layer 1 spikes",
                    spikes: hidden.spikes(sample: s).map { (Double($0.step) * dtMicro, $0.neuron) },
                    neurons: hidden.neuronCount, duration: Double(T) * dtMicro, xLabel: "time (µs)"))
            let out = obs.readout
            var lines: [SVG.Series] = []
            var marks: [(Double, Double, String)] = []
            for k in 0..<out.neuronCount {
                var pts: [(Double, Double)] = []
                var best = (0.0, -Double.infinity)
                for t in 0..<T {
                    let v = Double(out.membrane(sample: s, step: t, neuron: k))
                    pts.append((Double(t) * dtMicro, v))
                    if v > best.1 { best = (Double(t) * dtMicro, v) }
                }
                lines.append(SVG.Series(name: "\(k)", points: pts, color: SVG.color(k)))
                if config.loss == .maxOverTime { marks.append((best.0, best.1, SVG.color(k))) }
            }
            figs.append(
                SVG.lineChart(
                    title: "sample \(s): readout (predicted \(pred)), max marked", xLabel: "time (µs)",
                    yLabel: "membrane", series: lines, markers: marks))
        }
        page.figures(figs)
    }

    /// Histograms of hidden spikes per sample and per first-layer neuron over up to 1,000 test samples.
    static func addActivity(to page: inout HTMLReport, network: Network, test: SpikeBatch, substrate: Substrate) throws
    {
        let n = min(1000, test.sampleCount)
        guard n > 0 else { return }
        var obs = Observation(network: network, stepCount: test.stepCount, capacity: 50, recording: .readout)
        var perSample: [Double] = []
        let hiddenCount = network.layers[0].neuronCount
        var perNeuron = [Double](repeating: 0, count: hiddenCount)
        var lo = 0
        while lo < n {
            let hi = min(n, lo + 50)
            try substrate.run(test, samples: lo..<hi, into: &obs, worker: 0)
            for s in 0..<(hi - lo) {
                let spikes = (0..<(network.layers.count - 1)).reduce(0) { $0 + obs.layers[$1].spikeCount(sample: s) }
                perSample.append(Double(spikes))
                for e in obs.layers[0].spikes(sample: s) { perNeuron[e.neuron] += 1 }
            }
            lo = hi
        }
        page.heading("Activity")
        page.figures([
            SVG.histogram(
                title: "Hidden spikes per sample (\(n) test samples)", values: perSample, bins: 30, xLabel: "spikes"),
            SVG.histogram(
                title: "Layer-1 spikes per neuron per sample", values: perNeuron.map { $0 / Double(n) }, bins: 30,
                xLabel: "spikes", color: SVG.color(2)),
        ])
    }
}
