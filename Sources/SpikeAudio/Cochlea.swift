import CFFTW
import _CAudioKernels
import Foundation
import SpikeCore

/// Every number of the audio → spike pipeline, with its source. Defaults reproduce the SHD pipeline's stages
/// (Cramer et al. 2020, doi:10.1109/TNNLS.2020.3044364) on a speech band sampled at 16 kHz.
public struct CochleaParameters: Codable, Equatable, Sendable {
    // MARK: Input conditioning
    /// Rate the pipeline runs at; input is resampled to it. 16 kHz covers the speech band (CFs up to 7.6 kHz).
    public var sampleRate: Double = 16_000
    /// Target RMS of the input after normalization (SHD: 0.3).
    public var rmsLevel: Double = 0.3
    /// Length of the Hann onset and offset ramps in seconds; a value ≥ half the clip length is a full Hann window.
    public var hannRamp: Double = 0.01

    // MARK: Basilar membrane: long-wave hydrodynamic model (Sieroka, Dosch & Rupp 2006, JASA 120:297), WKB solution
    /// Number of places (channels) along the membrane; channel 0 is the most apical (lowest CF).
    public var channels: Int = 700
    /// Lowest and highest resonance frequency of the channel places, Hz; places are equally spaced in between.
    public var lowestCF: Double = 60
    public var highestCF: Double = 7_600
    /// Human cochlea length (m) and Greenwood (1990) place map f(x) = A(10^{a(1−x/L)} − k), x from the base.
    public var cochleaLength: Double = 0.035
    public var greenwoodA: Double = 165.4
    public var greenwoodAlpha: Double = 2.1
    public var greenwoodK: Double = 0.88
    /// Effective membrane mass per area (kg/m²), fluid density (kg/m³) and damping ratio ζ of the partition,
    /// whose stiffness k = m·ω_r² and resistance r = 2ζ·m·ω_r follow the place map. With these values each channel
    /// peaks at ≈ 0.92 of its resonance frequency with Q10 ≈ 3.4–4.8 and a low-frequency tail ≈ 45 dB down
    /// (`spikeloop convert audio --print-channels` lists them).
    public var membraneMass: Double = 2
    public var fluidDensity: Double = 1_000
    public var dampingRatio: Double = 0.05
    /// Length of each channel's impulse response in samples (overlap-add block; 128 ms at 16 kHz).
    public var impulseLength: Int = 2048
    /// Scales the peak-normalized membrane velocity into the hair-cell model's stimulus units: an in-band
    /// amplitude of 0.1 becomes 1000 units, a third of the permeability's half-saturation B.
    public var hairCellGain: Double = 10_000

    // MARK: Inner hair cell: Meddis (1986, JASA 79:702) transmitter model, medium-spontaneous-rate parameters
    // (Meddis, Hewitt & Shackleton 1990, JASA 87:1813): spontaneous ≈ 16 spikes/s, adapted saturation ≈ 205 spikes/s.
    public var meddisA: Double = 10
    public var meddisB: Double = 3_000
    public var meddisG: Double = 1_000
    public var meddisY: Double = 11.11
    public var meddisL: Double = 2_500
    public var meddisR: Double = 6_580
    public var meddisX: Double = 66.31
    public var meddisH: Double = 48_000
    public var meddisM: Double = 1

    // MARK: Auditory-nerve fibres and bushy cells
    /// Fibres converging on each bushy cell (SHD: 40), each firing with the hair cell's release probability.
    public var fibresPerChannel: Int = 40
    /// Absolute refractory period of a fibre, s.
    public var fibreRefractory: Double = 0.001
    /// Bushy cell: current-based LIF with τ_m 1 ms, τ_s 0.5 ms, refractory 1 ms (SHD), threshold 1.
    public var bushyTauMem: Double = 0.001
    public var bushyTauSyn: Double = 0.0005
    public var bushyRefractory: Double = 0.001
    /// Synaptic weight of one fibre spike (threshold = 1): several coincident fibre spikes are needed to fire.
    public var bushyWeight: Double = 0.3

    public init() {}

    /// Resonance frequency at distance `x` (m) from the base (Greenwood map).
    public func greenwood(_ x: Double) -> Double {
        greenwoodA * (pow(10, greenwoodAlpha * (1 - x / cochleaLength)) - greenwoodK)
    }

    /// Place (m from the base) whose resonance frequency is `f`.
    public func place(ofFrequency f: Double) -> Double {
        cochleaLength * (1 - log10(f / greenwoodA + greenwoodK) / greenwoodAlpha)
    }

    public func validate() throws {
        func bad(_ field: String, _ why: String) -> Error { CochleaError(field: field, message: why) }
        let reals: [(String, Double)] = [
            ("sampleRate", sampleRate), ("rmsLevel", rmsLevel), ("hannRamp", hannRamp), ("lowestCF", lowestCF),
            ("highestCF", highestCF), ("cochleaLength", cochleaLength), ("greenwoodA", greenwoodA),
            ("greenwoodAlpha", greenwoodAlpha), ("greenwoodK", greenwoodK), ("membraneMass", membraneMass),
            ("fluidDensity", fluidDensity), ("dampingRatio", dampingRatio), ("hairCellGain", hairCellGain),
            ("meddisA", meddisA), ("meddisB", meddisB), ("meddisG", meddisG), ("meddisY", meddisY), ("meddisL", meddisL),
            ("meddisR", meddisR), ("meddisX", meddisX), ("meddisH", meddisH), ("meddisM", meddisM),
            ("fibreRefractory", fibreRefractory), ("bushyTauMem", bushyTauMem), ("bushyTauSyn", bushyTauSyn),
            ("bushyRefractory", bushyRefractory), ("bushyWeight", bushyWeight),
        ]
        for (name, v) in reals where !v.isFinite { throw bad(name, "must be a finite number, got \(v)") }
        guard sampleRate >= 4000 && sampleRate <= 384_000 else { throw bad("sampleRate", "must be in 4000…384000 Hz, got \(sampleRate)") }
        guard hannRamp >= 0 && hannRamp <= 3600 else { throw bad("hannRamp", "must be in 0…3600 s, got \(hannRamp)") }
        guard channels >= 1 && channels <= 65_535 else { throw bad("channels", "must be in 1…65535, got \(channels)") }
        guard lowestCF > 0 && lowestCF < highestCF else { throw bad("lowestCF", "must be positive and below highestCF") }
        guard highestCF < sampleRate / 2 else { throw bad("highestCF", "\(highestCF) Hz must be below the Nyquist frequency \(sampleRate / 2) Hz") }
        guard impulseLength >= 64 && impulseLength <= 1 << 20 && impulseLength & (impulseLength - 1) == 0 else { throw bad("impulseLength", "must be a power of two in 64…1048576, got \(impulseLength)") }
        guard fibresPerChannel >= 1 && fibresPerChannel <= 127 else { throw bad("fibresPerChannel", "must be in 1…127, got \(fibresPerChannel)") }
        guard rmsLevel > 0, hairCellGain > 0, bushyTauMem > 0, bushyTauSyn > 0, dampingRatio > 0 else {
            throw bad("rmsLevel/hairCellGain/bushyTauMem/bushyTauSyn/dampingRatio", "must be positive")
        }
    }
}

public struct CochleaError: Error, CustomStringConvertible {
    public var field: String
    public var message: String
    public var description: String { "cochlea parameter '\(field)': \(message)" }
}

/// The spikes of one converted clip, in SHD's conventions: times in seconds, ascending; units are channels.
public struct CochleaSpikes: Sendable {
    public var times: [Double]
    public var units: [Int32]
    public var channelCount: Int
    public var audioSeconds: Double
    /// Per probed channel: the hair cell's release rate (spikes/s per fibre) and the fibre spike count per sample.
    public var probes: [Int: ChannelProbe] = [:]
}

public struct ChannelProbe: Sendable {
    public var releaseRate: [Float]
    public var fibreSpikes: [Int32]
}

/// The audio → spike pipeline: resampling, RMS normalization, Hann ramps, hydrodynamic basilar membrane,
/// Meddis hair cells, 40 auditory-nerve fibres and one bushy cell per channel.
///
/// The membrane is linear, so it runs as FFT overlap-add (FFTW) with one precomputed transfer function per
/// channel; the hair cell, fibres and bushy cell are a per-sample recurrence run 16 channels per SIMD vector.
/// Construction precomputes the filter bank (a fraction of a second); `convert` is thread-safe.
public final class Cochlea: OverlapAddInput, @unchecked Sendable {
    public let parameters: CochleaParameters
    /// Resonance frequency of each channel's place (Hz), ascending.
    public let resonanceFrequencies: [Double]
    /// Frequency of each channel's largest response (Hz): its characteristic frequency.
    public let characteristicFrequencies: [Double]
    /// Fraction of each channel's impulse-response energy inside the kept `impulseLength` samples.
    public let keptEnergy: [Double]

    let block: Int  // hop B
    let fftSize: Int  // M = 2B
    let bins: Int  // M/2 + 1
    /// Spectra are stored `binStride` apart so every one keeps the 64-byte alignment FFTW planned with.
    var binStride: Int { (bins + 7) & ~7 }
    /// Per channel, the block transfer function (interleaved re/im, bins complex values), scaled by 1/M.
    let transfer: UnsafeMutablePointer<Float>
    let forwardPlan: fftwf_plan
    let inversePlan: fftwf_plan

    public init(_ parameters: CochleaParameters = CochleaParameters()) throws {
        try parameters.validate()
        self.parameters = parameters
        let p = parameters
        block = p.impulseLength
        fftSize = 2 * block
        bins = fftSize / 2 + 1
        let (m, b, n) = (fftSize, bins, p.channels)

        // Plans once, with FFTW-allocated (aligned) scratch; executions use the new-array interface.
        let scratchR = fftwf_alloc_real(m)!
        let scratchC = fftwf_alloc_complex(b)!
        defer { fftwf_free(scratchR); fftwf_free(scratchC) }
        forwardPlan = Cochlea.planLock.withLock { fftwf_plan_dft_r2c_1d(Int32(m), scratchR, scratchC, UInt32(FFTW_ESTIMATE)) }
        inversePlan = Cochlea.planLock.withLock { fftwf_plan_dft_c2r_1d(Int32(m), scratchC, scratchR, UInt32(FFTW_ESTIMATE)) }

        // Channel places: equally spaced between the places of highestCF (basal) and lowestCF (apical).
        let xHigh = p.place(ofFrequency: p.highestCF), xLow = p.place(ofFrequency: p.lowestCF)
        let places = (0..<n).map { c in n == 1 ? xLow : xLow + (xHigh - xLow) * Double(c) / Double(n - 1) }
        resonanceFrequencies = places.map(p.greenwood)

        let response = UnsafeMutablePointer<Complex>.allocate(capacity: n * b)
        defer { response.deallocate() }
        Cochlea.membraneResponse(p, places: places, bins: b, fftSize: m, into: response)
        transfer = fftwf_alloc_real(2 * b * n)!
        var cfs = [Double](repeating: 0, count: n)
        var keptFraction = [Double](repeating: 0, count: n)
        let impulse = fftwf_alloc_real(m)!
        let spectrum = fftwf_alloc_complex(b)!
        defer { fftwf_free(impulse); fftwf_free(spectrum) }
        // Window applied to every impulse response: 1 over the first 7/8 of the block, a Hann taper over the
        // last eighth, 0 beyond the block; 1/M undoes FFTW's unnormalized inverse.
        let kept = p.impulseLength, taper = kept / 8
        let window = (0..<m).map { i -> Float in
            if i >= kept { return 0 }
            let w = i < kept - taper ? 1 : 0.5 + 0.5 * cos(Double.pi * Double(i - (kept - taper)) / Double(taper))
            return Float(w) / Float(m)
        }
        for c in 0..<n {
            // Normalize to unit peak gain, transform to the impulse response, keep the causal first B samples
            // (tapered over the last eighth), and transform back to the block transfer function.
            let h = response + c * b
            var peak = 0.0, peakBin = 1
            for k in 1..<b where h[k].magnitude > peak { peak = h[k].magnitude; peakBin = k }
            cfs[c] = Double(peakBin) * p.sampleRate / Double(m)
            let scale = peak > 0 ? 1 / peak : 0
            for k in 0..<b {
                spectrum[k].0 = Float(h[k].re * scale)
                spectrum[k].1 = Float(h[k].im * scale)
            }
            fftwf_execute_dft_c2r(inversePlan, spectrum, impulse)
            var total = 0.0, inside = 0.0
            for i in 0..<m {
                let v = Double(impulse[i]) / Double(m)
                total += v * v
                if i < kept { inside += v * v }
            }
            keptFraction[c] = total > 0 ? inside / total : 1
            for i in 0..<m { impulse[i] *= window[i] }
            fftwf_execute_dft_r2c(forwardPlan, impulse, spectrum)
            let dst = transfer + 2 * b * c
            for k in 0..<b {
                dst[2 * k] = spectrum[k].0 / Float(m)
                dst[2 * k + 1] = spectrum[k].1 / Float(m)
            }
        }
        characteristicFrequencies = cfs
        keptEnergy = keptFraction
    }

    deinit {
        fftwf_free(transfer)
        Cochlea.planLock.withLock {
            fftwf_destroy_plan(forwardPlan)
            fftwf_destroy_plan(inversePlan)
        }
    }

    /// FFTW's planner is not thread-safe; executing plans is.
    static let planLock = NSLock()

    struct Complex {
        var re: Double
        var im: Double
        var magnitude: Double { (re * re + im * im).squareRoot() }
        static func * (a: Complex, b: Complex) -> Complex { Complex(re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re) }
        static func / (a: Complex, b: Complex) -> Complex {
            let d = b.re * b.re + b.im * b.im
            return Complex(re: (a.re * b.re + a.im * b.im) / d, im: (a.im * b.re - a.re * b.im) / d)
        }
        /// Principal square root (real part ≥ 0).
        var squareRoot: Complex {
            let r = magnitude
            let re = ((r + self.re) / 2).squareRoot()
            let im = ((r - self.re) / 2).squareRoot()
            return Complex(re: re, im: self.im < 0 ? -im : im)
        }
    }

    /// Membrane velocity per unit stapes drive at each channel place and FFT bin.
    ///
    /// Short-wave hydrodynamics (Sieroka et al. 2006): the pressure wave number is κ(x,ω) = 2ρω²/(k(x) − mω² + iωr(x)),
    /// and the WKB solution that conserves energy flux gives a membrane velocity v ∝ κ^{3/2}·exp(−i∫₀ˣκ dx').
    /// Integration (trapezoid on a 2000-point grid, ≥ 20 points per wavelength at the peaks) stops where the wave has decayed by e⁻⁴⁰.
    static func membraneResponse(_ p: CochleaParameters, places: [Double], bins: Int, fftSize: Int, into out: UnsafeMutablePointer<Complex>) {
        let n = places.count
        out.initialize(repeating: Complex(re: 0, im: 0), count: n * bins)
        let xEnd = places.max()! * 1.0001
        let gridCount = 2000
        let dx = xEnd / Double(gridCount)
        let m = p.membraneMass
        let order = (0..<n).sorted { places[$0] < places[$1] }
        let omegaR = (0...gridCount).map { 2 * Double.pi * p.greenwood(Double($0) * dx) }
        let channelOmega = places.map { 2 * Double.pi * p.greenwood($0) }
        func kappa(_ w: Double, _ wr: Double) -> Complex {
            Complex(re: 2 * p.fluidDensity * w * w, im: 0) / Complex(re: m * (wr * wr - w * w), im: w * 2 * p.dampingRatio * m * wr)
        }
        // Each iteration owns one bin (column k of `out`), so the workers write disjoint elements.
        DispatchQueue.concurrentPerform(iterations: bins - 1) { kk in
            let k = kk + 1
            let w = 2 * Double.pi * Double(k) * p.sampleRate / Double(fftSize)
            var phase = Complex(re: 0, im: 0)  // ∫κ dx up to grid point g
            var prev = kappa(w, omegaR[0])
            var next = 0
            var g = 0
            while next < n {
                let target = places[order[next]]
                while Double(g + 1) * dx <= target && g + 1 <= gridCount {
                    let kn = kappa(w, omegaR[g + 1])
                    phase.re += 0.5 * (prev.re + kn.re) * dx
                    phase.im += 0.5 * (prev.im + kn.im) * dx
                    prev = kn
                    g += 1
                }
                if phase.im < -40 { break }  // decayed: this and all more apical places respond with 0
                let kt = kappa(w, channelOmega[order[next]])
                let rest = target - Double(g) * dx
                let ph = Complex(re: phase.re + 0.5 * (prev.re + kt.re) * rest, im: phase.im + 0.5 * (prev.im + kt.im) * rest)
                // exp(−i·ph) = exp(ph.im)·(cos ph.re − i sin ph.re)
                let mag = exp(ph.im)
                let wave = Complex(re: mag * cos(ph.re), im: -mag * sin(ph.re))
                out[order[next] * bins + k] = kt * kt.squareRoot * wave
                next += 1
            }
        }
    }

    /// Membrane velocity (peak-normalized) of the given channels for a clip already at `sampleRate`.
    public func membrane(_ samples: [Float], channels: [Int]) -> [[Float]] {
        let spectra = blockSpectra(samples)
        let t = samples.count
        let buffer = fftwf_alloc_real(t + fftSize)!
        let tmpC = fftwf_alloc_complex(bins)!
        let tmpR = fftwf_alloc_real(fftSize)!
        defer { fftwf_free(buffer); fftwf_free(tmpC); fftwf_free(tmpR); fftwf_free(spectra.pointer) }
        return channels.map { c in
            buffer.update(repeating: 0, count: t + fftSize)
            filter(channel: c, spectra: spectra, scratchC: tmpC, scratchR: tmpR) { start, values, count in
                for i in 0..<count { buffer[start + i] += values[i] }
            }
            return Array(UnsafeBufferPointer(start: buffer, count: t))
        }
    }

    /// Filters every block through channel `c` and hands each M-sample result to `accumulate(start, values, count)`.
    @inline(__always)
    func filter(
        channel c: Int, spectra: (pointer: UnsafeMutablePointer<fftwf_complex>, blocks: Int),
        scratchC: UnsafeMutablePointer<fftwf_complex>, scratchR: UnsafeMutablePointer<Float>,
        _ accumulate: (Int, UnsafeMutablePointer<Float>, Int) -> Void
    ) {
        let h = UnsafeRawPointer(transfer + 2 * bins * c).assumingMemoryBound(to: Float.self)
        let out = UnsafeMutableRawPointer(scratchC).assumingMemoryBound(to: Float.self)
        for j in 0..<spectra.blocks {
            let x = UnsafeRawPointer(spectra.pointer + j * binStride).assumingMemoryBound(to: Float.self)
            spikeloop_complex_multiply(x, h, out, Int64(bins))
            fftwf_execute_dft_c2r(inversePlan, scratchC, scratchR)
            accumulate(j * block, scratchR, fftSize)
        }
    }

    /// Resampling, RMS normalization and Hann ramps: the signal that enters the membrane.
    public func condition(_ clip: AudioClip) -> [Float] {
        var x = Resampler.resample(clip, to: parameters.sampleRate).samples
        guard !x.isEmpty else { return x }
        var sq = 0.0
        for v in x { sq += Double(v) * Double(v) }
        let rms = (sq / Double(x.count)).squareRoot()
        let g = rms > 0 ? Float(parameters.rmsLevel / rms) : 0
        let ramp = min(x.count / 2, Int(parameters.hannRamp * parameters.sampleRate))
        for i in 0..<x.count {
            var v = x[i] * g
            let edge = min(i, x.count - 1 - i)
            if edge < ramp { v *= Float(0.5 - 0.5 * cos(Double.pi * Double(edge) / Double(ramp))) }
            x[i] = v
        }
        return x
    }
}
