import Foundation

/// Everything the emulated chip assumes, in one place (DESIGN §4).
///
/// Values from BrainScaleS-2 publications are marked *published*; every other default is an **assumption**
/// of this emulator, chosen to be plausible for a 65 nm analog chip and documented here so that nothing is
/// hidden in the code. Times are chip time in seconds (the chip runs 1000× faster than biology).
public struct ChipConfig: Codable, Equatable, Sendable {
    // MARK: Capacity (published)
    /// Neuron circuits on the chip (published: 512).
    public var neuronCircuits = 512
    /// Circuits combined per logical neuron (published setup of Cramer et al. 2022: 2 → 256 neurons).
    public var circuitsPerNeuron = 2
    /// Signed inputs per neuron (published: 256, excitatory and inhibitory rows paired).
    public var maxFanIn = 256

    // MARK: Weights (published mapping)
    /// Largest synapse value: 6-bit magnitude with paired excitatory/inhibitory rows → [−63, 63].
    public var weightMax = 63
    /// Hidden layers: `w_hw = round(240·w)`, clipped.
    public var hiddenWeightScale = 240.0
    /// Output layer: dynamic scale `min(63/max|w|, 250)`.
    public var outputScaleCap = 250.0

    // MARK: Integration
    /// Integration substeps per model step (assumption: 4, i.e. 0.425 µs at Δt = 1.7 µs). Spikes are quantized
    /// to this grid, which stands for the chip's event clock; refining it converges to continuous time.
    public var substeps = 4

    // MARK: Fixed-pattern mismatch, relative SD of the *uncalibrated* chip (assumptions)
    public var tauMemSpread = 0.20
    public var tauSynSpread = 0.20
    /// Leak and reset potentials, SD in units of the nominal threshold − leak distance.
    public var leakSpread = 0.10
    public var resetSpread = 0.05
    public var thresholdSpread = 0.10
    public var refractorySpread = 0.20
    /// Per-synapse efficacy; calibration cannot remove it (no per-synapse trim on the chip).
    public var synapseGainSpread = 0.05

    // MARK: Calibration (assumptions)
    /// Resolution of the per-neuron parameter DACs (BrainScaleS-2's capacitive memory has 10 bits; 0: exact).
    public var settingBits = 10
    /// Calibration iterations (measure → correct).
    public var calibrationRounds = 3

    // MARK: Nominal neuron parameters (model units: leak 0, threshold 1)
    /// Refractory time, seconds (assumption: 0.4 µs, shorter than one training step).
    public var refractory = 0.4e-6

    // MARK: Noise (assumption)
    /// Stationary SD of temporal membrane noise, in threshold units (≈ 1–2 mV of a ~100 mV range).
    public var membraneNoise = 0.01

    // MARK: Readout (published: 8-bit CADC, one sample per neuron every 1.7 µs)
    public var adcBits = 8
    /// The ADC samples every neuron with this period (published: 1.7 µs); samples are interpolated linearly onto
    /// the model grid when Δt differs.
    public var adcSamplePeriod = 1.7e-6
    /// ADC code of the nominal leak and threshold potentials (assumption: the range covers V ∈ [−0.5, 1.6]).
    public var adcLeakCode = 60.0
    public var adcThresholdCode = 180.0
    /// ADC per-channel offset SD (LSB) and gain SD (relative) (assumptions).
    public var adcOffsetSpread = 3.0
    public var adcGainSpread = 0.03
    /// Normalize recordings with per-neuron leak and threshold codes measured at setup (what a user does);
    /// false uses the design codes `adcLeakCode`/`adcThresholdCode` (exact only for a chip without mismatch).
    public var measuredNormalization = true
    /// Sample period of the fast single-channel ADC used by calibration probes (assumption: 0.1 µs).
    public var probeSamplePeriod = 0.1e-6

    // MARK: Timing and energy (published figures, Cramer et al. 2022)
    /// Inference: the network is reset 10 µs after the first input spike; one image per 11.8 µs.
    public var inferenceWindow = 10e-6
    public var resetOverhead = 1.8e-6
    /// Chip power draw, watts (published ≈ 200 mW).
    public var chipPower = 0.2
    /// Images per hardware run (on-chip memory for recorded traces, published ≈ 25).
    public var imagesPerRun = 25

    public init() {}

    /// A chip without mismatch, noise or readout error — with `substeps = 1` it reproduces the software substrate.
    public static var ideal: ChipConfig {
        var c = ChipConfig()
        c.tauMemSpread = 0
        c.tauSynSpread = 0
        c.leakSpread = 0
        c.resetSpread = 0
        c.thresholdSpread = 0
        c.refractorySpread = 0
        c.synapseGainSpread = 0
        c.membraneNoise = 0
        c.adcOffsetSpread = 0
        c.adcGainSpread = 0
        c.refractory = 0
        c.settingBits = 0  // parameters exactly as written
        return c
    }

    /// Logical neurons available.
    public var neuronCapacity: Int { neuronCircuits / max(1, circuitsPerNeuron) }

    /// The factor from model weights to synapse codes, `w_hw = clip(round(scale·w), ±weightMax)`: the fixed
    /// ``hiddenWeightScale`` for hidden layers; for the output layer `min(weightMax/max|w|, outputScaleCap)`, which
    /// uses the full 6-bit range whatever the readout's weight magnitude (the readout is reported in model units).
    public func weightScale(maxAbsWeight m: Float, isOutput: Bool) -> Double {
        guard isOutput else { return hiddenWeightScale }
        return m > 0 ? min(Double(weightMax) / Double(m), outputScaleCap) : outputScaleCap
    }
}

/// Errors of a substrate: capacity, configuration.
public struct SubstrateError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
