import Foundation
@testable import SpikeAudio
import SpikeCore
import Testing

/// Audio-domain augmentation: seeded, deterministic, and each part measured against what it claims.
@Suite struct AudioAugmentationTests {
    static func tone(seconds: Double = 0.5, rate: Double = 16_000) -> AudioClip {
        AudioClip(samples: (0..<Int(seconds * rate)).map { Float(0.3 * sin(2 * Double.pi * 440 * Double($0) / rate)) }, sampleRate: rate)
    }

    @Test("the same seed gives the same audio, another seed other audio")
    func deterministic() {
        let a = AudioAugmentation(), clip = Self.tone()
        #expect(a.apply(to: clip, seed: 3).samples == a.apply(to: clip, seed: 3).samples)
        #expect(a.apply(to: clip, seed: 3).samples != a.apply(to: clip, seed: 4).samples)
    }

    @Test("noise lands at the requested SNR; speed perturbation changes the duration by the factor")
    func noiseAndSpeed() {
        var rng = SeededRandom(seed: 1)
        var x = Self.tone(seconds: 2).samples
        let clean = x
        AudioAugmentation.addNoise(&x, snrDB: 20, &rng)
        let signal = clean.reduce(0) { $0 + Double($1 * $1) }
        let noise = zip(x, clean).reduce(0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        #expect(abs(10 * log10(signal / noise) - 20) < 0.2)
        #expect(AudioAugmentation.resample(clean, by: 1.25).count == Int((Double(clean.count) / 1.25).rounded()))
    }

    @Test("reverberation keeps the direct sound and puts the tail at the requested direct-to-reverberant ratio")
    func reverb() {
        var rng = SeededRandom(seed: 2)
        let impulse: [Float] = [1] + [Float](repeating: 0, count: 99)
        let y = AudioAugmentation.reverberate(impulse, rt60: 0.2, directToReverberantDB: 6, sampleRate: 8000, &rng)
        #expect(abs(y[0] - 1) < 1e-5 && y.count == 100 + 1600 - 1)
        let tail = y.dropFirst().reduce(0) { $0 + Double($1 * $1) }
        #expect(abs(10 * log10(1 / tail) - 6) < 0.05)
        // FFT convolution equals the direct sum
        let a: [Float] = [1, 2, 3, -1], b: [Float] = [0.5, -2, 1]
        let direct = (0..<6).map { n in (0..<4).reduce(Float(0)) { s, i in (0..<3).contains(n - i) ? s + a[i] * b[n - i] : s } }
        #expect(zip(AudioAugmentation.convolve(a, b), direct).allSatisfy { abs($0 - $1) < 1e-5 })
    }
}
