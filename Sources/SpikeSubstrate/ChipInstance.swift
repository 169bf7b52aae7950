import Foundation
import SpikeCore

/// One chip's frozen fixed-pattern mismatch and its per-neuron parameter settings.
///
/// A *setting* is what software writes into a neuron's parameter DAC; the *realized* value is the setting
/// distorted by this instance's mismatch, which is drawn once from the seed and never changes:
/// ```
/// τ_m,i = q(setting) · (1 + σ_τm z_i)        τ_s,i likewise, refractory likewise
/// leak_i = q(setting) + σ_leak z_i           threshold_i, reset_i likewise (threshold units)
/// w_eff,ij = w_hw,ij / scale · (1 + σ_syn z_ij)
/// ADC code_i = round(o_i + g_i · (code_leak + (code_ϑ − code_leak) · V))
/// ```
/// Software never reads the realized values: calibration and training see only probe recordings.
public struct ChipInstance: Sendable {
    public let seed: UInt64
    public let config: ChipConfig
    let neurons: Int
    // mismatch
    let tauMemFactor: [Double]
    let tauSynFactor: [Double]
    let refractoryFactor: [Double]
    let leakOffset: [Double]
    let thresholdOffset: [Double]
    let resetOffset: [Double]
    let synapseGain: [Float]  // [neuron][maxFanIn]
    let adcOffset: [Double]
    let adcGain: [Double]
    // settings (written by calibration)
    public var tauMemSetting: [Double]
    public var tauSynSetting: [Double]
    public var leakSetting: [Double]
    public var thresholdSetting: [Double]
    public var resetSetting: [Double]
    public var refractorySetting: [Double]

    public init(seed: UInt64, config: ChipConfig, tauMem: Double, tauSyn: Double) {
        self.seed = seed
        self.config = config
        let n = config.neuronCapacity
        neurons = n
        var rng = SeededRandom(seed: seed, stream: 0xC41F)
        func factors(_ sd: Double) -> [Double] { (0..<n).map { _ in max(0.05, 1 + sd * rng.nextGaussian()) } }
        func offsets(_ sd: Double) -> [Double] { (0..<n).map { _ in sd * rng.nextGaussian() } }
        tauMemFactor = factors(config.tauMemSpread)
        tauSynFactor = factors(config.tauSynSpread)
        refractoryFactor = factors(config.refractorySpread)
        leakOffset = offsets(config.leakSpread)
        thresholdOffset = offsets(config.thresholdSpread)
        resetOffset = offsets(config.resetSpread)
        synapseGain = (0..<(n * config.maxFanIn)).map { _ in Float(max(0, 1 + config.synapseGainSpread * rng.nextGaussian())) }
        adcOffset = offsets(config.adcOffsetSpread)
        adcGain = (0..<n).map { _ in 1 + config.adcGainSpread * rng.nextGaussian() }
        tauMemSetting = Array(repeating: tauMem, count: n)
        tauSynSetting = Array(repeating: tauSyn, count: n)
        leakSetting = Array(repeating: 0, count: n)
        thresholdSetting = Array(repeating: 1, count: n)
        resetSetting = Array(repeating: 0, count: n)
        refractorySetting = Array(repeating: config.refractory, count: n)
    }

    /// Quantizes a setting to the DAC grid over `range` (10 bits by default).
    func quantize(_ v: Double, range: ClosedRange<Double>) -> Double {
        guard config.settingBits > 0 else { return v }
        let steps = Double((1 << config.settingBits) - 1)
        let x = (min(range.upperBound, max(range.lowerBound, v)) - range.lowerBound) / (range.upperBound - range.lowerBound)
        return range.lowerBound + (x * steps).rounded() / steps * (range.upperBound - range.lowerBound)
    }

    static let tauRange = 0.0...30e-6
    static let potentialRange = -1.0...2.0
    static let refractoryRange = 0.0...5e-6

    /// Realized parameters of neuron `i` (emulator-internal; not visible to training or calibration).
    struct Realized {
        var tauMem, tauSyn, leak, threshold, reset, refractory: Double
    }

    func realized(_ i: Int) -> Realized {
        Realized(
            tauMem: max(1e-9, quantize(tauMemSetting[i], range: Self.tauRange) * tauMemFactor[i]),
            tauSyn: max(1e-9, quantize(tauSynSetting[i], range: Self.tauRange) * tauSynFactor[i]),
            leak: quantize(leakSetting[i], range: Self.potentialRange) + leakOffset[i],
            threshold: quantize(thresholdSetting[i], range: Self.potentialRange) + thresholdOffset[i],
            reset: quantize(resetSetting[i], range: Self.potentialRange) + resetOffset[i],
            refractory: max(0, quantize(refractorySetting[i], range: Self.refractoryRange) * refractoryFactor[i]))
    }

    /// Realized parameters of a compound neuron whose circuits' membranes are connected: the neuron slots in
    /// `slots` (each a standard `circuitsPerNeuron`-circuit neuron with its own mismatch) share one membrane, so
    /// their partial synaptic currents add on it (docs/PARTITION.md).
    ///
    /// Capacitances and leak conductances add: τ_m is the harmonic mean of the slots' τ_m and the leak potential
    /// their mean (equal capacitances assumed). Each slot's synaptic input has its own τ_s on the chip; the emulator
    /// keeps one current per neuron and uses the slots' mean τ_s (an approximation, exact without mismatch). The
    /// first slot's comparator, reset and refractory circuit fire and reset the neuron, and its ADC channel records
    /// it. One slot gives exactly ``realized(_:)``.
    func realized(slots: Range<Int>) -> Realized {
        var r = realized(slots.lowerBound)
        guard slots.count > 1 else { return r }
        let parts = slots.map { realized($0) }
        let k = Double(slots.count)
        r.tauMem = k / parts.reduce(0) { $0 + 1 / $1.tauMem }
        r.tauSyn = parts.reduce(0) { $0 + $1.tauSyn } / k
        r.leak = parts.reduce(0) { $0 + $1.leak } / k
        return r
    }

    /// Realized τ_m and τ_s of neuron `i` (tests only: software never sees them).
    public func realizedTausForTesting(_ i: Int) -> (Double, Double) { let r = realized(i); return (r.tauMem, r.tauSyn) }

    /// Number of neuron circuits (tests only).
    public var neuronCountForTesting: Int { neurons }

    /// `adcCode` for tests of the readout model.
    public func adcCodeForTesting(_ v: Double, _ i: Int) -> Double { adcCode(v, i) }

    /// The ADC code of membrane value `v` on channel `i`.
    @inline(__always)
    func adcCode(_ v: Double, _ i: Int) -> Double {
        let raw = adcOffset[i] + adcGain[i] * (config.adcLeakCode + (config.adcThresholdCode - config.adcLeakCode) * v)
        return min(Double((1 << config.adcBits) - 1), max(0, raw.rounded()))
    }
}
