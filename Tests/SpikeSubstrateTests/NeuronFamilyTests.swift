import Testing
import SpikeCore
import SpikeData
import SpikeSubstrate
import SpikeTraining

/// Every neuron family runs through one step (`NeuronStep`): the software substrate and the ideal chip (no
/// mismatch or noise, one substep per model step) must therefore produce identical spikes.
@Suite struct NeuronFamilyTests {
    static let cases: [(hidden: NeuronFamily, readout: NeuronFamily, timing: CurrentTiming)] = [
        (.cubaLIF, .cubaLI, .sameStep), (.lif, .li, .sameStep), (.integrateAndFire, .cubaLI, .sameStep),
        (.cubaLIF, .li, .delayed), (.lif, .cubaLI, .delayed),
    ]

    @Test("software and the ideal chip give identical spikes for every family", arguments: 0..<cases.count)
    func familiesAgree(index: Int) throws {
        let c = Self.cases[index]
        // Without a synaptic current an input is a single jump: r = 4 lets sparse latency inputs reach threshold.
        let r: Float = c.hidden == .lif ? 4 : 1
        let hidden = NeuronParameters(family: c.hidden, tauMem: 6e-6, tauSyn: 6e-6, r: r, reset: .zero, currentTiming: c.timing)
        let readout = NeuronParameters(family: c.readout, tauMem: 6e-6, tauSyn: 6e-6, currentTiming: c.timing)
        var net = Network.feedForward(
            sizes: [64, 40, 10], dt: 1.7e-6, hidden: hidden, readout: readout,
            initializers: [WeightInit(mean: 0.02, std: 0.12), WeightInit(std: 0.05)], weightLimit: 63.0 / 240.0, seed: 9)
        for l in 0..<2 {  // multiples of 1/240 are exact on the chip (6-bit weights, scale 240)
            for i in net.layers[l].weights.indices {
                net.layers[l].weights[i] = min(63, max(-63, (net.layers[l].weights[i] * 240).rounded())) / 240
            }
        }
        net.layers[1].weights[0] = 63.0 / 240.0
        var cfg = ChipConfig.ideal
        cfg.substeps = 1
        let chip = EmulatedChip(seed: 1, config: cfg, calibrated: false)
        let sw = SoftwareSubstrate()
        try sw.load(net)
        try chip.load(net)
        let batch = SyntheticTasks.prototypes(samples: 12, stepCount: 20, seed: 3)
        var a = Observation(network: net, stepCount: 20, capacity: 12, recording: .full)
        var b = Observation(network: net, stepCount: 20, capacity: 12, recording: .full)
        try sw.run(batch, samples: 0..<12, into: &a, worker: 0)
        try chip.run(batch, samples: 0..<12, into: &b, worker: 0)
        var spikes = 0
        for s in 0..<12 {
            let x = a.layers[0].spikes(sample: s).map { "\($0.step):\($0.neuron)" }
            let y = b.layers[0].spikes(sample: s).map { "\($0.step):\($0.neuron)" }
            #expect(x == y, "\(c.hidden) sample \(s)")
            spikes += x.count
        }
        #expect(spikes > 20, "\(c.hidden): too few spikes (\(spikes)) to compare")
        #expect(spikes < 12 * 40 * 20 / 2, "\(c.hidden): saturated (\(spikes) spikes)")
    }

    @Test("a hidden layer without a threshold is rejected, naming the field")
    func hiddenMustSpike() {
        let p = NeuronParameters(family: .li, tauMem: 6e-6, tauSyn: 6e-6)
        let net = Network.feedForward(
            sizes: [4, 3, 2], dt: 1e-6, hidden: p, readout: p, initializers: [WeightInit(std: 0.1), WeightInit(std: 0.1)], seed: 1)
        #expect(throws: TrainingError.self) { try net.validate() }
        do { try net.validate() } catch { #expect("\(error)".contains("layers[0].parameters.family")) }
    }
}
