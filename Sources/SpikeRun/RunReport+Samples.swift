import Foundation
import SpikeReport
import SpikeTraining

extension RunReport {
    /// Up to three test samples recorded in full: the input raster (first sample), the first hidden layer's raster
    /// and the readout membranes, titled with class names.
    func addSamples(to page: inout HTMLReport) throws {
        let T = test.stepCount
        let shown = min(3, test.sampleCount)
        guard shown > 0 else { return }
        var obs = Observation(network: network, stepCount: T, capacity: shown, recording: .full)
        try substrate.run(test, samples: 0..<shown, into: &obs, worker: 0)
        let dtMicro = network.dt * 1e6
        let names = classNames
        page.heading("Test samples: input, hidden spikes and readout", id: Section.samples.rawValue)
        page.note(
            "What the \(substrate.name) substrate did on the first test samples: each input spike is an event on one input channel; the readout's largest membrane (circled, max over time) is the prediction."
        )
        let first = test.events(ofSample: 0)
        page.figures([
            SVG.raster(
                title: "sample 0 (\(ClassNames.label(Int(test.labels[0]), names: names))): input spikes",
                spikes: first.map { (Double($0.step) * dtMicro, $0.channel) }, neurons: test.channelCount,
                duration: Double(T) * dtMicro, xLabel: "time (µs)", neuronLabel: "input channel", color: SVG.color(0))
        ])
        var figs: [String] = []
        for s in 0..<shown {
            let label = ClassNames.label(Int(test.labels[s]), names: names)
            let pred = evaluation.predictions.count > s ? Int(evaluation.predictions[s]) : -1
            let hidden = obs.layers[0]
            figs.append(
                SVG.raster(
                    title: "sample \(s) (\(label)): layer 1 spikes",
                    spikes: hidden.spikes(sample: s).map { (Double($0.step) * dtMicro, $0.neuron) },
                    neurons: hidden.neuronCount, duration: Double(T) * dtMicro, xLabel: "time (µs)"))
            figs.append(readoutChart(obs.readout, sample: s, predicted: pred, names: names, dtMicro: dtMicro))
        }
        page.figures(figs)
    }

    /// The readout membranes of one sample, one line per class (legend only for ≤ 10 classes), maxima circled
    /// for the max-over-time loss.
    private func readoutChart(_ out: LayerRecord, sample s: Int, predicted: Int, names: [String], dtMicro: Double)
        -> String
    {
        let T = test.stepCount
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
            lines.append(SVG.Series(name: ClassNames.label(k, names: names), points: pts, color: SVG.color(k)))
            if config.loss == .maxOverTime { marks.append((best.0, best.1, SVG.color(k))) }
        }
        // more than 10 classes: no legend (it would cover the plot)
        return SVG.lineChart(
            title: "sample \(s): readout, predicted \(ClassNames.label(predicted, names: names))",
            xLabel: "time (µs)", yLabel: "membrane", series: lines, markers: marks, legend: out.neuronCount <= 10)
    }
}
