import Foundation
import Testing
import SpikeCore
import SpikeData
import SpikeSubstrate
import SpikeTraining

/// Networks larger than one chip: the mapping arithmetic, spikes equal to the unpartitioned network without
/// mismatch, and impossible mappings.
@Suite(.serialized) struct PartitionTests {
    /// An ideal chip (no mismatch, no noise, exact settings) at one substep per step, shrunk to 16 neuron slots of
    /// 16 inputs so that small networks must partition.
    static var tinyChip: ChipConfig {
        var c = ChipConfig.ideal
        c.substeps = 1
        c.neuronCircuits = 32
        c.maxFanIn = 16
        return c
    }

    /// Weights on the chip's 6-bit grid (`w·240` integral, |w| ≤ 63/240), readout max |w| = 63/240 so its scale is 240.
    static func onGrid(_ net: Network) -> Network {
        var net = net
        func q(_ w: inout [Float]) { for i in w.indices { w[i] = min(63, max(-63, (w[i] * 240).rounded())) / 240 } }
        for l in net.layers.indices {
            q(&net.layers[l].weights)
            if net.layers[l].isRecurrent { q(&net.layers[l].recurrentWeights) }
        }
        net.layers[net.layers.count - 1].weights[0] = 63.0 / 240.0
        return net
    }

    static func recurrentNetwork() -> Network {
        let p = LIFParameters(tauMem: 6e-6, tauSyn: 6e-6, reset: .zero)
        return onGrid(
            Network.feedForward(
                sizes: [30, 24, 10], dt: 1.7e-6, hidden: p, readout: p,
                initializers: [WeightInit(mean: 0.08, std: 0.1), WeightInit(std: 0.05)], recurrent: true,
                recurrentInit: WeightInit(std: 0.05), weightLimit: 63.0 / 240.0, seed: 5))
    }

    /// Runs `net` on `substrate` and returns every layer's spikes as text per sample, and the observation.
    static func record(_ net: Network, on substrate: Substrate, samples: Int = 20) throws -> ([[String]], Observation) {
        let batch = SyntheticTasks.prototypes(samples: samples, channels: net.inputCount, stepCount: 20, seed: 3)
        try substrate.load(net)
        var obs = Observation(network: net, stepCount: 20, capacity: samples, recording: .full)
        try substrate.run(batch, samples: 0..<samples, into: &obs, worker: 0)
        let spikes = (0..<samples).map { s in
            net.layers.indices.filter { net.layers[$0].isSpiking }.flatMap { l in obs.layers[l].spikes(sample: s).map { "\(l):\($0.step):\($0.neuron)" } }
        }
        return (spikes, obs)
    }

    @Test("784-256-10 maps as 5 sub-networks: 8 circuits per hidden neuron, 64 per run, 5 runs per image")
    func mnistMapping() throws {
        let p = LIFParameters.paper
        let net = Network.feedForward(sizes: [784, 256, 10], dt: 1.7e-6, hidden: p, readout: p, initializers: [WeightInit(std: 0.01), WeightInit(std: 0.01)], seed: 1)
        let cfg = ChipConfig()
        let m = try ChipMapping(network: net, config: cfg)
        #expect(m.layers.map(\.slotsPerNeuron) == [4, 1])
        #expect(m.layers.map(\.circuitsPerNeuron) == [8, 2])
        #expect(m.layers[0].partitions == [0..<64, 64..<128, 128..<192, 192..<256])
        #expect(m.subnetworks.count == 5 && m.runsPerSample == 5 && m.wavesPerSample == 5)
        #expect(m.subnetworks.map(\.slots) == [256, 256, 256, 256, 10])
        #expect(m.isRouted(layer: 1) && !m.fitsOneChip)
        let run = 20 * 1.7e-6 + cfg.resetOverhead
        #expect(abs(m.chipSecondsPerSample(stepCount: 20, dt: 1.7e-6, config: cfg) - 5 * run) < 1e-12)
        // Side by side on 5 chips: one wave.
        let wide = try ChipMapping(network: net, config: cfg, chips: 5)
        #expect(wide.wavesPerSample == 1 && wide.subnetworks.map(\.chip) == [0, 1, 2, 3, 4])
        #expect(abs(wide.chipSecondsPerSample(stepCount: 20, dt: 1.7e-6, config: cfg) - run) < 1e-12)
        // 256-246-10 (the paper's MNIST16 net) still fits one chip run.
        let small = Network.feedForward(sizes: [256, 246, 10], dt: 1.7e-6, hidden: p, readout: p, initializers: [WeightInit(std: 0.01), WeightInit(std: 0.01)], seed: 1)
        #expect(try ChipMapping(network: small, config: cfg).fitsOneChip)
    }

    @Test("a recurrent layer over one chip runs in lockstep: 700+186 sources → 3 chips, readout in a second wave")
    func recurrentMapping() throws {
        let p = LIFParameters(tauMem: 20e-6, tauSyn: 10e-6)
        let net = Network.feedForward(sizes: [700, 186, 20], dt: 2e-6, hidden: p, readout: p, initializers: [WeightInit(std: 0.01), WeightInit(std: 0.01)], recurrent: true, recurrentInit: WeightInit(std: 0.01), seed: 1)
        let m = try ChipMapping(network: net, config: ChipConfig(), chips: 3)
        #expect(m.layers[0].sources == 886 && m.layers[0].slotsPerNeuron == 4 && m.layers[0].partitions.count == 3)
        #expect(m.subnetworks.map(\.chip) == [0, 1, 2, 0] && m.subnetworks.map(\.wave) == [0, 0, 0, 1])
        #expect(m.wavesPerSample == 2 && m.runsPerSample == 4)
        do {
            _ = try ChipMapping(network: net, config: ChipConfig(), chips: 2)
            Issue.record("a recurrent layer needing 3 chips mapped on 2")
        } catch { #expect("\(error)".contains("lockstep") && "\(error)".contains("at least 3 chips"), "\(error)") }
    }

    @Test("impossible mappings fail naming the layer and the limit")
    func impossible() {
        let p = LIFParameters.paper
        // 300 inputs need 19 slots of 16; the tiny chip has 16.
        let wide = Network.feedForward(sizes: [300, 4, 2], dt: 1.7e-6, hidden: p, readout: p, initializers: [WeightInit(std: 0.01), WeightInit(std: 0.01)], seed: 1)
        do {
            _ = try ChipMapping(network: wide, config: Self.tinyChip)
            Issue.record("a 300-input neuron mapped onto 16 slots of 16 inputs")
        } catch { #expect("\(error)".contains("layer 0") && "\(error)".contains("19 neuron slots") && "\(error)".contains("16"), "\(error)") }
        let chip = EmulatedChip(seed: 1, config: Self.tinyChip, calibrated: false)
        #expect(throws: SubstrateError.self) { try chip.load(EmulatedChipTests.smallNetwork()) }
    }

    @Test("partitioned without mismatch: the spikes of the software substrate and of one big chip, membranes within the ADC")
    func partitionedMatchesUnpartitioned() throws {
        let net = EmulatedChipTests.smallNetwork()
        let m = try ChipMapping(network: net, config: Self.tinyChip)
        #expect(m.layers.map(\.slotsPerNeuron) == [4, 3] && m.layers.map(\.partitions.count) == [10, 2] && m.runsPerSample == 12)
        var big = ChipConfig.ideal
        big.substeps = 1
        let (software, _) = try Self.record(net, on: SoftwareSubstrate())
        let (single, a) = try Self.record(net, on: EmulatedChip(seed: 1, config: big, calibrated: false))
        for chips in [1, 3] {
            let (parted, b) = try Self.record(net, on: PartitionedChip(seed: 1, chips: chips, config: Self.tinyChip, calibrated: false))
            #expect(parted == software && parted == single, "\(chips) chips")
            var worst: Float = 0
            for s in 0..<20 {
                for l in 0..<2 {
                    for t in 0..<20 {
                        for i in 0..<net.layers[l].neuronCount {
                            worst = max(worst, abs(a.layers[l].membrane(sample: s, step: t, neuron: i) - b.layers[l].membrane(sample: s, step: t, neuron: i)))
                        }
                    }
                }
            }
            #expect(worst == 0, "membrane difference \(worst)")
            let waves = try ChipMapping(network: net, config: Self.tinyChip, chips: chips).wavesPerSample
            #expect(waves == (chips == 1 ? 12 : 4))
            #expect(abs((b.substrateSeconds ?? 0) - Double(waves) * (a.substrateSeconds ?? 0)) < 1e-9)
        }
        #expect(software.joined().count > 50)
    }

    @Test("a recurrent layer split over chips in lockstep gives the software spikes")
    func lockstepMatchesSoftware() throws {
        let net = Self.recurrentNetwork()
        let (software, _) = try Self.record(net, on: SoftwareSubstrate())
        let m = try ChipMapping(network: net, config: Self.tinyChip, chips: 6)
        #expect(m.layers[0].partitions.count == 6)
        let (parted, _) = try Self.record(net, on: PartitionedChip(seed: 1, chips: 6, config: Self.tinyChip, calibrated: false))
        #expect(parted == software)
        #expect(software.joined().count > 50, "\(software.joined().count) spikes")
        #expect(throws: SubstrateError.self) { try PartitionedChip(seed: 1, chips: 2, config: Self.tinyChip, calibrated: false).load(net) }
    }

    @Test("the routing delay postpones every spike crossing sub-networks by whole steps")
    func routingDelay() throws {
        let net = EmulatedChipTests.smallNetwork()
        let (plain, a) = try Self.record(net, on: PartitionedChip(seed: 1, config: Self.tinyChip, calibrated: false))
        let (late, b) = try Self.record(net, on: PartitionedChip(seed: 1, config: Self.tinyChip, calibrated: false, routingDelaySteps: 2))
        #expect(plain.map { $0.filter { $0.hasPrefix("0:") } } == late.map { $0.filter { $0.hasPrefix("0:") } })  // hidden: same input
        // The readout sees the hidden spikes 2 steps later: its trace is the undelayed one shifted by 2 steps.
        var worst: Float = 0
        for s in 0..<20 {
            for t in 0..<18 {
                for i in 0..<10 { worst = max(worst, abs(a.layers[1].membrane(sample: s, step: t, neuron: i) - b.layers[1].membrane(sample: s, step: t + 2, neuron: i))) }
            }
        }
        #expect(worst == 0, "shifted readout differs by \(worst)")
    }

    @Test("BPTT on a partitioned ideal chip's merged observation gives the software gradients")
    func inTheLoopGradients() throws {
        let net = EmulatedChipTests.smallNetwork()
        let batch = SyntheticTasks.prototypes(samples: 12, stepCount: 20, seed: 8)
        let objective = Objective(loss: ReadoutLoss(scale: 10, tieBreakNoise: 0), regularizers: Regularizers(burst: 1e-3), surrogate: .superSpike(beta: 10))
        let engine = BPTT(network: net, stepCount: 20, workers: 1, chunk: 4)
        // A 20-bit ADC, so that the membranes the backward pass reads are the software ones to 1e-6 (InTheLoopTests).
        var cfg = Self.tinyChip
        (cfg.adcBits, cfg.adcLeakCode, cfg.adcThresholdCode, cfg.measuredNormalization) = (20, 400_000, 800_000, false)
        let parted = PartitionedChip(seed: 1, config: cfg, calibrated: false)
        try parted.load(net)
        let sw = SoftwareSubstrate()
        try sw.load(net)
        let (gs, ss) = try engine.gradients(network: net, batch: batch, substrate: sw, objective: objective, noiseSeed: nil)
        let (gc, sc) = try engine.gradients(network: net, batch: batch, substrate: parted, objective: objective, noiseSeed: nil)
        #expect(ss.hiddenSpikes == sc.hiddenSpikes && ss.hiddenSpikes > 0)
        for l in 0..<2 {
            var d = 0.0, n = 0.0
            for i in gs.weights[l].indices {
                d += Double((gs.weights[l][i] - gc.weights[l][i]) * (gs.weights[l][i] - gc.weights[l][i]))
                n += Double(gs.weights[l][i] * gs.weights[l][i])
            }
            #expect((d / n).squareRoot() < 1e-3, "layer \(l): relative difference \((d / n).squareRoot())")
        }
    }

    @Test("with mismatch each chip keeps its own: partitions on two chips differ from one chip, and runs repeat")
    func ownMismatch() throws {
        var cfg = ChipConfig()
        cfg.neuronCircuits = 32
        cfg.maxFanIn = 16
        cfg.membraneNoise = 0
        let net = EmulatedChipTests.smallNetwork()
        let (one, _) = try Self.record(net, on: PartitionedChip(seed: 1, config: cfg, calibrated: false), samples: 8)
        let (again, _) = try Self.record(net, on: PartitionedChip(seed: 1, config: cfg, calibrated: false), samples: 8)
        let (two, _) = try Self.record(net, on: PartitionedChip(seed: 1, chips: 2, config: cfg, calibrated: false), samples: 8)
        #expect(one == again)
        #expect(one != two)
    }
}
