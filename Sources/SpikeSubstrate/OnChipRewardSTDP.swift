import Foundation
import SpikeCore
import SpikeTraining

/// Reward-modulated STDP as a plasticity-processor program (issue 14, item 3a), as shown on BrainScaleS-2 by
/// Wunderlich et al. 2019 (doi:10.3389/fnins.2019.00260): after each trial the PPU reads every synapse row's
/// correlation sensors and applies `Δw_ij = β·(R − R̄_s)·(c⁺_ij − λ·c⁻_ij)`, with `c⁺`/`c⁻` the causal and
/// anti-causal stores (minus the empty-row baseline), `R` the trial's reward and `R̄_s` a running mean of the
/// reward in the trial's state `s` (kept in PPU memory, one value per state), then resets the rows.
public final class RewardSTDP: @unchecked Sendable {
    public struct Settings: Sendable, Equatable {
        /// Weight change per sensor code and unit of reward error, in synapse codes.
        public var beta: Float = 0.08
        /// Weight of the anti-causal store (0: causal pairings only).
        public var anticausal: Float = 0.5
        /// Update rate of the expected reward per state.
        public var rewardRate: Float = 0.2
        public init() {}
    }

    public let settings: Settings
    public let ppu: PlasticityProcessor
    public let sensors: CorrelationSensors
    let chip: EmulatedChip
    let dt: Double
    private var baseline: (causal: PPURow, anticausal: PPURow)
    /// Expected reward per state, `R̄_s`.
    public internal(set) var expectedReward: [Float]

    /// R-STDP on layer 0 of the network loaded on `chip`, for a task with `states` states.
    public init(chip: EmulatedChip, network: Network, states: Int, settings: Settings = Settings(), seed: UInt64) throws {
        guard network.layers[0].isSpiking, !network.layers[0].isRecurrent else {
            throw SubstrateError("R-STDP: layer 0 must be a feed-forward spiking layer")
        }
        (self.chip, self.settings, dt) = (chip, settings, network.dt)
        let layer = network.layers[0]
        ppu = PlasticityProcessor(seed: seed)
        sensors = CorrelationSensors(rows: layer.inputCount, columns: layer.neuronCount, seed: chip.instance.seed)
        expectedReward = [Float](repeating: 0, count: states)
        try ppu.reserve(bytes: 2 * (2 * layer.neuronCount + states), for: "R-STDP baselines and expected rewards")
        ppu.resetSensors(sensors, row: 0)
        let b = ppu.readCorrelation(sensors, row: 0)
        baseline = (b.causal, b.anticausal)
    }

    /// One trial: the chip has run `sample` of `input` into `observation` (`local`); the environment returned `reward`
    /// in state `state`. Updates layer 0's weights on the chip.
    public func learn(_ observation: Observation, local: Int, input: SpikeBatch, sample: Int, state: Int, reward: Float) throws {
        try sensors.accumulate(observation, input: input, sample: local, layer: 0, dt: dt)
        ppu.scalar(4)
        let error = reward - expectedReward[state]
        expectedReward[state] += settings.rewardRate * error
        // β·(R − R̄) in Q12, λ in Q8: Δ = (c⁺·256 − λ_q·c⁻)·m >> 20, stochastically rounded
        let m = Int64((settings.beta * error * 4096).rounded())
        let lambda = Int64((settings.anticausal * 256).rounded())
        let columns = sensors.columns
        for j in 0..<sensors.rows {
            let c = ppu.readCorrelation(sensors, row: j)
            ppu.resetSensors(sensors, row: j)
            let causal = ppu.multiply(ppu.subtract(c.causal, baseline.causal), scalar: 256, shift: 0)
            let anti = ppu.multiply(ppu.subtract(c.anticausal, baseline.anticausal), scalar: lambda, shift: 0)
            let e = ppu.subtract(causal, anti)  // Q8 codes
            let step = ppu.multiplyStochastic(e, PPURow(repeating: m, count: columns), shift: 20)
            let row = ppu.loadWeights(chip, layer: 0, row: j)
            ppu.storeWeights(ppu.add(row, step), chip, layer: 0, row: j)
        }
    }
}

/// A small reinforcement task for R-STDP (documented in docs/ONCHIP.md): `states` input patterns, each a fixed
/// random set of input channels firing once at fixed random times (with ±1 step jitter and background spikes per
/// trial, for exploration); the action is
/// the output neuron that spikes most (none: no action); the reward is 1 when the action equals the state.
public struct ActionSelectionTask: Sendable {
    public let states: Int
    public let channels: Int
    public let steps: Int
    private let patterns: [[(step: Int, channel: Int)]]

    public init(states: Int = 4, channels: Int = 32, steps: Int = 20, seed: UInt64) {
        (self.states, self.channels, self.steps) = (states, channels, steps)
        var rng = SeededRandom(seed: seed, stream: 0xA57)
        patterns = (0..<states).map { _ in
            (0..<channels).compactMap { c in rng.nextUnitDouble() < 0.4 ? (step: 1 + Int(rng.next() % UInt64(steps / 3)), channel: c) : nil }
        }
    }

    /// One trial's input for `state`, jittered with `rng`, plus background spikes (each channel with probability
    /// `background`, at a random step): the trial-to-trial variability that makes actions explore.
    public func trial(state: Int, rng: inout SeededRandom, background: Double = 0.15) -> SpikeBatch {
        var events = patterns[state].map { e in (sample: 0, step: max(0, e.step + Int(rng.next() % 3) - 1), channel: e.channel) }
        for c in 0..<channels where rng.nextUnitDouble() < background { events.append((0, Int(rng.next() % UInt64(steps)), c)) }
        return SpikeBatch(sampleCount: 1, stepCount: steps, channelCount: channels, events: events, labels: [Int32(state)])
    }

    /// The action of a trial: the most active output neuron of layer 0 (lowest index on ties), nil when none spiked.
    public static func action(_ observation: Observation, local: Int) -> Int? {
        let record = observation.layers[0]
        var counts = [Int](repeating: 0, count: record.neuronCount)
        for e in record.spikes(sample: local) { counts[e.neuron] += 1 }
        guard let best = counts.max(), best > 0 else { return nil }
        return counts.firstIndex(of: best)
    }

    /// Trains R-STDP on an emulated chip (seed `seed`) for `trials` trials of random states; returns each trial's
    /// reward (0 or 1) and the PPU's mean chip seconds per update.
    public func trainRewardSTDP(trials: Int, seed: UInt64, settings: RewardSTDP.Settings = RewardSTDP.Settings()) throws -> (rewards: [Float], ppuSecondsPerUpdate: Double) {
        let p = LIFParameters(tauMem: 6e-6, tauSyn: 6e-6, reset: .subtract)
        let net = Network.feedForward(
            sizes: [channels, states, states], dt: 1.7e-6, hidden: p, readout: p,
            initializers: [WeightInit(mean: 0.08, std: 0.03), WeightInit(std: 0.05)], weightLimit: 63.0 / 240.0, seed: seed)
        let chip = EmulatedChip(seed: seed, config: ChipConfig(), calibrated: true)
        try chip.load(net)
        let rule = try RewardSTDP(chip: chip, network: net, states: states, settings: settings, seed: seed &+ 1)
        var rng = SeededRandom(seed: seed, stream: 0x7121)
        var observation = Observation(network: net, stepCount: steps, capacity: 1, recording: .full)
        var rewards: [Float] = []
        for _ in 0..<trials {
            let state = Int(rng.next() % UInt64(states))
            let input = trial(state: state, rng: &rng)
            try chip.run(input, samples: 0..<1, options: RunOptions(), into: &observation, worker: 0)
            let reward: Float = Self.action(observation, local: 0) == state ? 1 : 0
            try rule.learn(observation, local: 0, input: input, sample: 0, state: state, reward: reward)
            rewards.append(reward)
        }
        return (rewards, trials > 0 ? rule.ppu.chipSeconds / Double(trials) : 0)
    }
}
