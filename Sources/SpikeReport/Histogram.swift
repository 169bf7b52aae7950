import Foundation

/// Counts of values in equal-width bins over a fixed range, with what fell outside counted apart.
///
/// Bin `i` holds `edges[i] ≤ v < edges[i+1]`; the last bin also holds `v == hi`. Values below `lo` or above `hi`
/// are counted in ``below`` and ``above`` (and drawn in the end bins by ``SVG/histogram(_:title:xLabel:color:limits:)``
/// only when the caller says so), so a histogram never hides an outlier silently. NaN is skipped and counted in
/// ``nonFinite``.
public struct Histogram: Equatable, Sendable {
    public var lo: Double
    public var hi: Double
    public var counts: [Int]
    public var below = 0
    public var above = 0
    public var nonFinite = 0

    /// `bins` equal bins over `range`, or over the finite values' min...max when `range` is nil.
    /// - Complexity: O(values.count).
    public init(_ values: [Double], bins: Int, range: ClosedRange<Double>? = nil) {
        precondition(bins > 0, "a histogram needs at least one bin, got \(bins)")
        let finite = values.filter(\.isFinite)
        var lo = range?.lowerBound ?? finite.min() ?? 0
        var hi = range?.upperBound ?? finite.max() ?? 1
        if hi - lo < 1e-12 {
            lo -= 0.5
            hi += 0.5
        }
        self.lo = lo
        self.hi = hi
        counts = Array(repeating: 0, count: bins)
        nonFinite = values.count - finite.count
        let width = (hi - lo) / Double(bins)
        for v in finite {
            if v < lo {
                below += 1
            } else if v > hi {
                above += 1
            } else {
                counts[min(bins - 1, Int((v - lo) / width))] += 1
            }
        }
    }

    /// One bin per integer from `lo` to `hi` (bin edges at k ± 0.5): the histogram of quantized values such as
    /// 6-bit weight codes, where equal-width bins over a real range would merge or split codes.
    public init(integers values: [Double], lo: Int, hi: Int) {
        precondition(hi >= lo, "integer histogram range \(lo)...\(hi) is empty")
        self.init(values.map { $0.rounded() }, bins: hi - lo + 1, range: Double(lo) - 0.5...Double(hi) + 0.5)
    }

    public var binCount: Int { counts.count }
    public var binWidth: Double { (hi - lo) / Double(counts.count) }
    /// Lower edge of bin `i` (`i == binCount` gives `hi`).
    public func edge(_ i: Int) -> Double { lo + binWidth * Double(i) }
    /// Values counted in a bin (not below, above or non-finite).
    public var total: Int { counts.reduce(0, +) }
}
