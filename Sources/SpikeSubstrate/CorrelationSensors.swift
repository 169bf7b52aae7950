import Foundation
import SpikeCore

/// The per-synapse correlation sensors of the emulated chip (issue 14, item 1): analog traces of spike-timing
/// correlations that plasticity programs read through the column ADC, one synapse row at a time.
///
/// Model (BrainScaleS-2's sensors, as far as published; the figures are assumptions, stated in ``Config``): every
/// synapse (row j = presynaptic input, column i = postsynaptic neuron) has a causal and an anti-causal store. With
/// nearest-neighbour pairing, a postsynaptic spike at `t_post` adds `η_ij·exp(−(t_post − t_pre)/τ_ij)` to the causal
/// store for the latest presynaptic spike `t_pre ≤ t_post`, and a presynaptic spike at `t_pre` adds
/// `η_ij·exp(−(t_pre − t_post)/τ_ij)` to the anti-causal store for the latest postsynaptic spike before it. `η` and
/// `τ` vary per synapse (fixed-pattern mismatch, seeded like the rest of the chip instance). Stores saturate at the
/// 8-bit ADC's full scale; a read converts one row through the column ADC (gain and offset per column); a reset
/// clears one row.
public final class CorrelationSensors: @unchecked Sendable {
    /// Sensor figures (assumptions: τ ≈ 5 µs as on the chip; the amplitude is chosen so that ~50 close pairings fill the range).
    public struct Config: Sendable, Equatable {
        /// Trace time constant, seconds.
        public var tau = 5e-6
        /// Charge per pairing at Δt = 0, in ADC codes.
        public var amplitude = 5.0
        /// Relative SD of `τ` and of the amplitude per synapse, and of the column ADC's gain.
        public var tauSpread = 0.1
        public var amplitudeSpread = 0.2
        public var adcGainSpread = 0.05
        /// SD of the column ADC's offset, codes.
        public var adcOffsetSpread = 2.0
        /// Full scale of the stores and the ADC (8 bits).
        public var maxCode = 255.0

        public init() {}

        /// No mismatch: every synapse and column nominal (tests, and the ideal chip).
        public static var ideal: Config {
            var c = Config()
            (c.tauSpread, c.amplitudeSpread, c.adcGainSpread, c.adcOffsetSpread) = (0, 0, 0, 0)
            return c
        }
    }

    public let rows: Int
    public let columns: Int
    public let config: Config
    private var tau: [Double]  // [row][column]
    private var amplitude: [Double]
    private let adcGain: [Double]  // [column]
    private let adcOffset: [Double]
    /// Causal and anti-causal stores, analog values in ADC codes (`[row][column]`).
    private(set) var causal: [Double]
    private(set) var anticausal: [Double]
    private var currentTau: Double
    /// The nominal amplitude now (``setAmplitude(_:)``).
    public private(set) var currentAmplitude: Double
    private var charged: [Bool]
    /// Per-synapse decay over one step of the last `dt` used, and the amplitudes in Float (the hot loop's inputs).
    private var stepDecay: (dt: Double, factors: [Float]) = (0, [])
    private var amplitudeF: [Float] = []

    /// Sensors for `rows` inputs × `columns` neurons of the chip instance seeded `seed`.
    public init(rows: Int, columns: Int, seed: UInt64, config: Config = Config()) {
        precondition(rows > 0 && columns > 0, "correlation sensors need rows and columns")
        (self.rows, self.columns, self.config) = (rows, columns, config)
        var rng = SeededRandom(seed: seed, stream: 0xC022_E1A7)
        let n = rows * columns
        tau = (0..<n).map { _ in config.tau * max(0.2, 1 + config.tauSpread * rng.nextGaussian()) }
        amplitude = (0..<n).map { _ in config.amplitude * max(0, 1 + config.amplitudeSpread * rng.nextGaussian()) }
        adcGain = (0..<columns).map { _ in max(0.2, 1 + config.adcGainSpread * rng.nextGaussian()) }
        adcOffset = (0..<columns).map { _ in config.adcOffsetSpread * rng.nextGaussian() }
        causal = [Double](repeating: 0, count: n)
        anticausal = causal
        currentTau = config.tau
        currentAmplitude = config.amplitude
        charged = [Bool](repeating: false, count: rows)
    }

    /// Accumulates one run: `pre[j]` the spike times of input row j, `post[i]` those of neuron i (seconds, any
    /// order). Stores keep what earlier runs left until ``reset(row:)``.
    public func accumulate(pre: [[Double]], post: [[Double]]) throws {
        guard pre.count == rows, post.count == columns else {
            throw SubstrateError("correlation sensors: \(pre.count) rows and \(post.count) columns of spike times, expected \(rows) and \(columns)")
        }
        let sortedPost = post.map { $0.sorted() }
        for j in 0..<rows {
            let p = pre[j].sorted()
            guard !p.isEmpty else { continue }
            for i in 0..<columns where !sortedPost[i].isEmpty {
                let k = j * columns + i
                causal[k] = min(config.maxCode, causal[k] + pairings(first: p, then: sortedPost[i], k, strictly: false))
                charged[j] = true
                anticausal[k] = min(config.maxCode, anticausal[k] + pairings(first: sortedPost[i], then: p, k, strictly: true))
            }
        }
    }

    /// `Σ η·exp(−Δt/τ)` over the spikes of `then`, each paired with the latest spike of `first` at or before it
    /// (`strictly`: before it; simultaneous spikes count as causal).
    private func pairings(first: [Double], then: [Double], _ k: Int, strictly: Bool) -> Double {
        var sum = 0.0, a = -1
        for t in then {
            while a + 1 < first.count && (strictly ? first[a + 1] < t : first[a + 1] <= t) { a += 1 }
            if a >= 0 { sum += amplitude[k] * exp(-(t - first[a]) / tau[k]) }
        }
        return sum
    }

    /// Sets the nominal charge per pairing, ADC codes (calibratable like the time constant); each synapse keeps its
    /// relative deviation.
    public func setAmplitude(_ a: Double) {
        precondition(a > 0, "sensor amplitude must be positive")
        let f = a / currentAmplitude
        amplitude = amplitude.map { $0 * f }
        (currentAmplitude, stepDecay) = (a, (0, []))
    }

    /// Sets the nominal time constant (the sensors' bias is calibratable); each synapse keeps its relative
    /// deviation (there is no per-synapse trim).
    public func setTimeConstant(_ t: Double) {
        precondition(t > 0, "sensor time constant must be positive")
        let f = t / currentTau
        tau = tau.map { $0 * f }
        currentTau = t
        stepDecay = (0, [])
    }

    /// Accumulates causal pairings of presynaptic spikes (`preSteps[j]`: row j's spike steps, ascending) with
    /// *post pulses* that need not be spikes: at `pulses[p].step` column i receives a pulse of relative strength
    /// `pulses[p].strength[i]` (0: none; 1: a spike's). This is how a plasticity program samples each synapse's
    /// presynaptic trace at chosen instants (nearest-neighbour pairing, as in ``accumulate(pre:post:)``). A pulse
    /// arrives at the start of its step, before that step's input events (like the membrane sample it is derived
    /// from), so it pairs with presynaptic spikes of earlier steps only.
    public func accumulateCausal(preSteps: [[Int]], pulses: [(step: Int, strength: [Float])], dt: Double) {
        precondition(preSteps.count == rows, "one list of presynaptic steps per row")
        guard let last = pulses.last?.step else { return }
        precondition(zip(pulses, pulses.dropFirst()).allSatisfy { $0.step <= $1.step }, "pulses in ascending steps")
        if stepDecay.dt != dt {
            stepDecay = (dt, tau.map { Float(exp(-dt / $0)) })
            amplitudeF = amplitude.map { Float($0) }
        }
        var trace = [Float](repeating: 0, count: columns), sum = trace
        for j in 0..<rows where !preSteps[j].isEmpty {
            let base = j * columns
            let decay = stepDecay.factors[base..<(base + columns)], eta = amplitudeF[base..<(base + columns)]
            for i in 0..<columns { (trace[i], sum[i]) = (0, 0) }
            var a = 0, p = 0, started = false
            let pre = preSteps[j]
            for t in 0...last {
                if started { for i in 0..<columns { trace[i] *= decay[base + i] } }
                while p < pulses.count && pulses[p].step == t {
                    if started {
                        let st = pulses[p].strength
                        for i in 0..<columns { sum[i] += st[i] * eta[base + i] * trace[i] }
                    }
                    p += 1
                }
                if a < pre.count && pre[a] <= t {
                    while a < pre.count && pre[a] <= t { a += 1 }
                    for i in 0..<columns { trace[i] = 1 }
                    started = true
                }
            }
            for i in 0..<columns { causal[base + i] = min(config.maxCode, causal[base + i] + Double(sum[i])) }
            if sum.contains(where: { $0 != 0 }) { charged[j] = true }
        }
    }

    /// One row's analog causal stores without the ADC (to check rules at high precision).
    public func causalValues(row j: Int) -> [Double] { Array(causal[(j * columns)..<((j + 1) * columns)]) }

    /// One synapse row through the column ADC: `(causal, anti-causal)` codes 0…255 per column.
    public func read(row j: Int) -> (causal: [UInt8], anticausal: [UInt8]) {
        precondition(j >= 0 && j < rows, "row \(j) outside 0..<\(rows)")
        func code(_ v: Double, _ i: Int) -> UInt8 { UInt8(max(0, min(config.maxCode, (adcGain[i] * v + adcOffset[i]).rounded()))) }
        return ((0..<columns).map { code(causal[j * columns + $0], $0) }, (0..<columns).map { code(anticausal[j * columns + $0], $0) })
    }

    /// Whether row j's stores hold anything since its last reset (an uncharged row reads as the ADC's offset).
    public func isCharged(row j: Int) -> Bool { charged[j] }

    /// Clears one synapse row's stores (the chip resets sensors row-wise).
    public func reset(row j: Int) {
        precondition(j >= 0 && j < rows, "row \(j) outside 0..<\(rows)")
        charged[j] = false
        for i in 0..<columns { (causal[j * columns + i], anticausal[j * columns + i]) = (0, 0) }
    }
}
