import Foundation
import SpikeCore
import SpikeTraining

/// Settings of on-chip learning (issue 14, items 3–4). Documented in docs/ONCHIP.md.
public struct OnChipLearningConfig: Codable, Equatable, Sendable {
    /// How the program computes: `chip` (8-bit ADC reads, 16-bit saturating lanes, Bernoulli-gated post pulses,
    /// surrogate from a lookup table) or `exact` (analog sensor values, 32-bit lanes with 24 fraction bits,
    /// pulses of analog strength): the latter exists to check the program against the float online rule.
    public enum Precision: String, Codable, Sendable, CaseIterable { case chip, exact }

    /// Learning rates of hidden and readout weights, per sample (model units per unit gradient).
    public var learningRate: Float = 0.05
    public var readoutLearningRate: Float = 0.05
    /// Membrane samples (and post pulses) every this many model steps (1: every ADC sample).
    public var sampleEvery = 1
    /// Homeostasis: a hidden neuron outside `rateLow…rateHigh` spikes per sample feels
    /// `homeostasis·(distance to the band)` added to its learning signal.
    public var rateLow: Float = 0
    public var rateHigh: Float = 4
    public var homeostasis: Float = 0.02
    public var precision = Precision.chip
    /// Sensor charge per pairing, ADC codes, calibrated for this program: ≈ 20 pulses of a close pairing fill the
    /// 8-bit range (the sensors' default of 5 leaves most eligibilities a few codes deep).
    public var sensorAmplitude = 12.0

    public init() {}
}

/// The block-diagonal online rule (e-prop family) as a plasticity-processor program, built only from what the chip
/// can observe (issue 14, item 3b). With a sum-over-time loss the update of hidden synapse j→i is exactly
/// `−η·δ-signal_i·Σ_t φ(t)·σ'(V_i[t])·ε_j[t]` (``OnlineLearning/readoutResponse(network:stepCount:)``), with
/// `δ-signal_i = Σ_k w_ki·∂ℓ/∂V_k` known only when the run has ended. The sum is what the correlation sensors can
/// accumulate during the run:
/// - at each membrane sample the PPU reads the hidden membranes through the column ADC, computes σ' from a table,
///   and sends column i a *post pulse* with probability `σ'_i·φ(t)/max φ` (`exact`: of strength `σ'_i·φ(t)`); the
///   sensor adds its presynaptic trace (spikes of earlier steps), so the causal store holds `Σ_t φ σ' ε̂_j`, `ε̂` the sensor's
///   exponential trace (time constant set to τ_m: the *diagonal* rule's `ε`, synaptic-current filter dropped);
/// - the readout's gradient `∂ℓ/∂w_ki = δ_k·Σ_{spikes of i} φ(t)` comes from the spike counters read at the samples;
/// - after the run the host broadcasts the K readout errors `δ_k = ∂ℓ/∂V_k` (no backward pass); the PPU forms
///   `Σ_k w_ki δ_k` from its own readout weights, adds homeostasis, and updates every row with stochastic rounding.
/// Approximations against the float rule: nearest-neighbour pairing (exact for ≤ 1 input spike per row, as with
/// latency codes), the sensors' τ and amplitude mismatch, 8-bit reads and saturation, sampled pulses, 6-bit weights.
public final class OnChipEprop: @unchecked Sendable {
    public let config: OnChipLearningConfig
    public let ppu: PlasticityProcessor
    /// The hidden layer's correlation sensors (inputs × neurons).
    public let sensors: CorrelationSensors
    let chip: EmulatedChip
    let loss: ReadoutLoss
    let surrogate: Surrogate
    let threshold: Float
    let phi: [Float]
    let phiMax: Float
    let eligibilityGain: Float
    let dt: Double
    /// The sensors' nominal time constant (set to the hidden neurons' τ_m).
    let sensorTau: Double
    let (inputs, hidden, outputs, steps): (Int, Int, Int, Int)
    /// Fixed-point formats: fraction bits of the per-neuron hidden coefficient, of the readout errors and activity.
    let (coefficientBits, errorBits, activityBits, sensorBits): (Int, Int, Int, Int)
    private var baseline: PPURow
    private let psiTable: [Int64]
    private var seedScratch: [Float]
    /// Multiplies both learning rates (the host's schedule).
    public var learningRateFactor: Float = 1
    /// PPU chip seconds of the last sample: work during the run (overlaps it) and the update after it; its energy.
    public private(set) var lastTiming = (duringRun: 0.0, update: 0.0, joules: 0.0)
    /// When set, each update appends its pre-rounding weight changes in codes (hidden `[j][i]`, readout `[i][k]`):
    /// set it to empty arrays to measure what the program computes (``OnChipGradientCheck``).
    public var deltaLog: (hidden: [Double], readout: [Double])?

    /// - Parameter seed: the PPU's random generator (pulse gating, stochastic rounding).
    public init(chip: EmulatedChip, network: Network, stepCount: Int, objective: Objective, config: OnChipLearningConfig, seed: UInt64) throws {
        guard network.layers.count == 2, network.layers[0].isSpiking, !network.layers[0].isRecurrent else {
            throw SubstrateError("on-chip learning: the program handles one feed-forward spiking hidden layer and a readout (hidden: [n], recurrent: false)")
        }
        guard objective.loss.reduction == .sumOverTime else {
            throw SubstrateError("on-chip learning needs loss: sum (the readout error must be known only at the end of a run); max-over-time needs the peak time's eligibility")
        }
        guard config.sampleEvery >= 1 else { throw SubstrateError("on-chip learning: sample_every must be at least 1") }
        let layer = network.layers[0]
        (self.chip, self.config, loss, surrogate) = (chip, config, objective.loss, objective.surrogate)
        (inputs, hidden, outputs, steps) = (layer.inputCount, layer.neuronCount, network.outputCount, stepCount)
        threshold = layer.parameters.vThreshold
        dt = network.dt
        eligibilityGain = Float(layer.parameters.discretized(dt: dt).gain)
        phi = OnlineLearning.readoutResponse(network: network, stepCount: stepCount)
        phiMax = max(1e-12, phi.map(abs).max() ?? 1)
        let exact = config.precision == .exact
        var ppuConfig = PPUConfig()
        ppuConfig.laneBits = exact ? 62 : 16
        ppu = PlasticityProcessor(config: ppuConfig, seed: seed)
        (coefficientBits, errorBits, activityBits, sensorBits) = exact ? (20, 20, 20, 16) : (14, 10, 4, 0)
        var sensorConfig = exact ? CorrelationSensors.Config.ideal : CorrelationSensors.Config()
        if exact { (sensorConfig.amplitude, sensorConfig.maxCode) = (1, .greatestFiniteMagnitude) }
        sensors = CorrelationSensors(rows: inputs, columns: hidden, seed: chip.instance.seed, config: sensorConfig)
        sensorTau = layer.parameters.tauMem
        sensors.setTimeConstant(sensorTau)
        if !exact { sensors.setAmplitude(config.sensorAmplitude) }
        // σ' by |V − ϑ| in 1/256 threshold units (the table the program keeps), Q12
        psiTable = (0..<256).map { Int64((objective.surrogate.derivative(Double($0) / 256) * 4096).rounded()) }
        seedScratch = [Float](repeating: 0, count: stepCount * neuronStride(network.outputCount))
        baseline = PPURow(repeating: 0, count: hidden)
        // state kept in the PPU's memory: baseline, normalization (leak, 1/range), activity, signal, counters, table, errors
        try ppu.reserve(bytes: 2 * (6 * hidden + 256 + outputs), for: "on-chip e-prop state")
        ppu.resetSensors(sensors, row: 0)
        baseline = exact ? baseline : ppu.readCausal(sensors, row: 0)
    }

    /// Learns from one sample the chip has just run: `local` indexes it in `observation`, `sample` in `input`.
    /// Returns the loss and the predicted class (from the recorded readout, as the host sees it).
    public func learn(_ observation: Observation, local: Int, input: SpikeBatch, sample s: Int) -> (loss: Float, predicted: Int) {
        ppu.resetCounters()
        let run = duringRun(observation, local: local, input: input, sample: s)
        let during = ppu.chipSeconds
        let out = observation.readout
        let label = Int(input.labels[s])
        let r = seedScratch.withUnsafeMutableBufferPointer { seed in
            loss.evaluate(
                trace: out.membrane!.pointer + local * steps * out.stride, stepCount: steps, outputs: outputs, stride: out.stride,
                label: label, amplitude: 0, seed: seed.baseAddress!, weight: 1, noiseSeed: nil)
        }
        // the host broadcasts the K readout errors (constant over time for a sum-over-time loss)
        ppu.scalar(outputs)
        let delta = PPURow((0..<outputs).map { Int64((Double(seedScratch[$0]) * Double(1 << errorBits)).rounded()) })
        let signal = updateReadout(delta: delta, activity: run.activity)
        updateHidden(signal: signal, counts: run.counts)
        lastTiming = (during, ppu.chipSeconds - during, ppu.energyJoules)
        return (r.loss, r.predicted)
    }

    /// What the program does while the chip runs: membrane samples → gated post pulses into the sensors; spike
    /// counters → the readout's presynaptic activity `a_i = Σ_t φ(t)·Δcount_i(t)` (Q `activityBits`, in units of max φ).
    private func duringRun(_ obs: Observation, local: Int, input: SpikeBatch, sample s: Int) -> (activity: PPURow, counts: [Int]) {
        let rec = obs.layers[0]
        var pre = [[Int]](repeating: [], count: inputs)
        for e in input.events(ofSample: s) { pre[e.channel].append(e.step) }
        var spikesAt = [[Int]](repeating: [], count: steps)
        for e in rec.spikes(sample: local) { spikesAt[e.step].append(e.neuron) }
        var counts = [Int](repeating: 0, count: hidden), lastCounts = counts
        var activity = PPURow(repeating: 0, count: hidden)
        var pulses: [(step: Int, strength: [Float])] = []
        let exact = config.precision == .exact
        let leakCode = (0..<hidden).map { chip.readoutLeakCode[chip.layers[0].firstNeuron + $0] }
        let range = (0..<hidden).map { chip.readoutThresholdCode[chip.layers[0].firstNeuron + $0] - leakCode[$0] }
        for t in 0..<steps {
            for i in spikesAt[t] { counts[i] += 1 }
            guard t % config.sampleEvery == 0 || t == steps - 1 else { continue }
            let w = phi[t] / phiMax
            // readout activity from the counters
            let c = ppu.readCounters(counts)
            let dc = PPURow(zip(c.lanes, lastCounts).map { $0 - Int64($1) })
            lastCounts = counts
            activity = ppu.add(activity, ppu.multiply(dc, scalar: Int64((w * Float(1 << activityBits)).rounded()), shift: 0))
            // membranes → σ' → post pulses
            var strength = [Float](repeating: 0, count: hidden)
            if exact {
                for i in 0..<hidden { strength[i] = Float(surrogate.derivative(Double(rec.membrane(sample: local, step: t, neuron: i) - threshold))) * phi[t] }
            } else {
                let codes = (0..<hidden).map { i in UInt8(max(0, min(255, (Double(rec.membrane(sample: local, step: t, neuron: i)) * range[i] + leakCode[i]).rounded()))) }
                let m = ppu.readMembranes(codes: codes)
                // |V − ϑ| in 1/256 threshold units: (code − leak)·256/range − 256, per neuron constants kept in memory
                ppu.scalar(3 * ppu.vectors(hidden))
                let distance = PPURow((0..<hidden).map { i in abs(Int64(((Double(m.lanes[i]) - leakCode[i]) * 256 / range[i]).rounded()) - 256) })
                let psi = ppu.lookup(distance, table: psiTable)
                let p = ppu.multiply(psi, scalar: Int64((w * 32768).rounded()), shift: 12)  // Q12·Q15 → Q15 probability
                let u = ppu.random(count: hidden)
                ppu.charge(vectorOps: 2, lanes: hidden)
                for i in 0..<hidden where u.lanes[i] & 0x7FFF < p.lanes[i] { strength[i] = 1 }
            }
            pulses.append((t, strength))
        }
        sensors.accumulateCausal(preSteps: pre, pulses: pulses, dt: dt)
        return (activity, counts)
    }

    /// Readout rows (one per hidden neuron i, K columns): the learning signal `Σ_k w_ki δ_k` from the weights as
    /// they were, then `Δw_ki = −η_o·δ_k·a_i`. Returns the signals in model units (× 2^errorBits).
    private func updateReadout(delta: PPURow, activity: PPURow) -> [Int64] {
        let scale = chip.codeScale(layer: 1)
        // Δcode_ki = −η_o·scale·φmax·δ_k·a_i; per row the scalar part s_i = −η_o·scale·φmax·a_i in Q coefficientBits
        let k = -Double(config.readoutLearningRate * learningRateFactor) * Double(scale) * Double(phiMax) / Double(1 << activityBits)
        var signal = [Int64](repeating: 0, count: hidden)
        for i in 0..<hidden {
            let row = ppu.loadWeights(chip, layer: 1, row: i)
            signal[i] = ppu.sum(ppu.multiply(row, delta, shift: 0))  // codes·Q(errorBits); ÷ scale below
            ppu.scalar(2)
            let si = Int64((k * Double(activity.lanes[i]) * Double(1 << coefficientBits)).rounded())
            // δ_k·s_i in a wide product, shifted back to codes with stochastic rounding
            ppu.scalar()
            let coefficient = PPURow(repeating: si, count: outputs)
            if deltaLog != nil { logDelta(delta, coefficient, bits: errorBits + coefficientBits, readout: true) }
            let step = ppu.multiplyStochastic(delta, coefficient, shift: errorBits + coefficientBits)
            ppu.storeWeights(ppu.add(row, step), chip, layer: 1, row: i)
        }
        ppu.scalar(hidden)
        return signal.map { Int64((Double($0) / Double(scale)).rounded()) }
    }

    /// Hidden rows (one per input j): `Δw_ji = −η·c·(signal_i + homeostasis_i)·E_ji`, E the causal sensor read
    /// minus the empty-row baseline; the sensor row is reset for the next run.
    private func updateHidden(signal: [Int64], counts: [Int]) {
        let scale = Double(chip.codeScale(layer: 0))
        // E (codes) = η_s/max φ × Σ φσ'ε̂  →  per-neuron coefficient G_i = −η·scale·c·F_i·max φ/η_s  (Q coefficientBits)
        let sensorAmplitude = config.precision == .exact ? 1.0 : sensors.currentAmplitude
        let perCode = config.precision == .exact ? 1.0 : Double(phiMax) / sensorAmplitude
        // (× e^{Δt/τ}: the rule's ε[t] holds the input of step t−1 undecayed, the sensor decays it over that step)
        let k = -Double(config.learningRate * learningRateFactor) * scale * Double(eligibilityGain) * perCode * exp(dt / sensorTau)
        ppu.charge(vectorOps: 4, lanes: hidden)  // homeostasis band, add, scale
        let coefficient = PPURow((0..<hidden).map { i in
            let c = Float(counts[i])
            let h = config.homeostasis * (max(0, c - config.rateHigh) - max(0, config.rateLow - c))
            let f = Double(signal[i]) / Double(1 << errorBits) + Double(h)
            return Int64((k * f * Double(1 << coefficientBits)).rounded())
        })
        let shift = coefficientBits + sensorBits
        for j in 0..<inputs {
            // A row that saw no pairing reads exactly the baseline: its update is zero. The emulation charges the
            // row's cycles and conversion without computing it (the chip program does the same work).
            if config.precision == .chip && !sensors.isCharged(row: j) && deltaLog == nil {
                ppu.chargeRowUpdate(columns: hidden)
                continue
            }
            let e: PPURow
            if config.precision == .exact {
                e = PPURow(sensors.causalValues(row: j).map { Int64(($0 * Double(1 << sensorBits)).rounded()) })
                ppu.charge(vectorOps: 1, lanes: hidden)
            } else {
                e = ppu.subtract(ppu.readCausal(sensors, row: j), baseline)
            }
            ppu.resetSensors(sensors, row: j)
            let row = ppu.loadWeights(chip, layer: 0, row: j)
            if deltaLog != nil { logDelta(e, coefficient, bits: shift, readout: false) }
            let step = ppu.multiplyStochastic(e, coefficient, shift: shift)
            ppu.storeWeights(ppu.add(row, step), chip, layer: 0, row: j)
        }
    }

    private func logDelta(_ a: PPURow, _ b: PPURow, bits: Int, readout: Bool) {
        let d = zip(a.lanes, b.lanes).map { Double($0) * Double($1) / pow(2, Double(bits)) }
        if readout { deltaLog!.readout += d } else { deltaLog!.hidden += d }
    }
}
