import Foundation

/// A chip generation to emulate: the ``ChipConfig`` plus the neuron time constants and time step that rate-coded
/// (converted) networks use on it.
///
/// Both profiles run the *same network in biological time*; the chip's acceleration sets the chip time:
/// - ``bss2`` — BrainScaleS-2 (65 nm, 1000× faster than biology): the defaults of ``ChipConfig`` (6-bit signed
///   weights ±63, per-neuron 8-bit CADC every 1.7 µs), τ_m = 20 µs, τ_s = 5 µs, Δt = 1.7 µs.
/// - ``bss1`` — BrainScaleS-1 wafer module (180 nm HICANN, 10⁴× faster; Schmitt et al. 2017, arXiv:1703.01909):
///   4-bit synapses (signed ±15 by paired rows; the largest hidden weight 63/240 is kept, so a step is 4.2× coarser;
///   the readout's dynamic scale keeps its cap of 250, standing for the drivers' analog g_max),
///   all times ÷10 (τ_m = 2 µs, τ_s = 0.5 µs, Δt = 0.17 µs, refractory 0.04 µs, ADC and calibration probes 10×
///   faster), 512 single-circuit neurons. **Assumptions** (not published as such): the HICANN's floating-gate
///   parameter storage and larger analog circuits give 1.5× the BSS-2 fixed-pattern spreads, synapse gains spread
///   15 % (BSS-2: 5 %), membrane noise 0.02 ϑ (BSS-2: 0.01). The wafer had no per-neuron parallel ADC; the emulated
///   readout layer is still sampled once per Δt (its output neurons spiked on the wafer instead).
public enum ChipProfile: String, CaseIterable, Codable, Sendable {
    case bss2, bss1

    /// Chip time per biological time.
    public var acceleration: Double { self == .bss2 ? 1e3 : 1e4 }

    /// Membrane time constant, chip seconds (20 ms biological).
    public var tauMem: Double { 20e-3 / acceleration }
    /// Synaptic time constant, chip seconds (5 ms biological: long enough to smooth input spikes into a rate and
    /// to give each spike `≈ τ_s/Δt` times its weight in charge, which widens the range of rates 6 bits can drive).
    public var tauSyn: Double { 5e-3 / acceleration }
    /// Model step, chip seconds (1.7 ms biological: BSS-2's ADC period).
    public var dt: Double { 1.7e-3 / acceleration }

    /// The chip model of this generation.
    public var config: ChipConfig {
        var c = ChipConfig()
        guard self == .bss1 else { return c }
        c.weightMax = 15
        c.hiddenWeightScale = 15 / (63.0 / 240)  // the same largest weight as BSS-2, in 4 bits
        // (the readout keeps BSS-2's dynamic scale cap of 250: BSS-1 synapse drivers multiply the 4-bit weight by an
        // analog g_max, so small readout weights are reachable; the largest readout weight is then 15/250)
        (c.neuronCircuits, c.circuitsPerNeuron) = (512, 1)
        c = c.scalingMismatch(by: 1.5)
        c.synapseGainSpread = 0.15
        c.membraneNoise = 0.02
        c.refractory /= 10
        c.adcSamplePeriod /= 10
        c.probeSamplePeriod /= 10
        c.inferenceWindow /= 10
        c.resetOverhead /= 10
        return c
    }
}

extension ChipConfig {
    /// This model with every fixed-pattern spread (neuron parameters, synapse gains, ADC) multiplied by `k`
    /// (`--mismatch-scale`; 1: unchanged, 0: a chip without mismatch but with its noise).
    public func scalingMismatch(by k: Double) -> ChipConfig {
        precondition(k >= 0 && k.isFinite, "mismatch scale must be finite and ≥ 0, got \(k)")
        var c = self
        c.tauMemSpread *= k
        c.tauSynSpread *= k
        c.leakSpread *= k
        c.resetSpread *= k
        c.thresholdSpread *= k
        c.refractorySpread *= k
        c.synapseGainSpread *= k
        c.adcOffsetSpread *= k
        c.adcGainSpread *= k
        return c
    }
}
