import Foundation
import SpikeReport
import Testing

@Suite struct AxisTicksTests {
    @Test(
        "linear ticks are 1-2-5 multiples that cover the data",
        arguments: [
            (0.0, 184.0, [0.0, 50, 100, 150, 200]),
            (0.0, 5.75, [0.0, 1, 2, 3, 4, 5, 6]),
            (0.0, 100.0, [0.0, 20, 40, 60, 80, 100]),
            (0.0, 32.3, [0.0, 5, 10, 15, 20, 25, 30, 35]),
            (-0.5, 1.6, [-0.5, 0, 0.5, 1, 1.5, 2]),
            (0.00056, 0.001, [0.0005, 0.0006, 0.0007, 0.0008, 0.0009, 0.001]),
            (-63.0, 63.0, [-80.0, -60, -40, -20, 0, 20, 40, 60, 80]),
        ])
    func linear(lo: Double, hi: Double, expected: [Double]) {
        let t = AxisTicks(lo: lo, hi: hi)
        #expect(t.values.count == expected.count, "\(t.values)")
        for (a, b) in zip(t.values, expected) { #expect(abs(a - b) <= 1e-12 * max(1, abs(b)), "\(t.values)") }
        #expect(t.lo <= lo && t.hi >= hi && t.lo == t.values.first && t.hi == t.values.last)
    }

    @Test("every step is 1, 2 or 5 times a power of ten, for ranges from 1e-6 to 1e6")
    func steps() {
        var rng = SplitMix64(seed: 0x5EED)
        for _ in 0..<2000 {
            let lo = Double.random(in: -1e3...1e3, using: &rng) * pow(10, Double(Int.random(in: -6...3, using: &rng)))
            let span = pow(10, Double.random(in: -6...6, using: &rng))
            let t = AxisTicks(lo: lo, hi: lo + span)
            let mantissa = t.step / pow(10, floor(log10(t.step)))
            #expect([1.0, 2, 5].contains { abs(mantissa - $0) < 1e-9 }, "step \(t.step)")
            #expect((3...12).contains(t.values.count), "\(t.values.count) ticks for \(lo)...\(lo + span)")
            #expect(t.lo <= lo + 1e-9 * span && t.hi >= lo + span - 1e-9 * span)
        }
    }

    @Test("a single value gets a range around it instead of a zero-width axis")
    func degenerate() {
        let t = AxisTicks(lo: 3, hi: 3)
        #expect(t.lo < 3 && t.hi > 3 && t.values.count >= 3)
        let z = AxisTicks(lo: 0, hi: 0)
        #expect(z.lo < 0 && z.hi > 0)
    }

    @Test("labels carry the decimals the step needs and no floating-point dust")
    func labels() {
        let t = AxisTicks(lo: 0, hi: 0.3)
        #expect(t.values.map(t.label) == ["0", "0.05", "0.10", "0.15", "0.20", "0.25", "0.30"])
        #expect(
            AxisTicks(lo: 0, hi: 184).values.map(AxisTicks(lo: 0, hi: 184).label) == ["0", "50", "100", "150", "200"])
        #expect(AxisTicks.label(2.5e-5, step: 5e-6) == "2.5e-5")
        #expect(AxisTicks.label(3e6, step: 1e6) == "3e6")
        #expect(!AxisTicks(lo: 0.1, hi: 0.7).values.map(AxisTicks(lo: 0.1, hi: 0.7).label).contains { $0.count > 4 })
    }

    @Test("log ticks are decades, with 2 and 5 between them over short ranges")
    func logarithmic() {
        let wide = AxisTicks(logLo: 0.003, hi: 42)
        #expect(wide.values == [0.001, 0.01, 0.1, 1, 10, 100] && wide.lo == 0.001 && wide.hi == 100)
        let short = AxisTicks(logLo: 0.2, hi: 4)
        #expect(short.lo == 0.1 && short.hi == 10)
        #expect(short.values.count == 7, "\(short.values)")
        #expect(short.values.map(short.label) == ["0.1", "0.2", "0.5", "1", "2", "5", "10"])
    }
}
