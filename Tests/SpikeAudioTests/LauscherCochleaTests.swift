import Foundation
import XCTest
@testable import SpikeAudio

/// The SHD chain's pieces against values from the Python reference (scipy 1.17 / lauscher 1.0.1, printed by the
/// snippets in docs/COCHLEA-LAUSCHER.md); the whole chain against lauscher's spikes is SpikeRunTests'
/// LauscherReferenceTests.
final class LauscherCochleaTests: XCTestCase {
    func testHankelFunctionMatchesSciPy() {
        // (Re z, Im z, Re H0^(1)(z), Im H0^(1)(z)) from scipy.special.hankel1(0, z), both sides of the |z| = 10 switch.
        let golden: [(Double, Double, Double, Double)] = [
            (0.5, 0.1, 0.7951229363876343, -0.4565264817951536), (3.0, 0.0, -0.2600519549019336, 0.37685001001279056),
            (9.9, 2.0, -0.030908818571510375, 0.01386585981756906), (10.1, 2.0, -0.0327503894270523, 0.007308610540393951),
            (14.0, 14.0, 1.4378316064795155e-07, 3.690099424500524e-08),
            (16.7, 52.8, -1.1425710603060834e-24, 5.1884786016111805e-25),
            (10.8, 72.7, -2.4639034112754064e-33, 3.023024209533084e-34), (0.001, 0.0, 0.9999997500000157, -4.471416611375924),
            (2.0, 9.0, 2.7533531785082456e-05, 1.6350086596277062e-05), (0.02, 0.0, 0.9999000024999721, -2.563955409592736),
        ]
        for (x, y, re, im) in golden {
            let h = LauscherFilterBank.hankel0(x, y)
            let error = hypot(h.re - re, h.im - im) / hypot(re, im)
            XCTAssertLessThan(error, 1e-7, "H0(\(x)+\(y)i) = \(h), scipy (\(re), \(im))")
        }
    }

    func testMembraneVelocityMatchesLauscher() {
        // (f Hz, place cm, Re V, Im V) from lauscher's BasilarMembrane()._v(2πf, place).
        let golden: [(Double, Double, Double, Double)] = [
            (100, 3.5, 164.3949136381742, -150.521353375793), (1000, 2.0, -6.703915508639889, -169.94807922198248),
            (4490, 1.0, -90.83696914947978, 38.145971315411884), (8000, 0.0, 15.854634199869876, 2.631774128819183),
            (22508, 0.0, -9.979016095447074, 266.1074628253415), (300, 0.5, 0.3440614919131607, 0.6801239459142343),
            (3000, 3.0, -1.8686587931507943e-11, -9.451304290443496e-12), (50, 1.75, -0.081223891351711, 0.9322516113999084),
        ]
        for (f, x, re, im) in golden {
            let v = LauscherFilterBank.velocity(LauscherParameters(), frequency: f, place: x)
            XCTAssertLessThan(hypot(v.re - re, v.im - im) / hypot(re, im), 1e-6, "V(\(f) Hz, \(x) cm) = \(v), lauscher (\(re), \(im))")
        }
    }

    func testChannelZeroIsTheBase() throws {
        // A 4 kHz tone excites channels near the base (low indices), a 200 Hz tone channels near the apex.
        var p = LauscherParameters()
        p.channels = 50
        let cochlea = try LauscherCochlea(p)
        let rate = 16_000.0
        func peak(_ f: Double) -> Int {
            let clip = AudioClip(samples: (0..<4000).map { Float(0.3 * sin(2 * Double.pi * f * Double($0) / rate)) }, sampleRate: rate)
            let energy = cochlea.membrane(clip, channels: Array(0..<50)).map { $0.reduce(0) { $0 + Double($1 * $1) } }
            return energy.indices.max { energy[$0] < energy[$1] }!
        }
        let high = peak(4000), low = peak(200)
        XCTAssertLessThan(high, 20, "4 kHz peaks at channel \(high) of 50")
        XCTAssertGreaterThan(low, 35, "200 Hz peaks at channel \(low) of 50")
        // The kept window holds the anti-causal impulse responses (the base's, beyond Nyquist at 16 kHz, least).
        let kept = cochlea.filterBank(sampleRate: rate).keptEnergy
        XCTAssertGreaterThan(kept.min()!, 0.99)
        XCTAssertGreaterThan(kept.sorted()[kept.count / 2], 0.9999)
    }

    func testConversionIsSeededAndThreadIndependent() throws {
        var p = LauscherParameters()
        p.channels = 40
        let cochlea = try LauscherCochlea(p)
        let rate = 22_050.0
        let clip = AudioClip(samples: (0..<6000).map { Float(sin(2 * Double.pi * 700 * Double($0) / rate)) }, sampleRate: rate)
        let a = cochlea.convert(clip, seed: 3, threads: 1), b = cochlea.convert(clip, seed: 3, threads: 2)
        let c = cochlea.convert(clip, seed: 4, threads: 1)
        XCTAssertGreaterThan(a.times.count, 50)
        XCTAssertEqual(a.times, b.times)
        XCTAssertEqual(a.units, b.units)
        XCTAssertNotEqual(a.times, c.times)
        // lauscher's time grid: samples of the half-rate output, n/(fs // 2).
        XCTAssertTrue(a.times.allSatisfy { abs(($0 * 11_025).rounded() - $0 * 11_025) < 1e-6 })
        XCTAssertEqual(zip(a.times, a.times.dropFirst()).allSatisfy { $0 <= $1 }, true)
    }

    func testCheckedConversionRefusesBadClips() throws {
        var p = LauscherParameters()
        p.channels = 16
        let cochlea = try LauscherCochlea(p)
        let cases: [(String, AudioClip, Double, Int)] = [
            ("empty", AudioClip(samples: [], sampleRate: 16_000), 60, 1 << 30),
            ("nan", AudioClip(samples: [0, .nan, 0], sampleRate: 16_000), 60, 1 << 30),
            ("rate 2 kHz", AudioClip(samples: [0, 0.1, 0], sampleRate: 2_000), 60, 1 << 30),
            ("too long", AudioClip(samples: [Float](repeating: 0.1, count: 32_000), sampleRate: 16_000), 1, 1 << 30),
            ("over budget", AudioClip(samples: [Float](repeating: 0.1, count: 32_000), sampleRate: 16_000), 60, 1_000),
        ]
        for (name, clip, seconds, budget) in cases {
            XCTAssertThrowsError(
                try cochlea.convert(clip, source: "\(name).wav", seed: 0, threads: 1, maxSeconds: seconds, budget: budget),
                name
            ) { XCTAssertTrue("\($0)".contains("\(name).wav"), "\(name): \($0)") }
        }
        let fine = AudioClip(samples: (0..<1600).map { Float(sin(Double($0) * 0.3)) }, sampleRate: 16_000)
        XCTAssertNoThrow(try cochlea.convert(fine, source: "ok.wav", seed: 0, threads: 1, maxSeconds: 60, budget: 1 << 30))
    }
}
