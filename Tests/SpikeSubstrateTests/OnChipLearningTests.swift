import Foundation
import SpikeCore
@testable import SpikeSubstrate
import SpikeTraining
import Testing
import _SpikeTestSupport

/// The plasticity processor and the on-chip e-prop program (issue 14, items 2–3).
@Suite struct OnChipLearningTests {
    /// One latency-coded sample: every channel spikes once, at a step drawn per channel.
    static func latencyBatch(channels: Int, steps: Int, label: Int32, seed: UInt64) -> SpikeBatch {
        var rng = SeededRandom(seed: seed)
        let events = (0..<channels).map { c in (sample: 0, step: Int(rng.next() % UInt64(steps / 2)), channel: c) }
        return SpikeBatch(sampleCount: 1, stepCount: steps, channelCount: channels, events: events, labels: [label])
    }

    static func objective() -> Objective {
        Objective(loss: ReadoutLoss(reduction: .sumOverTime, scale: 0.5, tieBreakNoise: 0), regularizers: Regularizers(), surrogate: .superSpike(beta: 10))
    }

    @Test("at high precision the PPU program's update equals the float diagonal online rule's (sum-over-time loss, symmetric feedback)")
    func exactProgramEqualsFloatRule() throws {
        var net = EmulatedChipTests.smallNetwork(reset: .subtract)
        for i in net.layers[0].weights.indices { net.layers[0].weights[i] += 0.02 }  // an active hidden layer
        var cfg = ChipConfig.ideal
        cfg.substeps = 1
        let chip = EmulatedChip(seed: 1, config: cfg, calibrated: false)
        try chip.load(net)
        let held = chip.residentNetwork(net)  // the network as the chip holds it (quantized codes)
        let batch = Self.latencyBatch(channels: 64, steps: 20, label: 3, seed: 9)
        var obs = Observation(network: held, stepCount: 20, capacity: 1, recording: .full)
        try chip.run(batch, samples: 0..<1, options: RunOptions(), into: &obs, worker: 0)
        #expect(obs.layers[0].spikeCount(sample: 0) > 0)

        var settings = OnChipLearningConfig()
        settings.precision = .exact
        settings.homeostasis = 0
        let program = try OnChipEprop(chip: chip, network: held, stepCount: 20, objective: Self.objective(), config: settings, seed: 3)
        program.deltaLog = ([], [])
        _ = program.learn(obs, local: 0, input: batch, sample: 0)

        let online = OnlineLearning(network: held, stepCount: 20, workers: 1, chunk: 1, rule: .diagonal, feedback: .symmetric)
        let reference = SoftwareSubstrateReplay(observation: obs)
        let g = try online.gradients(network: held, batch: batch, substrate: reference, objective: Self.objective(), noiseSeed: nil).0
        let hidden = g.weights[0].map { -Double(settings.learningRate) * 240 * Double($0) }
        let readout = g.weights[1].map { -Double(settings.readoutLearningRate) * 240 * Double($0) }
        let log = try #require(program.deltaLog)
        #expect(relativeError(log.hidden, hidden) < 1e-4, "hidden: \(relativeError(log.hidden, hidden))")
        #expect(hidden.contains { $0 != 0 })
        #expect(relativeError(log.readout, readout) < 1e-4, "readout: \(relativeError(log.readout, readout))")
    }

    @Test("cycle counts scale as documented: a row store costs vectors·(access + 2 ops), a layer update is linear in its rows")
    func cycleCounts() throws {
        let cfg = PPUConfig()
        let ppu = PlasticityProcessor(config: cfg, seed: 1)
        #expect(cfg.lanesPerVector == 64)
        let a = PPURow(repeating: 3, count: 246), b = PPURow(repeating: 5, count: 246)
        _ = ppu.add(a, b)
        #expect(ppu.cycles == 4 * cfg.cyclesPerVectorOp)  // 246 lanes = 4 vectors of 64
        ppu.resetCounters()
        let chip = EmulatedChip(seed: 2, config: ChipConfig(), calibrated: false)
        try chip.load(EmulatedChipTests.smallNetwork())
        ppu.storeWeights(PPURow(repeating: 1, count: 40), chip, layer: 0, row: 0)
        #expect(ppu.cycles == 1 * (cfg.cyclesPerSynapseAccess + 2 * cfg.cyclesPerVectorOp))
        #expect(chip.synapseRow(layer: 0, row: 0) == [Int8](repeating: 1, count: 40))
        // the program's per-sample cost grows linearly with the input rows it updates
        func cost(inputs: Int, computingEveryRow: Bool = false) throws -> Int {
            let p = LIFParameters(tauMem: 6e-6, tauSyn: 6e-6, reset: .subtract)
            let net = Network.feedForward(
                sizes: [inputs, 16, 4], dt: 1.7e-6, hidden: p, readout: p,
                initializers: [WeightInit(mean: 0.03, std: 0.08), WeightInit(std: 0.05)], weightLimit: 63.0 / 240.0, seed: 1)
            let c = EmulatedChip(seed: 2, config: ChipConfig(), calibrated: false)
            try c.load(net)
            // (every other channel silent: its sensor rows stay uncharged)
            let full = Self.latencyBatch(channels: inputs, steps: 20, label: 1, seed: 4)
            let batch = SpikeBatch(sampleCount: 1, stepCount: 20, channelCount: inputs, events: full.events(ofSample: 0).filter { $0.channel % 2 == 0 }.map { (0, $0.step, $0.channel) }, labels: [1])
            var obs = Observation(network: net, stepCount: 20, capacity: 1, recording: .full)
            try c.run(batch, samples: 0..<1, options: RunOptions(), into: &obs, worker: 0)
            let program = try OnChipEprop(chip: c, network: net, stepCount: 20, objective: Self.objective(), config: OnChipLearningConfig(), seed: 3)
            if computingEveryRow { program.deltaLog = ([], []) }
            _ = program.learn(obs, local: 0, input: batch, sample: 0)
            return program.ppu.cycles
        }
        let c1 = try cost(inputs: 32), c2 = try cost(inputs: 64), c3 = try cost(inputs: 96)
        #expect(c2 - c1 == c3 - c2, "cycles \(c1), \(c2), \(c3)")
        #expect(c2 > c1)
        // rows the emulation skips (no pairing: a zero update) are charged what computing them costs
        #expect(try cost(inputs: 64, computingEveryRow: true) == c2)
    }

    @Test("stochastic rounding is unbiased and weights written by the PPU are what the next run uses")
    func stochasticRoundingAndResidentWeights() throws {
        let ppu = PlasticityProcessor(seed: 5)
        let r = ppu.multiplyStochastic(PPURow(repeating: 3, count: 4000), PPURow(repeating: 1, count: 4000), shift: 3)  // 3/8
        let mean = Double(r.lanes.reduce(0, +)) / 4000
        #expect(abs(mean - 0.375) < 0.03, "mean \(mean)")
        #expect(Set(r.lanes) == [0, 1])
        // a shift beyond the lane's random bits (16-bit lanes: 15) stays unbiased, for either sign
        for v: Int64 in [3 << 20, -(3 << 20)] {
            let w = ppu.multiplyStochastic(PPURow(repeating: v, count: 4000), PPURow(repeating: 1, count: 4000), shift: 23)
            let m = Double(w.lanes.reduce(0, +)) / 4000
            #expect(abs(m - Double(v) / Double(1 << 23)) < 0.03, "shift 23, value \(v): mean \(m)")
        }

        let net = EmulatedChipTests.smallNetwork(reset: .subtract)
        var cfg = ChipConfig.ideal
        cfg.substeps = 1
        let chip = EmulatedChip(seed: 1, config: cfg, calibrated: false)
        try chip.load(net)
        for j in 0..<64 { chip.writeSynapseRow(layer: 0, row: j, codes: chip.synapseRow(layer: 0, row: j).map { $0 / 2 + 5 }) }
        let held = chip.residentNetwork(net)
        let batch = Self.latencyBatch(channels: 64, steps: 20, label: 0, seed: 2)
        var a = Observation(network: net, stepCount: 20, capacity: 1, recording: .full), b = a
        try chip.run(batch, samples: 0..<1, options: RunOptions(), into: &a, worker: 0)
        let fresh = EmulatedChip(seed: 1, config: cfg, calibrated: false)
        try fresh.load(held)
        try fresh.run(batch, samples: 0..<1, options: RunOptions(), into: &b, worker: 0)
        #expect(a.layers[0].spikes(sample: 0).map { [$0.step, $0.neuron] } == b.layers[0].spikes(sample: 0).map { [$0.step, $0.neuron] })
        #expect(held.layers[0].weights != net.layers[0].weights)
    }

    @Test("the program refuses what it cannot do: max-over-time loss, two hidden layers, a full PPU memory")
    func refusals() throws {
        let chip = EmulatedChip(seed: 1, config: ChipConfig(), calibrated: false)
        let net = EmulatedChipTests.smallNetwork(reset: .subtract)
        try chip.load(net)
        var max = Self.objective()
        max.loss = ReadoutLoss(reduction: .maxOverTime, scale: 1, tieBreakNoise: 0)
        #expect(throws: SubstrateError.self) { try OnChipEprop(chip: chip, network: net, stepCount: 20, objective: max, config: OnChipLearningConfig(), seed: 1) }
        let ppu = PlasticityProcessor(seed: 1)
        try ppu.reserve(bytes: 16_000, for: "a")
        #expect(throws: SubstrateError.self) { try ppu.reserve(bytes: 1_000, for: "b") }
    }
}

/// Hands back a recorded observation as if a substrate had just produced it (so that the float rule sees exactly
/// what the PPU program saw).
final class SoftwareSubstrateReplay: Substrate, @unchecked Sendable {
    let recorded: Observation
    let name = "replay"
    let capabilities = SubstrateCapabilities(exactMembranes: false)
    init(observation: Observation) { recorded = observation }
    func load(_ network: Network) throws {}
    func run(_ input: SpikeBatch, samples: Range<Int>, options: RunOptions, into observation: inout Observation, worker: Int) throws {
        observation = recorded
        observation.samples = samples
    }
}

@Suite struct RewardSTDPTests {
    @Test("R-STDP moves the weights of causally paired synapses with the sign of the reward error, and not without one")
    func signOfRewardError() throws {
        let task = ActionSelectionTask(states: 2, channels: 32, steps: 20, seed: 3)
        let p = LIFParameters(tauMem: 6e-6, tauSyn: 6e-6, reset: .subtract)
        let net = Network.feedForward(
            sizes: [32, 2, 2], dt: 1.7e-6, hidden: p, readout: p,
            initializers: [WeightInit(mean: 0.08, std: 0.01), WeightInit(std: 0.05)], weightLimit: 63.0 / 240.0, seed: 1)
        var rng = SeededRandom(seed: 5)
        let input = task.trial(state: 0, rng: &rng, background: 0)
        func change(reward: Float, expected: Float) throws -> Int {
            let chip = EmulatedChip(seed: 1, config: ChipConfig(), calibrated: false)
            try chip.load(net)
            var settings = RewardSTDP.Settings()
            (settings.beta, settings.anticausal) = (2, 0)
            let rule = try RewardSTDP(chip: chip, network: net, states: 2, settings: settings, seed: 2)
            rule.expectedReward = [expected, 0]
            var obs = Observation(network: net, stepCount: 20, capacity: 1, recording: .full)
            try chip.run(input, samples: 0..<1, options: RunOptions(), into: &obs, worker: 0)
            #expect(obs.layers[0].spikeCount(sample: 0) > 0)
            let before = (0..<32).flatMap { chip.synapseRow(layer: 0, row: $0) }
            try rule.learn(obs, local: 0, input: input, sample: 0, state: 0, reward: reward)
            let after = (0..<32).flatMap { chip.synapseRow(layer: 0, row: $0) }
            #expect(rule.expectedReward[0] != expected || reward == expected)
            return zip(before, after).map { Int($1) - Int($0) }.reduce(0, +)
        }
        #expect(try change(reward: 1, expected: 0) > 0)
        #expect(try change(reward: 0, expected: 1) < 0)
        #expect(try change(reward: 0.5, expected: 0.5) == 0)
    }
}
