import Foundation
import Testing
import SpikeCore
import SpikeData
import SpikeSubstrate
import SpikeTraining

@Suite(.serialized) struct EmulatedChipTests {
    static func smallNetwork(seed: UInt64 = 4, reset: ResetMode = .zero) -> Network {
        let p = LIFParameters(tauMem: 6e-6, tauSyn: 6e-6, reset: reset)
        var net = Network.feedForward(
            sizes: [64, 40, 10], dt: 1.7e-6, hidden: p, readout: p,
            initializers: [WeightInit(mean: 0.03, std: 0.08), WeightInit(std: 0.05)], weightLimit: 63.0 / 240.0, seed: seed)
        // Representable exactly: hidden multiples of 1/240; output max |w| = 63/240 so its scale is 240 too.
        for l in 0..<2 {
            for i in net.layers[l].weights.indices {
                net.layers[l].weights[i] = min(63, max(-63, (net.layers[l].weights[i] * 240).rounded())) / 240
            }
        }
        net.layers[1].weights[0] = 63.0 / 240.0
        return net
    }

    @Test("an ideal chip at one substep per step reproduces the software substrate")
    func idealMatchesSoftware() throws {
        var cfg = ChipConfig.ideal
        cfg.substeps = 1
        let chip = EmulatedChip(seed: 1, config: cfg, calibrated: false)
        let net = Self.smallNetwork()
        let batch = SyntheticTasks.prototypes(samples: 20, stepCount: 20, seed: 3)
        let sw = SoftwareSubstrate()
        try sw.load(net)
        try chip.load(net)
        var a = Observation(network: net, stepCount: 20, capacity: 20, recording: .full)
        var b = Observation(network: net, stepCount: 20, capacity: 20, recording: .full)
        try sw.run(batch, samples: 0..<20, into: &a, worker: 0)
        try chip.run(batch, samples: 0..<20, into: &b, worker: 0)
        var spikes = 0, worst: Float = 0
        for s in 0..<20 {
            let x = a.layers[0].spikes(sample: s).map { "\($0.step):\($0.neuron)" }
            let y = b.layers[0].spikes(sample: s).map { "\($0.step):\($0.neuron)" }
            #expect(x == y, "sample \(s)")
            spikes += x.count
            for l in 0..<2 {
                for t in 0..<20 {
                    for i in 0..<net.layers[l].neuronCount {
                        let sv = a.layers[l].membrane(sample: s, step: t, neuron: i)
                        guard sv > -0.45 && sv < 1.55 else { continue }  // inside the ADC range
                        worst = max(worst, abs(sv - b.layers[l].membrane(sample: s, step: t, neuron: i)))
                    }
                }
            }
        }
        #expect(spikes > 50)
        #expect(worst <= 0.5 / 120 + 1e-4, "ADC error \(worst) exceeds half an LSB")
        #expect(b.membraneIsExact == false)
        #expect((b.substrateSeconds ?? 0) > 0 && (b.energyJoules ?? 0) > 0)
    }

    @Test("finer integration converges to the continuous-time PSP")
    func convergence() throws {
        let tauMem = 6e-6, tauSyn = 3e-6, dt = 1.7e-6, w: Float = 1
        let p = LIFParameters(tauMem: tauMem, tauSyn: tauSyn, vThreshold: 1, reset: .zero, inputScaling: .oneMinusBeta)
        let net = Network(dt: dt, layers: [
            Layer(kind: .lif, inputCount: 1, neuronCount: 1, parameters: p, weights: [0]),
            Layer(kind: .leakyReadout, inputCount: 1, neuronCount: 1, parameters: p, weights: [0]),
        ])
        // Drive the readout directly: a 1-input network whose hidden neuron is silent; use the hidden layer's PSP.
        var n2 = net
        n2.layers[0].weights = [w * 63 / 240]
        let batch = SpikeBatch(sampleCount: 1, stepCount: 20, channelCount: 1, events: [(0, 0, 0)], labels: [0])
        var errors: [Double] = []
        for S in [1, 4, 16] {
            var cfg = ChipConfig.ideal
            cfg.substeps = S
            let chip = EmulatedChip(seed: 1, config: cfg, calibrated: false, tauMem: tauMem, tauSyn: tauSyn)
            try chip.load(n2)
            var obs = Observation(network: n2, stepCount: 20, capacity: 1, recording: .full)
            try chip.run(batch, samples: 0..<1, into: &obs, worker: 0)
            let wq = Double(n2.layers[0].weights[0])
            var e = 0.0
            for t in 0..<20 {
                let time = Double(t) * dt
                let exact = wq * tauSyn / (tauSyn - tauMem) * (exp(-time / tauSyn) - exp(-time / tauMem))
                e = max(e, abs(Double(obs.layers[0].membrane(sample: 0, step: t, neuron: 0)) - exact))
            }
            errors.append(e)
        }
        // The ADC resolution (1/120 per LSB) bounds what a recording can show; the integration error shrinks
        // with the step until it reaches that floor.
        #expect(errors[1] < errors[0] && errors[2] <= errors[1] + 1.0 / 240, "errors \(errors)")
        #expect(errors[2] < 0.02 && errors[0] > 3 * errors[2], "errors \(errors)")
    }

    @Test("the ADC samples every 1.7 µs and is interpolated onto a finer model grid")
    func adcOwnGrid() throws {
        let dt = 0.425e-6
        let p = LIFParameters(tauMem: 6e-6, tauSyn: 3e-6, vThreshold: 1, reset: .zero, inputScaling: .oneMinusBeta)
        let net = Network(dt: dt, layers: [
            Layer(kind: .lif, inputCount: 1, neuronCount: 1, parameters: p, weights: [0.2625]),
            Layer(kind: .leakyReadout, inputCount: 1, neuronCount: 1, parameters: p, weights: [0]),
        ])
        let batch = SpikeBatch(sampleCount: 1, stepCount: 80, channelCount: 1, events: [(0, 0, 0)], labels: [0])
        var cfg = ChipConfig.ideal
        cfg.substeps = 1
        let chip = EmulatedChip(seed: 1, config: cfg, calibrated: false, tauMem: 6e-6, tauSyn: 3e-6)
        try chip.load(net)
        let sw = SoftwareSubstrate()
        try sw.load(net)
        var a = Observation(network: net, stepCount: 80, capacity: 1, recording: .full)
        var b = Observation(network: net, stepCount: 80, capacity: 1, recording: .full)
        try sw.run(batch, samples: 0..<1, into: &a, worker: 0)
        try chip.run(batch, samples: 0..<1, into: &b, worker: 0)
        var worst: Float = 0
        for t in 0..<80 {
            let exact = a.layers[0].membrane(sample: 0, step: t, neuron: 0)
            let got = b.layers[0].membrane(sample: 0, step: t, neuron: 0)
            worst = max(worst, abs(exact - got))
            if t % 4 == 0 { #expect(abs(exact - got) <= 0.5 / 120 + 1e-4, "step \(t) lies on the ADC grid") }
        }
        #expect(worst < 0.02, "interpolation error \(worst)")
        #expect(worst > 0.5 / 120, "between ADC samples the recording is interpolated, not exact")
    }

    @Test("calibration brings the measured spreads below the residual targets")
    func calibrationReducesSpread() throws {
        let raw = EmulatedChip(seed: 7, calibrated: false)
        let before = raw.measure()
        let cal = EmulatedChip(seed: 7, calibrated: true)
        cal.calibrate(tauMem: 6e-6, tauSyn: 6e-6)
        let after = cal.measure()
        let s = NeuronMeasurements.spread
        // the measurement agrees with the hidden truth
        var err = 0.0
        for i in 0..<cal.instance.neuronCountForTesting {
            err = max(err, abs(after.tauMem[i] / cal.instance.realizedTausForTesting(i).0 - 1))
        }
        print("calibration: τm spread \(s(before.tauMem, true)) → \(s(after.tauMem, true)), τs \(s(before.tauSyn, true)) → \(s(after.tauSyn, true)), threshold SD \(s(before.threshold, false)) → \(s(after.threshold, false)); worst τm measurement error \(err)")
        #expect(s(before.tauMem, true) > 0.12 && s(before.threshold, false) > 0.06, "the uncalibrated chip must show its mismatch")
        #expect(s(after.tauMem, true) < 0.03, "τm spread \(s(after.tauMem, true))")
        #expect(s(after.tauSyn, true) < 0.05, "τs spread \(s(after.tauSyn, true))")
        #expect(s(after.leak, false) < 0.02, "leak SD \(s(after.leak, false))")
        #expect(s(after.threshold, false) < 0.02, "threshold SD \(s(after.threshold, false))")
        let meanTau = after.tauMem.reduce(0, +) / Double(after.tauMem.count)
        #expect(abs(meanTau - 6e-6) < 0.3e-6)
    }

    @Test("the ADC quantizes to integers and saturates at both ends")
    func adc() throws {
        let chip = EmulatedChip(seed: 1, config: .ideal, calibrated: false)
        let inst = chip.instance
        #expect(inst.adcCodeForTesting(10, 0) == 255)
        #expect(inst.adcCodeForTesting(-10, 0) == 0)
        #expect(inst.adcCodeForTesting(0.5, 0) == 120)
        #expect(inst.adcCodeForTesting(0.504, 0) == 120.0 && inst.adcCodeForTesting(0.51, 0) == 121)
        #expect(abs(chip.readoutLeakCode[0] - 60) < 1e-9)
        #expect(abs(chip.readoutThresholdCode[0] - 180) <= 1)
    }

    @Test("a network over capacity fails with a clear error")
    func capacity() {
        let p = LIFParameters.paper
        let big = Network.feedForward(sizes: [256, 250, 10], dt: 1.7e-6, hidden: p, readout: p, initializers: [WeightInit(std: 0.01), WeightInit(std: 0.01)], seed: 1)
        let chip = EmulatedChip(seed: 1, config: .ideal, calibrated: false)
        #expect(throws: SubstrateError.self) { try chip.load(big) }
        do { try chip.load(big) } catch { #expect("\(error)".contains("260 neurons") && "\(error)".contains("256") && "\(error)".contains("partitioned"), "\(error)") }
        let wide = Network.feedForward(sizes: [300, 20, 10], dt: 1.7e-6, hidden: p, readout: p, initializers: [WeightInit(std: 0.01), WeightInit(std: 0.01)], seed: 1)
        // A dense 300-input layer no longer fails: its neurons connect 2 slots each (compound neurons, ChipMapping).
        #expect(throws: SubstrateError.self) { try SynapseRows.check(wide.layers[0], index: 0, rows: 256) }
        #expect(ChipMapping.slotsPerNeuron(wide.layers[0], index: 0, config: .ideal) == 2)
        #expect(throws: Never.self) { try chip.load(wide) }
    }
}
