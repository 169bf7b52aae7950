import Foundation

/// One neuron's membrane on two substrates for the same input: the software simulation and the chip's ADC
/// recording, with the range the chip's 8-bit ADC can represent on that neuron's channel.
public struct MembraneTrace: Sendable {
    public var name: String
    public var color: String
    /// (time, membrane) from the software substrate, model units.
    public var software: [Double]
    /// The chip's recording of the same neuron (normalized ADC samples, model units).
    public var chip: [Double]
    /// Lowest and highest membrane the ADC channel can report (codes 0 and 2ᵇ − 1 after normalization).
    public var adcRange: ClosedRange<Double>

    public init(name: String, color: String, software: [Double], chip: [Double], adcRange: ClosedRange<Double>) {
        self.name = name
        self.color = color
        self.software = software
        self.chip = chip
        self.adcRange = adcRange
    }

    /// Indices of chip samples at the ADC's lowest or highest code: the true membrane may lie beyond them.
    /// `tolerance` absorbs the Float rounding of the normalization (a code is 1/120 of the threshold apart).
    public static func saturatedSamples(_ values: [Double], range: ClosedRange<Double>, tolerance: Double = 1e-3)
        -> [Int]
    {
        values.indices.filter {
            values[$0] <= range.lowerBound + tolerance || values[$0] >= range.upperBound - tolerance
        }
    }

    public var saturated: [Int] { Self.saturatedSamples(chip, range: adcRange) }
}

extension SVG {
    /// Software (dashed) and chip (solid) membranes of the same neurons overlaid, each neuron's ADC range as
    /// dotted lines in its colour (each channel has its own: the recording is normalized with the neuron's
    /// measured leak and threshold codes), the region beyond every shown channel's range shaded grey, and
    /// saturated chip samples marked with red crosses. `threshold` draws the firing threshold (hidden neurons);
    /// `dt` converts sample indices to the x unit.
    public static func membraneOverlay(
        title: String, traces: [MembraneTrace], dt: Double, xLabel: String, threshold: Double? = nil
    ) -> String {
        let values = traces.flatMap { $0.software + $0.chip }.filter(\.isFinite) + (threshold.map { [$0] } ?? [])
        var lo = values.min() ?? 0
        var hi = values.max() ?? 1
        // show an ADC bound when it is near the data (within half the data's span), so that a channel with a
        // wide range does not squash the traces
        let reach = max(hi - lo, 0.5) * 0.5
        for b in traces.flatMap({ [$0.adcRange.lowerBound, $0.adcRange.upperBound] }) where b.isFinite {
            if b < lo && b >= lo - reach { lo = b }
            if b > hi && b <= hi + reach { hi = b }
        }
        let steps = traces.map { max($0.software.count, $0.chip.count) }.max() ?? 1
        var f = Frame(
            exactX: (0, Double(max(1, steps - 1)) * dt), y: (lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)), height: 320)
        var legend: [(name: String, color: String, dash: String?)] = traces.map { ($0.name, $0.color, nil) }
        legend += [
            ("chip (solid)", "#444", nil), ("software (dashed)", "#444", "5 3"), ("ADC range (dotted)", "#444", "1 3"),
        ]
        f.widenForLegend(legend.map(\.0))
        var s = f.axes(title: title, xLabel: xLabel, yLabel: "membrane (threshold units)")
        s += adcShading(f, traces: traces)
        if let th = threshold {
            s +=
                "<line x1='\(n(f.left))' x2='\(n(f.width - f.right))' y1='\(n(f.py(th)))' y2='\(n(f.py(th)))' stroke='#999' stroke-dasharray='2 2'/>"
            s += text(
                "threshold", x: f.width - f.right - 4, y: f.py(th) - 3, size: 10, anchor: "end", extra: " fill='#777'")
        }
        var saturatedCount = 0
        for tr in traces {
            let sw = tr.software.enumerated().map { (Double($0.offset) * dt, $0.element) }
            let chip = tr.chip.enumerated().map { (Double($0.offset) * dt, $0.element) }
            s += f.polyline(Series(name: tr.name, points: sw, color: tr.color, dashed: true), width: 1.4)
            s += f.polyline(Series(name: tr.name, points: chip, color: tr.color), width: 1.8)
            for i in tr.saturated {
                let x = f.px(Double(i) * dt)
                let y = f.py(tr.chip[i])
                s +=
                    "<path d='M\(n(x - 3)) \(n(y - 3))L\(n(x + 3)) \(n(y + 3))M\(n(x - 3)) \(n(y + 3))L\(n(x + 3)) \(n(y - 3))' stroke='#d62728' stroke-width='1.6'/>"
                saturatedCount += 1
            }
        }
        s += f.legend(legend, corner: .outside)
        if saturatedCount > 0 {
            s += text(
                "× \(saturatedCount) saturated ADC samples", x: f.width - f.right, y: f.top - 4, size: 10,
                anchor: "end", extra: " fill='#d62728'")
        }
        return wrap(s, width: f.width, height: f.height)
    }

    /// Dotted per-channel ADC bounds inside the frame, and grey beyond the widest of them.
    private static func adcShading(_ f: Frame, traces: [MembraneTrace]) -> String {
        var s = ""
        let yTop = f.top
        let yBottom = f.height - f.bottom
        for tr in traces {
            for b in [tr.adcRange.lowerBound, tr.adcRange.upperBound] {
                let y = f.py(b)
                guard y > yTop + 0.5 && y < yBottom - 0.5 else { continue }
                s +=
                    "<line x1='\(n(f.left))' x2='\(n(f.width - f.right))' y1='\(n(y))' y2='\(n(y))' stroke='\(tr.color)' stroke-dasharray='1 3' stroke-width='1.5'/>"
            }
        }
        let high = traces.map(\.adcRange.upperBound).max() ?? .infinity
        let low = traces.map(\.adcRange.lowerBound).min() ?? -.infinity
        let yHigh = f.py(min(high, f.yTicks.hi))
        let yLow = f.py(max(low, f.yTicks.lo))
        if high < f.yTicks.hi && yHigh > yTop {
            s +=
                "<rect x='\(n(f.left))' y='\(n(yTop))' width='\(n(f.plotWidth))' height='\(n(yHigh - yTop))' fill='#000' fill-opacity='0.08'/>"
            s += text(
                "above the ADC range (top code)", x: f.left + 4, y: yTop + 12, size: 10, anchor: "start",
                extra: " fill='#555'")
        }
        if low > f.yTicks.lo && yLow < yBottom {
            s +=
                "<rect x='\(n(f.left))' y='\(n(yLow))' width='\(n(f.plotWidth))' height='\(n(yBottom - yLow))' fill='#000' fill-opacity='0.08'/>"
            s += text(
                "below the ADC range (code 0)", x: f.left + 4, y: yBottom - 4, size: 10, anchor: "start",
                extra: " fill='#555'")
        }
        return s
    }
}
