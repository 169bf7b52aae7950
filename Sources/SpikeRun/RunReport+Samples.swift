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
    ///
    /// On a decalibrated chip, a readout channel with a small measured threshold − leak span reports its ADC
    /// floor far below the others (−8 where most reach −0.6) and would squash every other line into a flat band;
    /// the y axis then ends a little beyond the median channel's ADC range, and the classes that leave it run
    /// along the frame and are named in the title.
    private func readoutChart(_ out: LayerRecord, sample s: Int, predicted: Int, names: [String], dtMicro: Double)
        -> String
    {
        let T = test.stepCount
        let values = (0..<out.neuronCount).map { k in
            (0..<T).map { Double(out.membrane(sample: s, step: $0, neuron: k)) }
        }
        var lines: [SVG.Series] = []
        var marks: [(Double, Double, String)] = []
        for (k, v) in values.enumerated() {
            let pts = v.enumerated().map { (Double($0.offset) * dtMicro, $0.element) }
            lines.append(SVG.Series(name: ClassNames.label(k, names: names), points: pts, color: SVG.color(k)))
            if config.loss == .maxOverTime, let best = pts.max(by: { $0.1 < $1.1 }) {
                marks.append((best.0, best.1, SVG.color(k)))
            }
        }
        var title = "sample \(s) readout: predicted \(ClassNames.label(predicted, names: names))"
        var yRange: (Double, Double)? = nil
        if let chip {
            let outLayer = network.layers.count - 1
            let ranges = adcRanges(chip)
            let channels = (0..<out.neuronCount).map { ranges[globalNeuron(layer: outLayer, $0)] }
            func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
            let all = values.flatMap { $0 }
            let lo = max(all.min() ?? 0, median(channels.map(\.lowerBound)) - 0.25)
            let hi = min(all.max() ?? 1, median(channels.map(\.upperBound)) + 0.25)
            let off = values.indices.filter { k in values[k].contains { $0 < lo - 1e-9 || $0 > hi + 1e-9 } }
            if !off.isEmpty && hi > lo {
                yRange = (lo, hi)
                title += ", class \(off.map(String.init).joined(separator: ", ")) off the axis"
            }
        }
        // more than 10 classes: no legend (it would cover the plot)
        return SVG.lineChart(
            title: title, xLabel: "time (µs)", yLabel: "membrane", series: lines, yRange: yRange, markers: marks,
            legend: out.neuronCount <= 10)
    }
}
