import CFFTW
import Foundation
import SpikeCore

/// Audio-domain augmentation of a synthesized utterance, before the cochlea: the changes a different speaker, room
/// and microphone make, drawn per utterance from a seed.
///
/// - **Speed perturbation** by a factor in `1 ± speed` (resampling, as Kaldi's speed perturbation: tempo and pitch
///   move together, by up to ±`speed`).
/// - **Loudness**: a gain of up to ±`loudnessDB` dB. (The lauscher-faithful cochlea does not normalize the level,
///   so the gain changes the spike rates; the fast model RMS-normalizes and is insensitive to it.)
/// - **Reverberation** with probability `reverbProbability`: convolution with an exponentially decaying Gaussian
///   noise impulse response (a diffuse room tail) with RT60 uniform in `reverbSeconds`, direct sound kept at unit
///   gain and the tail scaled to a direct-to-reverberant ratio of 0–10 dB.
/// - **Additive noise** with probability `noiseProbability`: white Gaussian noise at an SNR uniform in `snrDB`
///   (against the utterance's RMS).
public struct AudioAugmentation: Codable, Equatable, Sendable {
    public var speed = 0.1
    public var loudnessDB = 6.0
    public var reverbProbability = 0.5
    public var reverbSeconds: ClosedRange<Double> = 0.1...0.6
    public var noiseProbability = 0.5
    public var snrDB: ClosedRange<Double> = 10...30

    public init() {}

    /// `clip` augmented with draws from `seed` (the same seed gives the same audio).
    public func apply(to clip: AudioClip, seed: UInt64) -> AudioClip {
        var rng = SeededRandom(seed: seed, stream: 0xA0D1)
        func uniform(_ r: ClosedRange<Double>) -> Double { r.lowerBound + (r.upperBound - r.lowerBound) * rng.nextUnitDouble() }
        var x = Self.resample(clip.samples, by: 1 + uniform(-speed...speed))
        let gain = Float(pow(10, uniform(-loudnessDB...loudnessDB) / 20))
        for i in x.indices { x[i] *= gain }
        if rng.nextUnitDouble() < reverbProbability {
            x = Self.reverberate(x, rt60: uniform(reverbSeconds), directToReverberantDB: uniform(0...10), sampleRate: clip.sampleRate, &rng)
        }
        if rng.nextUnitDouble() < noiseProbability { Self.addNoise(&x, snrDB: uniform(snrDB), &rng) }
        return AudioClip(samples: x, sampleRate: clip.sampleRate)
    }

    /// Plays `x` `factor` times faster (linear interpolation; the speech band is far below Nyquist).
    static func resample(_ x: [Float], by factor: Double) -> [Float] {
        guard factor != 1, x.count > 1 else { return x }
        let n = max(1, Int((Double(x.count) / factor).rounded()))
        return (0..<n).map { i in
            let p = Double(i) * factor
            let j = min(x.count - 2, Int(p)), f = Float(p - Double(j))
            return x[j] + f * (x[j + 1] - x[j])
        }
    }

    /// `x` convolved with `δ + g·n(t)·10^(−3t/rt60)`, the tail energy `directToReverberantDB` below the direct sound.
    static func reverberate(
        _ x: [Float], rt60: Double, directToReverberantDB: Double, sampleRate: Double, _ rng: inout SeededRandom
    ) -> [Float] {
        let length = max(1, Int(rt60 * sampleRate))
        var tail = (0..<length).map { i in Float(rng.nextGaussian() * pow(10, -3 * Double(i) / (rt60 * sampleRate))) }
        tail[0] = 0  // the direct sound is the unit impulse
        let energy = tail.reduce(0) { $0 + Double($1 * $1) }
        let scale = Float((pow(10, -directToReverberantDB / 10) / max(energy, 1e-30)).squareRoot())
        for i in tail.indices { tail[i] *= scale }
        var y = convolve(x, tail)
        for i in x.indices { y[i] += x[i] }
        return y
    }

    /// The full linear convolution of `x` and `h` (FFTW: a 0.6 s tail at 48 kHz is 29,000 taps).
    static func convolve(_ x: [Float], _ h: [Float]) -> [Float] {
        let count = x.count + h.count - 1
        var n = 1
        while n < count { n *= 2 }
        let bins = n / 2 + 1
        let a = fftwf_alloc_real(n)!, b = fftwf_alloc_real(n)!
        let fa = fftwf_alloc_complex(bins)!, fb = fftwf_alloc_complex(bins)!
        defer { fftwf_free(a); fftwf_free(b); fftwf_free(fa); fftwf_free(fb) }
        let (forward, inverse) = Cochlea.planLock.withLock {
            (fftwf_plan_dft_r2c_1d(Int32(n), a, fa, UInt32(FFTW_ESTIMATE)), fftwf_plan_dft_c2r_1d(Int32(n), fa, a, UInt32(FFTW_ESTIMATE)))
        }
        defer { Cochlea.planLock.withLock { fftwf_destroy_plan(forward); fftwf_destroy_plan(inverse) } }
        a.update(repeating: 0, count: n)
        b.update(repeating: 0, count: n)
        x.withUnsafeBufferPointer { a.update(from: $0.baseAddress!, count: x.count) }
        h.withUnsafeBufferPointer { b.update(from: $0.baseAddress!, count: h.count) }
        fftwf_execute_dft_r2c(forward, a, fa)
        fftwf_execute_dft_r2c(forward, b, fb)
        let scale = 1 / Float(n)
        for k in 0..<bins {
            let (ar, ai, br, bi) = (fa[k].0, fa[k].1, fb[k].0, fb[k].1)
            fa[k] = ((ar * br - ai * bi) * scale, (ar * bi + ai * br) * scale)
        }
        fftwf_execute_dft_c2r(inverse, fa, a)
        return Array(UnsafeBufferPointer(start: a, count: count))
    }

    /// Adds white Gaussian noise at `snrDB` below the RMS of `x`.
    static func addNoise(_ x: inout [Float], snrDB: Double, _ rng: inout SeededRandom) {
        let rms = (x.reduce(0) { $0 + Double($1 * $1) } / Double(max(1, x.count))).squareRoot()
        let sd = rms * pow(10, -snrDB / 20)
        for i in x.indices { x[i] += Float(sd * rng.nextGaussian()) }
    }
}
