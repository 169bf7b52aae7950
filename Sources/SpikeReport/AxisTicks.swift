import Foundation

/// Axis ticks a reader can take in at a glance: multiples of 1, 2 or 5 × 10ᵏ on linear axes, and powers of ten
/// (with 2 and 5 between them when fewer than three decades are shown) on logarithmic axes.
///
/// Ticks at equal fifths of the data range read as 5.75 or 62/123/184; the 1-2-5 steps give 0/50/100/150 instead
/// (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990). The axis domain is widened to the
/// outermost ticks, so every tick lies on the frame.
///
/// ```swift
/// let t = AxisTicks(lo: 0, hi: 184)   // values [0, 50, 100, 150, 200], domain 0...200
/// ```
public struct AxisTicks: Equatable, Sendable {
    /// Tick positions, ascending, in data units.
    public var values: [Double]
    /// The widened axis range (the first and last tick for linear axes).
    public var lo: Double
    public var hi: Double
    /// The spacing of linear ticks (0 for logarithmic axes); it sets the decimals of the labels.
    public var step: Double

    /// Linear ticks covering `lo...hi`: about `target` intervals of a nice step.
    /// - Complexity: O(number of ticks).
    public init(lo: Double, hi: Double, target: Int = 5) {
        var a = lo.isFinite ? lo : 0
        var b = hi.isFinite ? hi : 1
        if a > b { swap(&a, &b) }
        if b - a < 1e-12 * max(1, abs(a)) {
            // one value: a unit-wide (or value-wide) range around it
            let pad = a == 0 ? 1 : abs(a) * 0.5
            a -= pad
            b += pad
        }
        let step = Self.niceStep((b - a) / Double(max(1, target)))
        // the tolerance keeps a bound that is a multiple of the step from adding a tick beyond it
        let first = (a / step + 1e-9).rounded(.down)
        let last = (b / step - 1e-9).rounded(.up)
        values = stride(from: first, through: last, by: 1).map { Self.clean($0 * step, step: step) }
        self.lo = values.first ?? a
        self.hi = values.last ?? b
        self.step = step
    }

    /// Logarithmic ticks covering `lo...hi` (both > 0): powers of ten, plus 2× and 5× when the range spans fewer
    /// than three decades. The domain is widened to whole decades.
    public init(logLo lo: Double, hi: Double) {
        let a = max(lo, 1e-300)
        let b = max(hi, a)
        let d0 = floor(log10(a) + 1e-9)
        let d1 = max(d0 + 1, ceil(log10(b) - 1e-9))
        let mantissas: [Double] = d1 - d0 < 3 ? [1, 2, 5] : [1]
        var v: [Double] = []
        for d in Int(d0)...Int(d1) {
            for m in mantissas where d < Int(d1) || m == 1 { v.append(m * pow(10, Double(d))) }
        }
        values = v
        self.lo = pow(10, d0)
        self.hi = pow(10, d1)
        step = 0
    }

    /// The 1, 2 or 5 × 10ᵏ nearest to `raw` (on a log scale: cut points 1.5, 3 and 7, Heckbert's "rounded" nice
    /// number), so that the tick count stays between about `target/1.5` and `1.5·target`.
    public static func niceStep(_ raw: Double) -> Double {
        guard raw.isFinite, raw > 0 else { return 1 }
        let p = pow(10, floor(log10(raw)))
        let f = raw / p
        let m: Double = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10
        return m * p
    }

    /// Removes floating-point dust (0.30000000000000004 → 0.3) by rounding to a fraction of the step.
    static func clean(_ v: Double, step: Double) -> Double {
        let q = step / 1000
        let r = (v / q).rounded() * q
        return abs(r) < q ? 0 : r
    }

    /// The label of tick `v`: as many decimals as the step needs (0.2 → one), scientific notation for very
    /// large or very small values, and 1k-style suffixes nowhere (they hide magnitudes in a results figure).
    public func label(_ v: Double) -> String {
        Self.label(v, step: step)
    }

    /// Label of `v` on an axis with tick spacing `step` (0: logarithmic axis).
    public static func label(_ v: Double, step: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e6 || a < 1e-4 { return scientific(v) }
        if step == 0 {
            // log axis: the value's own significant digit
            let decimals = max(0, Int(-floor(log10(a) + 1e-9)))
            return String(format: "%.\(decimals)f", v)
        }
        let decimals = max(0, Int(-floor(log10(step) + 1e-9)))
        if decimals > 4 { return scientific(v) }
        return String(format: "%.\(decimals)f", v)
    }

    /// `2.5e-5`-style label with no trailing zeros.
    static func scientific(_ v: Double) -> String {
        var s = String(format: "%.2e", v)
        // 2.50e-05 → 2.5e-5
        if let e = s.firstIndex(of: "e") {
            var mantissa = String(s[..<e])
            var exponent = String(s[s.index(after: e)...])
            while mantissa.contains(".") && (mantissa.hasSuffix("0") || mantissa.hasSuffix(".")) {
                mantissa.removeLast()
            }
            let negative = exponent.hasPrefix("-")
            exponent = String(exponent.drop { $0 == "-" || $0 == "+" || $0 == "0" })
            s = mantissa + "e" + (negative ? "-" : "") + (exponent.isEmpty ? "0" : exponent)
        }
        return s
    }
}
