import Foundation

/// Every number of the SHD conversion chain as its authors publish it (the Python package `lauscher` 1.0.1, Cramer
/// et al. 2020, doi:10.1109/TNNLS.2020.3044364), which ``LauscherCochlea`` reproduces. Units as in lauscher: the
/// membrane in CGS (cm, g, s; dyn), the hair cell in its own transmitter units per second, the bushy cell in SI.
public struct LauscherParameters: Codable, Equatable, Sendable {
    // MARK: Input conditioning
    /// Target RMS of the input before the window (SHD: 0.3). The window is a full Hann window over the clip.
    public var rmsLevel: Double = 0.3

    // MARK: Basilar membrane: shallow-water model (Sieroka, Dosch & Rupp 2006, JASA 120:297, doi:10.1121/1.2204438)
    /// Channels, equally spaced in place from the stapes (channel 0, the base: highest resonance) to the apex.
    public var channels: Int = 700
    /// Length of the modelled membrane, cm: channel i sits at x = length·i/(channels − 1).
    public var membraneLength: Double = 3.5
    /// Stiffness per area s(x) = c0·e^{−αx} − a (dyn/cm³); resonance √(s/m) runs from 22.5 kHz at the base to
    /// 110 Hz at the apex.
    public var stiffness0: Double = 1e9
    public var stiffnessOffset: Double = 3_500
    public var alpha: Double = 3
    /// Fluid density (g/cm³), duct height (cm) and membrane mass per area (g/cm²).
    public var fluidDensity: Double = 1
    public var ductHeight: Double = 0.1
    public var membraneMass: Double = 0.05
    /// Damping: resistance r(x) = δ·√(c0·m)·e^{−αx/2}, i.e. Q ≈ 6.7 along the whole membrane.
    public var damping: Double = 0.15
    /// Kept support of each channel's impulse response, s. lauscher's filters are anti-causal (the response leads
    /// the stimulus; see ``LauscherFilterBank``); at the apex 99.99 % of the energy lies within 100 ms.
    public var impulseSeconds: Double = 0.1

    // MARK: Inner hair cell: Meddis (1986, JASA 79:702; 1988, JASA 83:1056), lauscher's values
    public var hairA: Double = 5
    public var hairB: Double = 300
    public var hairG: Double = 2_000
    public var hairY: Double = 5.05
    public var hairL: Double = 2_500
    public var hairR: Double = 6_580
    public var hairX: Double = 66.3
    public var hairH: Double = 50_000
    public var hairM: Double = 1

    // MARK: Auditory-nerve fibres and bushy cell
    /// Fibres converging on each bushy cell; each fires with the hair cell's probability per sample.
    public var fibresPerChannel: Int = 40
    /// Bushy cell LIF: τ_m, τ_s, refractory time (also the fibres' refractory time), s.
    public var bushyTauMem: Double = 1e-3
    public var bushyTauSyn: Double = 5e-4
    public var refractory: Double = 1e-3
    /// Total synaptic weight of all fibres, per second (lauscher: 13,000; each fibre 13,000/40): one fibre spike
    /// raises the membrane by ≈ 325·τ_s ≈ 0.16, so about seven coincident spikes reach the threshold 1.
    public var bushyWeight: Double = 13_000

    public init() {}

    /// Place of channel `i`, cm from the stapes.
    public func place(_ i: Int) -> Double {
        channels == 1 ? 0 : membraneLength * Double(i) / Double(channels - 1)
    }

    /// Resonance frequency √(s(x)/m)/2π at place `x` (cm), Hz (the membrane's peak lies a little below it).
    public func resonance(_ x: Double) -> Double {
        (max(0, stiffness0 * exp(-alpha * x) - stiffnessOffset) / membraneMass).squareRoot() / (2 * Double.pi)
    }

    public func validate() throws {
        func bad(_ field: String, _ why: String) -> Error { CochleaError(field: field, message: why) }
        let positives: [(String, Double)] = [
            ("rmsLevel", rmsLevel), ("membraneLength", membraneLength), ("stiffness0", stiffness0), ("alpha", alpha),
            ("fluidDensity", fluidDensity), ("ductHeight", ductHeight), ("membraneMass", membraneMass),
            ("damping", damping), ("impulseSeconds", impulseSeconds), ("hairA", hairA), ("hairB", hairB),
            ("hairG", hairG), ("hairY", hairY), ("hairL", hairL), ("hairR", hairR), ("hairX", hairX),
            ("hairH", hairH), ("hairM", hairM), ("bushyTauMem", bushyTauMem), ("bushyTauSyn", bushyTauSyn),
            ("refractory", refractory), ("bushyWeight", bushyWeight),
        ]
        for (name, v) in positives where !(v.isFinite && v > 0) { throw bad(name, "must be a positive finite number, got \(v)") }
        guard stiffnessOffset.isFinite && stiffnessOffset >= 0 else { throw bad("stiffnessOffset", "must be ≥ 0, got \(stiffnessOffset)") }
        guard stiffness0 * exp(-alpha * membraneLength) > stiffnessOffset else {
            throw bad("stiffnessOffset", "the stiffness c0·e^{−α·length} − a must stay positive along the membrane")
        }
        guard impulseSeconds <= 1 else { throw bad("impulseSeconds", "must be at most 1 s, got \(impulseSeconds)") }
        guard channels >= 1 && channels <= 65_535 else { throw bad("channels", "must be in 1…65535, got \(channels)") }
        guard fibresPerChannel >= 1 && fibresPerChannel <= 127 else { throw bad("fibresPerChannel", "must be in 1…127, got \(fibresPerChannel)") }
        guard refractory <= 0.1 else { throw bad("refractory", "must be at most 0.1 s, got \(refractory)") }
    }
}
