import Foundation
import SpikeData
import XCTest
@testable import SpikeAudio

/// A smaller cochlea than the default (debug builds are slow): 100 channels, 64 ms impulse responses.
func testCochlea(channels: Int = 100) throws -> Cochlea {
    var p = CochleaParameters()
    p.channels = channels
    p.impulseLength = 1024
    p.lowestCF = 150
    return try Cochlea(p)
}

func tone(_ f: Double, seconds: Double, rate: Double = 16_000, amplitude: Float = 0.5, onset: Double = 0) -> AudioClip {
    let n = Int(seconds * rate)
    return AudioClip(samples: (0..<n).map { i in
        let t = Double(i) / rate
        return t < onset ? 0 : amplitude * Float(sin(2 * Double.pi * f * t))
    }, sampleRate: rate)
}

final class CochleaTests: XCTestCase {
    func testFilterBankIsTonotopicAndCausal() throws {
        let c = try testCochlea()
        let cf = c.characteristicFrequencies
        for i in 1..<cf.count { XCTAssertGreaterThanOrEqual(cf[i], cf[i - 1], "CFs ascend from apex to base") }
        // Each channel peaks a little below its resonance (the wave decays just before it), as in real cochleae.
        for (r, f) in zip(c.resonanceFrequencies, cf) { XCTAssertEqual(f / r, 0.9, accuracy: 0.08) }
        // The kept impulse responses hold their energy (causal, decaying within the 64 ms block).
        XCTAssertGreaterThan(c.keptEnergy.min()!, 0.95)
        XCTAssertGreaterThan(c.keptEnergy[50...].min()!, 0.99)

        // A pure tone excites most strongly the channel whose characteristic frequency it is.
        for f in [300.0, 1000.0, 3000.0] {
            let x = c.condition(tone(f, seconds: 0.2))
            let responses = c.membrane(x, channels: Array(0..<cf.count))
            let energy = responses.map { r in r[1600...].reduce(0) { $0 + Double($1 * $1) } }
            let best = energy.indices.max { energy[$0] < energy[$1] }!
            XCTAssertEqual(cf[best] / f, 1, accuracy: 0.08, "tone \(f) Hz peaks at channel \(best) with CF \(cf[best])")
            // Sharp tuning: an octave below the tone's place the response is > 20 dB down.
            let below = energy.indices.min { abs(cf[$0] - f / 2) < abs(cf[$1] - f / 2) }!
            XCTAssertLessThan(energy[below] / energy[best], 0.01)
        }
    }

    func testHairCellRestsAtItsAnalyticSpontaneousRateAndAdapts() throws {
        let c = try testCochlea(channels: 32)
        let p = c.parameters
        // Silence: the release rate stays at the Meddis steady state.
        let silent = c.convert(AudioClip(samples: [Float](repeating: 0, count: 4000), sampleRate: 16_000), probe: [10])
        let k0 = p.meddisG * p.meddisA / (p.meddisA + p.meddisB)
        let q0 = p.meddisY * p.meddisM / (p.meddisY + p.meddisL * k0 / (p.meddisL + p.meddisR))
        let spont = p.meddisH * k0 * q0 / (p.meddisL + p.meddisR)
        let rest = silent.probes[10]!.releaseRate
        XCTAssertEqual(Double(rest.last!), spont, accuracy: spont * 1e-3)
        XCTAssertEqual(spont, 16.2, accuracy: 0.2, "Meddis et al. 1990 medium-spontaneous fibre")
        // Fibre spikes at silence follow the spontaneous rate (40 fibres, 0.25 s).
        let fibreCount = silent.probes[10]!.fibreSpikes.reduce(0) { $0 + Int($1) }
        XCTAssertEqual(Double(fibreCount), spont * 40 * 0.25, accuracy: 5 * (spont * 40 * 0.25).squareRoot())

        // A tone switched on at 100 ms: release rate overshoots at onset, then adapts to a lower plateau.
        let cf = c.characteristicFrequencies
        let ch = cf.indices.min { abs(cf[$0] - 1000) < abs(cf[$1] - 1000) }!
        let driven = c.convert(tone(1000, seconds: 0.5, onset: 0.1), probe: [ch]).probes[ch]!.releaseRate
        func mean(_ r: Range<Int>) -> Double { r.reduce(0.0) { $0 + Double(driven[$1]) } / Double(r.count) }
        // Largest 5 ms mean in the first 30 ms (the membrane itself needs a few ms to build up).
        let onset = stride(from: 1600, to: 2080, by: 16).map { mean($0..<($0 + 80)) }.max()!
        let adapted = mean(7200..<8000)  // last 50 ms
        XCTAssertGreaterThan(onset, 2.5 * adapted, "onset \(onset) vs adapted \(adapted) spikes/s")
        XCTAssertGreaterThan(adapted, 5 * spont)
    }

    func testFibresAndBushyCellsPhaseLockToLowFrequencies() throws {
        let c = try testCochlea(channels: 64)
        let cf = c.characteristicFrequencies
        let f = 400.0
        let ch = cf.indices.min { abs(cf[$0] - f) < abs(cf[$1] - f) }!
        let out = c.convert(tone(f, seconds: 0.4), seed: 3, probe: [ch])
        func vectorStrength(_ times: [Double]) -> Double {
            var s = 0.0, co = 0.0
            for t in times {
                s += sin(2 * Double.pi * f * t)
                co += cos(2 * Double.pi * f * t)
            }
            return (s * s + co * co).squareRoot() / Double(times.count)
        }
        let counts = out.probes[ch]!.fibreSpikes
        var fibreTimes: [Double] = []
        for (i, k) in counts.enumerated() where i > 1600 && k > 0 {
            for _ in 0..<k { fibreTimes.append(Double(i) / 16_000) }
        }
        XCTAssertGreaterThan(fibreTimes.count, 200)
        XCTAssertGreaterThan(vectorStrength(fibreTimes), 0.6)
        let bushy = zip(out.times, out.units).filter { $0.1 == Int32(ch) && $0.0 > 0.1 }.map(\.0)
        XCTAssertGreaterThan(bushy.count, 20)
        XCTAssertGreaterThan(vectorStrength(bushy), 0.7, "bushy cells sharpen phase locking")
    }

    func testConversionIsSeededAndThreadIndependent() throws {
        let c = try testCochlea(channels: 40)
        var clip = tone(700, seconds: 0.2)
        for i in clip.samples.indices { clip.samples[i] += 0.2 * Float(sin(Double(i) * 0.37)) }
        let a = c.convert(clip, seed: 5, threads: 1), b = c.convert(clip, seed: 5, threads: 2)
        XCTAssertEqual(a.times, b.times)
        XCTAssertEqual(a.units, b.units)
        XCTAssertFalse(a.times.isEmpty)
        XCTAssertEqual(a.times, a.times.sorted(), "SHD stores spikes in time order")
        XCTAssertNotEqual(c.convert(clip, seed: 6).units, a.units)
        XCTAssertThrowsError(try Cochlea({ var p = CochleaParameters(); p.highestCF = 9000; return p }())) { e in
            XCTAssertTrue("\(e)".contains("highestCF"), "\(e)")
        }
    }
}

final class WAVTests: XCTestCase {
    func tmp(_ name: String) -> String { NSTemporaryDirectory() + "spikeloop-wav-\(getpid())-\(name)" }

    func testFormatsRoundTripAndMixToMono() throws {
        let clip = tone(440, seconds: 0.05, rate: 22_050, amplitude: 0.6)
        for float in [false, true] {
            let path = tmp("rt-\(float).wav")
            try WAVFile.write(clip, to: path, float: float)
            let back = try WAVFile.read(path: path)
            XCTAssertEqual(back.sampleRate, 22_050)
            XCTAssertEqual(back.samples.count, clip.samples.count)
            for (x, y) in zip(back.samples, clip.samples) { XCTAssertEqual(x, y, accuracy: float ? 0 : 1.0 / 16_000) }
        }
        // 24-bit stereo built by hand: left = +0.5, right = −0.25 → mono 0.125.
        func le(_ v: Int, _ n: Int) -> [UInt8] { (0..<n).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        var d: [UInt8] = Array("RIFF".utf8) + le(36 + 12, 4) + Array("WAVE".utf8)
        d += Array("fmt ".utf8) + le(16, 4) + le(1, 2) + le(2, 2) + le(8000, 4) + le(8000 * 6, 4) + le(6, 2) + le(24, 2)
        d += Array("data".utf8) + le(12, 4)
        for _ in 0..<2 { d += le(0x40_0000, 3) + le(0xE0_0000, 3) }
        let mono = try WAVFile.decode(Data(d))
        XCTAssertEqual(mono.samples, [0.125, 0.125])
        XCTAssertEqual(mono.sampleRate, 8000)
    }

    func testBadFilesNameTheProblem() throws {
        let good = tmp("good.wav")
        try WAVFile.write(tone(440, seconds: 0.05), to: good)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        let cases: [(Data, String)] = [
            (Data("hello world, not audio".utf8), "RIFF"),
            (bytes.prefix(bytes.count - 100), "truncated"),
            ({ var b = bytes; b[20] = 2; return b }(), "format code 2"),  // ADPCM
        ]
        for (data, expected) in cases {
            let path = tmp("bad.wav")
            try data.write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try WAVFile.read(path: path)) { e in
                XCTAssertTrue("\(e)".contains(expected) && "\(e)".contains(path), "\(e)")
            }
        }
        XCTAssertThrowsError(try WAVFile.read(path: tmp("missing.wav"))) { XCTAssertTrue("\($0)".contains("missing.wav")) }
    }

    func testResamplingPreservesABandLimitedTone() {
        let hi = tone(1000, seconds: 0.1, rate: 44_100)
        let lo = Resampler.resample(hi, to: 16_000)
        XCTAssertEqual(lo.samples.count, 1600)
        let expected = tone(1000, seconds: 0.1, rate: 16_000)
        for i in 200..<1400 { XCTAssertEqual(lo.samples[i], expected.samples[i], accuracy: 2e-3) }
        // A tone above the new Nyquist frequency is removed, not aliased.
        let alias = Resampler.resample(tone(12_000, seconds: 0.1, rate: 44_100), to: 16_000)
        XCTAssertLessThan(alias.samples[200..<1400].map { abs($0) }.max()!, 0.01)
    }
}
