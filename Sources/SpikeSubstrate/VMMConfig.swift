import Foundation

/// Everything the emulated chip's analog vector-matrix-multiply (VMM) mode assumes, in one place.
///
/// BrainScaleS-2 also runs as an analog multiply-accumulate accelerator (Weis et al. 2020, arXiv:2006.13177;
/// Spilger et al. 2020, hxtorch): 5-bit inputs become pulse lengths on synapse rows, signed 6-bit weights are
/// an excitatory plus an inhibitory synapse, the products accumulate on the neuron membranes and the 8-bit
/// column ADC reads them out. Values marked *published* come from those papers or from hxtorch's
/// `perceptron/constants.h` (`defaults::gain = 0.002`, `noise_std = 2`, `wait_between_events = 5`); every other
/// default is an **assumption** of this emulator, documented here.
///
/// One tile computes, per output column `j` (ADC codes, LSB):
/// ```
/// u_j = g_j · Σ_i x_i · w_ij · s_ij + o_j + σ·z        z ~ N(0, 1), fresh every call
/// y_j = clamp(floor(sat(u_j)), −128, 127)
/// ```
/// where `s_ij` is the instance's per-synapse gain, `g_j` and `o_j` the per-column gain and offset.
public struct VMMConfig: Codable, Equatable, Sendable {
    // MARK: Ranges (published)
    /// Largest input: unsigned 5 bits → 0…31 (pulse lengths).
    public var inputMax = 31
    /// Largest weight magnitude: signed 6 bits → −63…63.
    public var weightMax = 63
    /// ADC code range of one tile's result (int8).
    public var outputMin = -128
    public var outputMax = 127

    // MARK: Accumulation
    /// Nominal gain from `x·w` (integer product sum) to ADC LSB (published mock value: 0.002).
    public var gain = 0.002
    /// Trial-to-trial noise SD on each output, in ADC LSB (published mock value: 2).
    public var noise = 2.0
    /// Scales every fixed-pattern deviation the VMM takes from the chip instance (synapse gains, column gains
    /// and offsets): 0 is a perfect chip, 1 the default instance, 2 and 4 the stress levels of issue 13.
    public var mismatchScale = 1.0
    /// Fraction of the instance's uncalibrated τ_s spread that remains as per-column gain spread after the VMM
    /// calibration (**assumption**: 0.25, i.e. 5 % SD at the default 20 % τ_s spread). The charge a pulse puts
    /// on the membrane scales with the synaptic time constant, which is trimmed per column but not perfectly.
    public var columnGainResidual = 0.25

    // MARK: Readout
    /// Half-width of the ADC's linear range, LSB (published: "linear over roughly ±80").
    public var adcLinearRange = 80.0
    /// Beyond the linear range: true compresses smoothly towards the rails (a tanh knee, continuous slope at
    /// ±`adcLinearRange`, **assumption**: the published data show saturation but not its shape); false is the
    /// mock model's hard clamp, linear all the way to −128…127.
    public var softSaturation = true

    // MARK: Timing and energy
    /// FPGA clock that paces input events, Hz (published: 125 MHz).
    public var fpgaClock = 125e6
    /// FPGA cycles per input event: one to send plus hxtorch's default `wait_between_events = 5` (published default).
    public var cyclesPerEvent = 6
    /// Per input vector and tile: membrane reset before, CADC conversion and readout after, seconds
    /// (**assumption**: 2 µs).
    public var vectorOverhead = 2e-6
    /// Per tile and call: writing the 256 synapse rows × 256 columns of weights, seconds (**assumption**: 50 µs).
    public var tileOverhead = 50e-6
    /// Chip power draw in VMM mode, watts (**assumption**: the spiking mode's published ≈ 200 mW).
    public var chipPower = 0.2

    public init() {}

    /// No mismatch, no noise, hard clamp: `y = clamp(floor(gain·x·W))` exactly (with an ideal chip instance).
    public static var ideal: VMMConfig {
        var c = VMMConfig()
        c.noise = 0
        c.mismatchScale = 0
        c.softSaturation = false
        return c
    }

    /// Chip seconds for one input vector on one tile with `events` non-zero inputs (zero inputs send nothing).
    public func vectorSeconds(events: Int) -> Double {
        Double(events * cyclesPerEvent) / fpgaClock + vectorOverhead
    }

    /// The ADC's transfer beyond the linear range (before flooring and clamping); identity inside ±linear range.
    ///
    /// ```
    /// sat(u) = u                                     |u| ≤ L
    /// sat(u) = sign(u)·(L + (R − L)·tanh((|u| − L)/(R − L)))   otherwise, R = 128
    /// ```
    @inline(__always)
    public func saturate(_ u: Double) -> Double {
        let l = adcLinearRange
        guard softSaturation, abs(u) > l else { return u }
        let r = Double(max(-outputMin, outputMax + 1))
        let m = l + (r - l) * tanh((abs(u) - l) / (r - l))
        return u < 0 ? -m : m
    }
}
