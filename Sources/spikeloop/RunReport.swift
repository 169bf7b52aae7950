import Foundation
import SpikeCore
import SpikeReport
import SpikeTraining

/// The run report: training curves, spike rasters, readout traces, confusion matrix, activity histograms.
enum RunReport {
    static func write(runDirectory: URL, network: Network, config: TrainConfig, data: EncodedData, evaluation: Evaluation, substrate: Substrate) throws -> URL {
        var page = HTMLReport(title: "SpikeLoop run — \(config.dataset), \(network.layers.map { "\($0.neuronCount)" }.joined(separator: "-")) (input \(network.inputCount))")
        page.paragraph(String(format: "Test accuracy %.2f %% on %d samples; %.1f hidden spikes per sample; substrate %@; seed %llu.", 100 * evaluation.accuracy, evaluation.samples, evaluation.hiddenSpikesPerSample, substrate.name, config.seed))

        // Curves from metrics.jsonl
        let metrics = (try? String(contentsOf: runDirectory.appendingPathComponent("metrics.jsonl"), encoding: .utf8)) ?? ""
        let rows = metrics.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        func series(_ key: String, _ name: String, _ color: String, scale: Double = 1) -> SVG.Series {
            SVG.Series(name: name, points: rows.compactMap { r in
                guard let e = r["epoch"] as? Double ?? (r["epoch"] as? Int).map(Double.init), let v = r[key] as? Double else { return nil }
                return (e, v * scale)
            }, color: color)
        }
        if !rows.isEmpty {
            page.heading("Training")
            page.figures([
                SVG.lineChart(title: "Loss", xLabel: "epoch", yLabel: "loss", series: [series("train_loss", "train", SVG.color(0)), series("validation_loss", "validation", SVG.color(1))]),
                SVG.lineChart(title: "Accuracy", xLabel: "epoch", yLabel: "accuracy (%)", series: [series("train_accuracy", "train", SVG.color(0), scale: 100), series("validation_accuracy", "validation", SVG.color(1), scale: 100)]),
                SVG.lineChart(title: "Hidden activity", xLabel: "epoch", yLabel: "spikes per sample", series: [series("hidden_spikes_per_sample", "train", SVG.color(2))]),
            ])
        }

        // A few test samples recorded in full
        try substrate.load(network)
        let T = data.test.stepCount
        let shown = min(3, data.test.sampleCount)
        if shown > 0 {
            var obs = Observation(network: network, stepCount: T, capacity: shown, recording: .full)
            try substrate.run(data.test, samples: 0..<shown, into: &obs, worker: 0)
            let dtMicro = network.dt * 1e6
            page.heading("Test samples: hidden spike rasters and readout membranes")
            var figs: [String] = []
            for s in 0..<shown {
                let label = Int(data.test.labels[s])
                let pred = evaluation.predictions.count > s ? Int(evaluation.predictions[s]) : -1
                let hidden = obs.layers[0]
                figs.append(SVG.raster(title: "sample \(s) (label \(label)): layer 1 spikes", spikes: hidden.spikes(sample: s).map { (Double($0.step) * dtMicro, $0.neuron) }, neurons: hidden.neuronCount, duration: Double(T) * dtMicro, xLabel: "time (µs)"))
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
                figs.append(SVG.lineChart(title: "sample \(s): readout (predicted \(pred)), max marked", xLabel: "time (µs)", yLabel: "membrane", series: lines, markers: marks))
            }
            page.figures(figs)
        }

        // Activity histograms over up to 1000 test samples
        let n = min(1000, data.test.sampleCount)
        if n > 0 {
            var obs = Observation(network: network, stepCount: T, capacity: 50, recording: .readout)
            var perSample: [Double] = []
            let hiddenCount = network.layers[0].neuronCount
            var perNeuron = [Double](repeating: 0, count: hiddenCount)
            var lo = 0
            while lo < n {
                let hi = min(n, lo + 50)
                try substrate.run(data.test, samples: lo..<hi, into: &obs, worker: 0)
                for s in 0..<(hi - lo) {
                    perSample.append(Double((0..<(network.layers.count - 1)).reduce(0) { $0 + obs.layers[$1].spikeCount(sample: s) }))
                    for e in obs.layers[0].spikes(sample: s) { perNeuron[e.neuron] += 1 }
                }
                lo = hi
            }
            page.heading("Activity")
            page.figures([
                SVG.histogram(title: "Hidden spikes per sample (\(n) test samples)", values: perSample, bins: 30, xLabel: "spikes"),
                SVG.histogram(title: "Layer-1 spikes per neuron per sample", values: perNeuron.map { $0 / Double(n) }, bins: 30, xLabel: "spikes", color: SVG.color(2)),
            ])
        }
        if evaluation.samples > 0 {
            page.heading("Test confusion matrix")
            page.figures([SVG.confusion(title: "Confusion (rows: true label)", matrix: evaluation.confusion)])
            page.table(header: ["class", "accuracy (%)", "samples"], rows: evaluation.perClassAccuracy.enumerated().map { k, a in
                [String(k), String(format: "%.2f", 100 * a), String(evaluation.confusion[k].reduce(0, +))]
            })
        }
        page.heading("Configuration")
        page.paragraph(config.json)
        let url = runDirectory.appendingPathComponent("report.html")
        try atomicWrite(Data(page.html.utf8), to: url)
        return url
    }
}
