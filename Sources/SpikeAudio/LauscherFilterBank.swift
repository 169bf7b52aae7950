import CFFTW
import SpikeCore
import Foundation
import _CAudioKernels

/// The shallow-water membrane of ``LauscherParameters`` as a bank of FIR filters at one input sample rate, run as
/// FFT overlap-add (FFTW) with the output decimated by two in the frequency domain.
///
/// lauscher filters the whole clip at once: `Re(ifft(V(ω)·fft(x)[: N/2+1]))` — an inverse transform of the half
/// spectrum, so its membrane output has N/2+1 samples at half the input rate (`fs // 2`), and the hair cell and
/// bushy cell run at that rate. V(ω) is written in the physics convention e^{−iωt}; taken through `ifft` it becomes
/// an **anti-causal** filter: each channel's response leads the stimulus by its travelling-wave delay (≈ 19 ms at
/// the apex) and rings backwards in time. We keep that, so spikes come when lauscher's come: the impulse response
/// is cut to [−lead, B − lead) (lead = 15/16 of the block B), delayed by `lead` to make it causal, and the output
/// is read `lead` samples later. V is evaluated at lauscher's frequency grid: bin frequency f ↦ 1 Hz + f·(fs//2 − 1)/(fs/2).
public final class LauscherFilterBank: OverlapAddInput, @unchecked Sendable {
    public let sampleRate: Double
    /// Rate of the membrane output, the hair cell and the bushy cell: lauscher's integer `fs // 2`.
    public let outputRate: Int
    /// Hop B (input samples); FFT size M = 2B; impulse response kept over [−lead, B − lead).
    let block: Int
    let lead: Int
    var fftSize: Int { 2 * block }
    var bins: Int { block + 1 }
    var binStride: Int { (bins + 7) & ~7 }
    var foldedBins: Int { block / 2 + 1 }
    let channels: Int
    /// Per channel, the block transfer function (interleaved re/im, `bins` values), scaled by 1/M.
    let transfer: UnsafeMutablePointer<Float>
    let forwardPlan: fftwf_plan
    let inversePlan: fftwf_plan  // B-point c2r of the folded spectrum
    /// Fraction of each channel's impulse-response energy inside the kept window.
    public let keptEnergy: [Double]

    init(_ p: LauscherParameters, sampleRate: Double, threads: Int) {
        self.sampleRate = sampleRate
        outputRate = Int(sampleRate) / 2
        // Smallest 2^a·3^b·5^c (FFTW's fast sizes) ≥ impulse/(15/16), a multiple of 32 so lead and B/2 stay even.
        let need = Int((p.impulseSeconds * sampleRate * 16 / 15).rounded(.up))
        var b = 32
        while true {
            var r = b / 32
            for f in [2, 3, 5] { while r % f == 0 { r /= f } }
            if r == 1 && b >= need { break }
            b += 32
        }
        block = b
        lead = b / 16 * 15
        channels = p.channels
        let (m, bins, n) = (2 * b, b + 1, p.channels)
        let scratchR = fftwf_alloc_real(m)!, scratchC = fftwf_alloc_complex(bins)!
        defer { fftwf_free(scratchR); fftwf_free(scratchC) }
        (forwardPlan, inversePlan) = Cochlea.planLock.withLock {
            (fftwf_plan_dft_r2c_1d(Int32(m), scratchR, scratchC, UInt32(FFTW_ESTIMATE)),
             fftwf_plan_dft_c2r_1d(Int32(b), scratchC, scratchR, UInt32(FFTW_ESTIMATE)))
        }
        transfer = fftwf_alloc_real(2 * bins * n)!
        keptEnergy = LauscherFilterBank.build(p, sampleRate: sampleRate, block: b, lead: lead, threads: threads, into: transfer)
    }

    deinit {
        fftwf_free(transfer)
        Cochlea.planLock.withLock {
            fftwf_destroy_plan(forwardPlan)
            fftwf_destroy_plan(inversePlan)
        }
    }

    /// Evaluates V on the M-point grid, takes each channel's impulse response (double precision), keeps it over
    /// [−lead, B − lead) with 1/32-block Hann tapers at both ends, and stores its block transfer function.
    static func build(
        _ p: LauscherParameters, sampleRate fs: Double, block b: Int, lead: Int, threads: Int,
        into transfer: UnsafeMutablePointer<Float>
    ) -> [Double] {
        let m = 2 * b, bins = b + 1, n = p.channels
        let half = Double(Int(fs) / 2)
        let omega = (0..<bins).map { k in 2 * Double.pi * (1 + Double(k) * fs / Double(m) * (half - 1) / (fs / 2)) }
        var params = spikeloop_sieroka_params(
            a: p.stiffnessOffset, alpha: p.alpha, rho: p.fluidDensity, c0: p.stiffness0, de: p.damping,
            h: p.ductHeight, m: p.membraneMass)
        var drive = [Double](repeating: 0, count: 3 * bins)
        spikeloop_sieroka_drive(&params, omega, Int64(bins), &drive)
        let taper = b / 32
        let window = (0..<b).map { i -> Double in
            let edge = min(i, b - 1 - i)
            return edge >= taper ? 1 : 0.5 - 0.5 * cos(Double.pi * Double(edge) / Double(taper))
        }
        let kept = PerWorkerArray(count: n)
        parallelChunks(count: n, workers: threads) { _, range in
            let planIn = fftw_alloc_complex(bins)!, planOut = fftw_alloc_real(m)!
            defer { fftw_free(planIn); fftw_free(planOut) }
            let inverse = Cochlea.planLock.withLock { fftw_plan_dft_c2r_1d(Int32(m), planIn, planOut, UInt32(FFTW_ESTIMATE))! }
            let forward = Cochlea.planLock.withLock { fftw_plan_dft_r2c_1d(Int32(m), planOut, planIn, UInt32(FFTW_ESTIMATE))! }
            defer { Cochlea.planLock.withLock { fftw_destroy_plan(inverse); fftw_destroy_plan(forward) } }
            var v = [Double](repeating: 0, count: 2 * bins)
            var h = [Double](repeating: 0, count: m)
            for c in range {
                spikeloop_sieroka_velocity(&params, omega, drive, Int64(bins), p.place(c), &v)
                for k in 0..<bins { planIn[k] = (v[2 * k], v[2 * k + 1]) }
                fftw_execute(inverse)
                var total = 0.0, inside = 0.0
                for i in 0..<m {
                    let x = planOut[i] / Double(m)  // h at time i (mod M), i.e. negative times at the end
                    total += x * x
                    h[i] = x
                }
                // Causal, delayed copy: h_d[j] = h(j − lead) for j < B, zero beyond.
                for j in 0..<m {
                    var value = 0.0
                    if j < b {
                        let x = h[(j - lead + m) % m]
                        inside += x * x
                        value = x * window[j]
                    }
                    planOut[j] = value
                }
                kept[c] = total > 0 ? inside / total : 1
                fftw_execute(forward)
                let dst = transfer + 2 * bins * c
                for k in 0..<bins {
                    dst[2 * k] = Float(planIn[k].0 / Double(m))
                    dst[2 * k + 1] = Float(planIn[k].1 / Double(m))
                }
            }
        }
        return kept.values
    }

    /// Scratch for ``filter(channel:spectra:scratchC:scratchR:into:count:)``: complex, then real; free both with
    /// `fftwf_free`.
    func makeScratch() -> (UnsafeMutablePointer<fftwf_complex>, UnsafeMutablePointer<Float>) {
        (fftwf_alloc_complex(foldedBins + bins)!, fftwf_alloc_real(block)!)
    }

    /// Channel `c`'s membrane velocity at the output rate: out[n] = y(2n), n < count, y the filtered input.
    /// `scratchC` holds `bins` + `foldedBins` complex values (``makeScratch()``), `scratchR` B floats.
    func filter(
        channel c: Int, spectra: (pointer: UnsafeMutablePointer<fftwf_complex>, blocks: Int),
        scratchC: UnsafeMutablePointer<fftwf_complex>, scratchR: UnsafeMutablePointer<Float>,
        into out: UnsafeMutablePointer<Float>, count: Int
    ) {
        out.update(repeating: 0, count: count)
        let h = UnsafeRawPointer(transfer + 2 * bins * c).assumingMemoryBound(to: Float.self)
        let folded = UnsafeMutableRawPointer(scratchC).assumingMemoryBound(to: Float.self)
        for j in 0..<spectra.blocks {
            // Block j adds z[jB + 2u] = scratchR[u]; y(2n) = z(2n + lead) → n = (jB − lead)/2 + u.
            let start = (j * block - lead) / 2
            let lo = max(0, -start), hi = min(block, count - start)
            guard hi > lo else { continue }
            let x = UnsafeRawPointer(spectra.pointer + j * binStride).assumingMemoryBound(to: Float.self)
            spikeloop_multiply_fold(x, h, folded, folded + 2 * foldedBins, Int64(block))
            fftwf_execute_dft_c2r(inversePlan, scratchC, scratchR)
            spikeloop_accumulate(out + start + lo, scratchR + lo, Int64(hi - lo))
        }
    }
}

/// One Double per index, written by disjoint workers.
final class PerWorkerArray: @unchecked Sendable {
    var values: [Double]
    init(count: Int) { values = [Double](repeating: 0, count: count) }
    subscript(i: Int) -> Double {
        get { values[i] }
        set { values.withUnsafeMutableBufferPointer { $0[i] = newValue } }
    }
}

extension LauscherFilterBank {
    /// The membrane velocity V(2πf, x) per unit input at `place` x (cm), lauscher's convention (tests, plots).
    public static func velocity(_ p: LauscherParameters, frequency f: Double, place x: Double) -> (re: Double, im: Double) {
        var params = spikeloop_sieroka_params(
            a: p.stiffnessOffset, alpha: p.alpha, rho: p.fluidDensity, c0: p.stiffness0, de: p.damping,
            h: p.ductHeight, m: p.membraneMass)
        let omega = [2 * Double.pi * f]
        var drive = [0.0, 0.0, 0.0], v = [0.0, 0.0]
        spikeloop_sieroka_drive(&params, omega, 1, &drive)
        spikeloop_sieroka_velocity(&params, omega, drive, 1, x, &v)
        return (v[0], v[1])
    }

    /// H0^(1)(re + i·im), the Hankel function of the first kind and order 0 (tests).
    static func hankel0(_ re: Double, _ im: Double) -> (re: Double, im: Double) {
        var out = [0.0, 0.0]
        spikeloop_hankel1_0(re, im, &out)
        return (out[0], out[1])
    }
}
