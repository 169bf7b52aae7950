import Foundation
import SpikeReport
import Testing

@Suite struct HistogramTests {
    @Test("values land in half-open bins, the upper bound in the last bin")
    func edges() {
        let h = Histogram([0, 0.999, 1, 2.5, 4, 4], bins: 4, range: 0...4)
        #expect(h.counts == [2, 1, 1, 2] && h.below == 0 && h.above == 0 && h.total == 6)
        #expect(h.edge(0) == 0 && h.edge(4) == 4 && h.binWidth == 1)
    }

    @Test("values outside the range and NaN are counted apart, never in a bin")
    func outside() {
        let h = Histogram([-1, 0.5, 2, 7, .nan, .infinity], bins: 2, range: 0...2)
        #expect(h.counts == [1, 1] && h.below == 1 && h.above == 1 && h.nonFinite == 2)
    }

    @Test("without a range the bins span the finite data; one repeated value still gets a bin")
    func dataRange() {
        let h = Histogram([3, 5, 7], bins: 2)
        #expect(h.lo == 3 && h.hi == 7 && h.counts == [1, 2])
        let one = Histogram([2, 2, 2], bins: 3)
        #expect(one.total == 3 && one.lo < 2 && one.hi > 2)
    }

    @Test("integer bins hold one code each, so ±63 and the codes beyond are told apart")
    func integers() {
        let codes: [Double] = [-63.4, -63, 0.4, -0.4, 62.6, 63.49, 64, 70.2, 75]
        let h = Histogram(integers: codes, lo: -70, hi: 70)
        #expect(h.binCount == 141 && h.binWidth == 1)
        func count(_ code: Int) -> Int { h.counts[code + 70] }
        #expect(count(-63) == 2 && count(0) == 2 && count(63) == 2 && count(64) == 1 && count(70) == 1)
        #expect(h.above == 1 && h.below == 0)
    }

    @Test("the sum of the counts and the outside counts is the number of values", arguments: [0, 1, 7, 8, 9, 1000])
    func conservation(n: Int) {
        var rng = SplitMix64(seed: 0x5EED)
        let values = (0..<n).map { _ in Double.random(in: -2...2, using: &rng) }
        let h = Histogram(values, bins: 7, range: -1...1)
        #expect(h.total + h.below + h.above + h.nonFinite == n)
    }
}
