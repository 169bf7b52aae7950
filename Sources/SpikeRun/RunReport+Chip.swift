import Foundation
import SpikeReport
import SpikeSubstrate
import SpikeTraining

extension RunReport {
    /// Chip and software membranes of the same test input overlaid (readout and the most active hidden neurons),
    /// with the ADC's range and saturated samples, and how often each layer's recording saturates.
    ///
    /// The software substrate runs the same network, so the difference between the lines is what the chip adds:
    /// mismatch, 6-bit weights, noise, substeps and the 8-bit ADC.
    func addChipTraces(to page: inout HTMLReport) throws {
        guard let chip, test.sampleCount > 0 else { return }
        let T = test.stepCount
        let shown = min(20, test.sampleCount)
        var onChip = Observation(network: network, stepCount: T, capacity: shown, recording: .full)
        try substrate.run(test, samples: 0..<shown, into: &onChip, worker: 0)
        let software = SoftwareSubstrate()
        try software.load(network)
        var inSoftware = Observation(network: network, stepCount: T, capacity: 1, recording: .full)
        try software.run(test, samples: 0..<1, into: &inSoftware, worker: 0)
        let ranges = adcRanges(chip)
        let names = classNames
        let label = Int(test.labels[0])
        let readout = onChip.readout
        // the true class, the chip's prediction and the runner-up (distinct)
        let peaks = (0..<readout.neuronCount).map { k in
            (0..<T).map { Double(readout.membrane(sample: 0, step: $0, neuron: k)) }.max() ?? 0
        }
        var classes = [label]
        for k in peaks.indices.sorted(by: { peaks[$0] > peaks[$1] }) where !classes.contains(k) && classes.count < 3 {
            classes.append(k)
        }
        let outLayer = network.layers.count - 1
        let readoutTraces = classes.enumerated().map { i, k in
            trace(
                layer: outLayer, neuron: k, name: "class \(ClassNames.label(k, names: names))", color: SVG.color(i),
                chip: onChip, software: inSoftware, ranges: ranges)
        }
        let hidden = onChip.layers[0]
        var counts = [Int](repeating: 0, count: hidden.neuronCount)
        for e in hidden.spikes(sample: 0) { counts[e.neuron] += 1 }
        let busiest = counts.indices.sorted { counts[$0] > counts[$1] }.prefix(3)
        let hiddenTraces = busiest.enumerated().map { i, n in
            trace(
                layer: 0, neuron: n, name: "neuron \(n) (\(counts[n]) spikes)", color: SVG.color(i + 3), chip: onChip,
                software: inSoftware, ranges: ranges)
        }
        page.heading("Chip vs software: membranes of the same input", id: Section.chipTraces.rawValue)
        page.note(
            "Test sample 0 (\(ClassNames.label(label, names: names))) on \(chip.name) (solid: the chip's 8-bit ADC recording, normalized to threshold units) and in the ideal software simulation of the same weights (dashed). Grey: beyond the ADC's range on these channels (codes 0 and \((1 << chip.config.adcBits) - 1)); red crosses: saturated chip samples, where the true membrane may lie further out."
        )
        let dtMicro = network.dt * 1e6
        page.figures([
            SVG.membraneOverlay(
                title: "Readout: true class, chip's top classes", traces: readoutTraces, dt: dtMicro,
                xLabel: "time (µs)"),
            SVG.membraneOverlay(
                title: "Layer 1: the most active neurons", traces: hiddenTraces, dt: dtMicro, xLabel: "time (µs)",
                threshold: 1),
        ])
        page.table(
            header: ["layer", "neurons", "ADC samples (\(shown) test inputs)", "at code 0", "at the top code"],
            rows: saturationRows(onChip, samples: shown, ranges: ranges))
    }

    /// Per neuron of the network (global index), the membrane range the ADC channel can report after the
    /// per-neuron normalization `(code − leak code)/(threshold code − leak code)`.
    func adcRanges(_ chip: EmulatedChip) -> [ClosedRange<Double>] {
        let top = Double((1 << chip.config.adcBits) - 1)
        let total = network.layers.reduce(0) { $0 + $1.neuronCount }
        return (0..<total).map { g in
            let leak = chip.readoutLeakCode[g]
            let span = max(1e-9, chip.readoutThresholdCode[g] - leak)
            return (0 - leak) / span...(top - leak) / span
        }
    }

    /// Global neuron index of neuron `i` of layer `l` (layers are placed one after another on the chip).
    func globalNeuron(layer l: Int, _ i: Int) -> Int { network.layers.prefix(l).reduce(0) { $0 + $1.neuronCount } + i }

    private func trace(
        layer l: Int, neuron i: Int, name: String, color: String, chip: Observation, software: Observation,
        ranges: [ClosedRange<Double>]
    ) -> MembraneTrace {
        let T = test.stepCount
        return MembraneTrace(
            name: name, color: color,
            software: (0..<T).map { Double(software.layers[l].membrane(sample: 0, step: $0, neuron: i)) },
            chip: (0..<T).map { Double(chip.layers[l].membrane(sample: 0, step: $0, neuron: i)) },
            adcRange: ranges[globalNeuron(layer: l, i)])
    }

    private func saturationRows(_ obs: Observation, samples: Int, ranges: [ClosedRange<Double>]) -> [[String]] {
        network.layers.indices.map { l in
            let rec = obs.layers[l]
            var low = 0
            var high = 0
            for s in 0..<samples {
                for i in 0..<rec.neuronCount {
                    let r = ranges[globalNeuron(layer: l, i)]
                    let values = (0..<rec.stepCount).map { Double(rec.membrane(sample: s, step: $0, neuron: i)) }
                    for k in MembraneTrace.saturatedSamples(values, range: r) {
                        if values[k] <= r.lowerBound + 1e-3 { low += 1 } else { high += 1 }
                    }
                }
            }
            let total = samples * rec.neuronCount * rec.stepCount
            func share(_ c: Int) -> String {
                String(format: "%d (%.2f %%)", c, 100 * Double(c) / Double(max(1, total)))
            }
            let name = l == network.layers.count - 1 ? "readout" : "hidden \(l + 1)"
            return [name, String(rec.neuronCount), String(total), share(low), share(high)]
        }
    }

    /// The calibration summary (probe measurements of the neurons this network uses, uncalibrated and as the
    /// chip is now) and the chip time and energy of the test set.
    func addChipSummary(to page: inout HTMLReport) {
        guard let chip else { return }
        let used = 0..<network.layers.reduce(0) { $0 + $1.neuronCount }
        let uncalibrated = ChipInstance(
            seed: chip.instance.seed, config: chip.config, tauMem: chip.targetTauMem, tauSyn: chip.targetTauSyn)
        let before = Calibration.measure(
            uncalibrated, tauMemGuess: chip.targetTauMem, tauSynGuess: chip.targetTauSyn, neurons: used)
        let now = chip.measure(neurons: used)
        var state = chip.isCalibrated ? "calibrated" : "not calibrated"
        if chip.decalibration > 0 { state += String(format: ", then decalibrated by σ_d = %.2f", chip.decalibration) }
        page.heading("The chip: calibration, time and energy", id: Section.chip.rawValue)
        page.note(
            "Probe measurements (as on hardware: ADC codes and spike times only) of the \(used.count) neurons this network uses on \(chip.name), with the chip's nominal settings and as the run left it (\(state)). Mean ± SD over neurons."
        )
        let rows: [(String, Double, [Double], [Double], Double)] = [
            ("τ_m (µs)", chip.targetTauMem, before.tauMem, now.tauMem, 1e6),
            ("τ_s (µs)", chip.targetTauSyn, before.tauSyn, now.tauSyn, 1e6),
            ("leak", 0, before.leak, now.leak, 1), ("threshold", 1, before.threshold, now.threshold, 1),
            ("reset", 0, before.reset, now.reset, 1),
        ]
        page.table(
            header: ["parameter", "target", "nominal settings (uncalibrated)", "on the chip now (\(state))"],
            rows: rows.map { name, target, b, a, scale in
                let sb = ChipInspection.Parameter.meanAndSD(b)
                let sa = ChipInspection.Parameter.meanAndSD(a)
                // rounded first and + 0 (−0.0 + 0 is 0): a mean that rounds to zero reads 0.000, not -0.000
                func text(_ m: Double, _ sd: Double) -> String {
                    String(format: "%.3f ± %.3f", (m * scale * 1000).rounded() / 1000 + 0, sd * scale)
                }
                return [name, String(format: "%.3g", target * scale), text(sb.mean, sb.sd), text(sa.mean, sa.sd)]
            })
        addChipTime(to: &page, chip: chip)
    }

    private func addChipTime(to page: inout HTMLReport, chip: EmulatedChip) {
        let n = evaluation.samples
        guard n > 0 else { return }
        let seconds = evaluation.substrateSeconds
        let joules = evaluation.energyJoules
        page.table(
            header: ["test set on the chip", "total", "per image"],
            rows: [
                ["images", String(n), "1"],
                [
                    "chip time", String(format: "%.2f ms", seconds * 1e3),
                    String(format: "%.1f µs", seconds / Double(n) * 1e6),
                ],
                [
                    "energy", String(format: "%.2f mJ", joules * 1e3),
                    String(format: "%.2f µJ", joules / Double(n) * 1e6),
                ],
                ["hardware runs (\(chip.config.imagesPerRun) images each)", String(chip.hardwareRuns(samples: n)), ""],
            ])
        page.note(
            String(
                format:
                    "Chip time is emulated chip time, not the host's: per image the network's %.1f µs (%d steps of %.2f µs, or the %.0f µs inference window when enabled) plus the %.1f µs reset between images; energy is chip time × %.0f mW. Timing, reset and power are the published BrainScaleS-2 figures (Cramer et al. 2022, doi:10.1073/pnas.2109194119); training forward passes cost the same per image.",
                Double(test.stepCount) * network.dt * 1e6, test.stepCount, network.dt * 1e6,
                chip.config.inferenceWindow * 1e6, chip.config.resetOverhead * 1e6, chip.config.chipPower * 1e3))
    }
}
