import Foundation

extension SVG {
    /// Line chart of several series with a legend (when there are two or more), optional circles at points
    /// (`points`: x, y, colour) and vertical markers. `yRange` fixes the y axis (still widened to nice ticks).
    public static func lineChart(
        title: String, xLabel: String, yLabel: String, series: [Series], yRange: (Double, Double)? = nil,
        markers: [(Double, Double, String)] = [], verticals: [Marker] = [], legend: Bool = true
    ) -> String {
        let all = series.flatMap(\.points).filter { $0.0.isFinite && $0.1.isFinite }
        let xs = all.map(\.0)
        let ys = all.map(\.1)
        let y = yRange ?? (ys.min() ?? 0, ys.max() ?? 1)
        var f = Frame(x: (xs.min() ?? 0, xs.max() ?? 1), y: y)
        // more than four lines: the legend goes right of the plot, where it hides nothing
        let outside = legend && series.count > 4
        if outside { f.widenForLegend(series.map(\.name)) }
        var s = f.axes(title: title, xLabel: xLabel, yLabel: yLabel)
        s += f.markers(verticals)
        for se in series where !se.points.isEmpty { s += f.polyline(se) }
        for (x, y, c) in markers {
            let cy = min(f.height - f.bottom, max(f.top, f.py(y)))
            s += "<circle cx='\(n(f.px(x)))' cy='\(n(cy))' r='4' fill='none' stroke='\(c)' stroke-width='2'/>"
        }
        if legend && series.count > 1 {
            // points along the lines too, so that a legend does not sit on a segment between two far points
            let dense = series.flatMap { se in
                zip(se.points, se.points.dropFirst()).flatMap { a, b in
                    (0..<8).map { k in
                        let t = Double(k) / 8
                        return (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))
                    }
                } + se.points.suffix(1)
            }
            let names = series.map(\.name)
            let corner = outside ? .outside : f.quietestCorner(for: names, points: dense)
            s += f.legend(series.map { ($0.name, $0.color, $0.dashed ? "5 3" : nil) }, corner: corner)
        }
        return wrap(s, width: f.width, height: f.height)
    }

    /// Spike raster: one dot per (time, neuron); `neuronLabel` names the y axis (neuron, input channel).
    public static func raster(
        title: String, spikes: [(Double, Int)], neurons: Int, duration: Double, xLabel: String,
        neuronLabel: String = "neuron", color: String = "#222"
    ) -> String {
        var f = Frame(exactX: (0, max(duration, 1e-12)), y: (0, Double(max(neurons, 1))), height: 260)
        f.yTicks = AxisTicks(lo: 0, hi: Double(max(neurons, 1)), target: 4)
        f.yTicks.values = f.yTicks.values.filter { $0 <= Double(neurons) }
        f.yTicks.hi = Double(max(neurons, 1))
        var s = f.axes(title: title, xLabel: xLabel, yLabel: neuronLabel)
        let h = max(2, min(3, f.plotHeight / Double(max(neurons, 1))))
        for (t, k) in spikes {
            s +=
                "<rect x='\(n(f.px(t) - 1.5))' y='\(n(f.py(Double(k) + 0.5) - h / 2))' width='3' height='\(n(h))' fill='\(color)'/>"
        }
        return wrap(s, width: f.width, height: f.height)
    }

    /// Histogram of values with `bins` equal bins (over `range`, or the data's range).
    public static func histogram(
        title: String, values: [Double], bins: Int, xLabel: String, color: String = "#1f77b4",
        range: (Double, Double)? = nil
    ) -> String {
        let h = Histogram(values, bins: bins, range: range.map { $0.0...max($0.0, $0.1) })
        return histogram(h, title: title, xLabel: xLabel, color: color)
    }

    /// Bars of a ``Histogram`` with vertical `limits` (e.g. the chip's ±63 weight range). Values outside the
    /// histogram's range are stated under the title, never dropped silently.
    public static func histogram(
        _ h: Histogram, title: String, xLabel: String, color: String = "#1f77b4", limits: [Marker] = [],
        yLog: Bool = false, width: Double = 520
    ) -> String {
        let top = Double(max(1, h.counts.max() ?? 1))
        var f = Frame(x: (h.lo, h.hi), y: (yLog ? 0.8 : 0, top), yLog: yLog, width: width)
        // the bars fill the histogram's own range, not a widened one
        let ticks = f.xTicks.values.filter { $0 >= h.lo && $0 <= h.hi }
        f.xTicks.lo = h.lo
        f.xTicks.hi = h.hi
        f.xTicks.values = ticks
        var s = f.axes(title: title, xLabel: xLabel, yLabel: yLog ? "count (log)" : "count")
        for (i, c) in h.counts.enumerated() where c > 0 {
            let xa = f.px(h.edge(i))
            let xb = f.px(h.edge(i + 1))
            let y = f.py(Double(c))
            let w = max(0.6, xb - xa - (xb - xa > 3 ? 1 : 0))
            s +=
                "<rect x='\(n(xa))' y='\(n(y))' width='\(n(w))' height='\(n(f.py(yLog ? f.yTicks.lo : 0) - y))' fill='\(color)'/>"
        }
        s += f.markers(limits)
        var outside: [String] = []
        if h.below > 0 { outside.append("\(h.below) below \(f.xTicks.label(h.lo))") }
        if h.above > 0 { outside.append("\(h.above) above \(f.xTicks.label(h.hi))") }
        if !outside.isEmpty {
            s += text(
                "not shown: " + outside.joined(separator: ", "), x: f.width - f.right, y: f.top - 4, size: 10,
                anchor: "end", extra: " fill='#d62728'")
        }
        return wrap(s, width: f.width, height: f.height)
    }

    /// Confusion matrix as a heat map with counts; rows are labelled with `classNames` when given (columns carry
    /// the class numbers only, to stay narrow).
    public static func confusion(title: String, matrix: [[Int]], classNames: [String] = []) -> String {
        let k = matrix.count
        let cell = k > 12 ? 24.0 : 32.0
        let top = 40.0
        let names = (0..<k).map { r in r < classNames.count ? "\(r) \(classNames[r])" : "\(r)" }
        let left = 24 + 6.2 * Double(names.map(\.count).max() ?? 1)
        let maxV = Double(matrix.flatMap { $0 }.max() ?? 1)
        let width = max(left + cell * Double(k) + 20, 280)
        var s = text(title, x: width / 2, y: 18, size: 14, extra: " font-weight='bold'")
        for r in 0..<k {
            s += text(names[r], x: left - 6, y: top + cell * (Double(r) + 0.62), anchor: "end")
            s += text("\(r)", x: left + cell * (Double(r) + 0.5), y: top + cell * Double(k) + 14)
            for c in 0..<k {
                let v = Double(matrix[r][c])
                let a = maxV > 0 ? sqrt(v / maxV) : 0
                s +=
                    "<rect x='\(n(left + cell * Double(c)))' y='\(n(top + cell * Double(r)))' width='\(n(cell))' height='\(n(cell))' fill='rgba(31,119,180,\(String(format: "%.3f", a)))' stroke='#fff'/>"
                if v > 0 {
                    s += text(
                        "\(Int(v))", x: left + cell * (Double(c) + 0.5), y: top + cell * (Double(r) + 0.62),
                        size: k > 12 ? 8 : 9, extra: " fill='\(a > 0.6 ? "#fff" : "#000")'")
                }
            }
        }
        s += text("predicted class", x: left + cell * Double(k) / 2, y: top + cell * Double(k) + 32, size: 12)
        s += text(
            "true class", x: 12, y: top + cell * Double(k) / 2, size: 12,
            extra: " transform='rotate(-90 12 \(n(top + cell * Double(k) / 2)))'")
        return wrap(s, width: width, height: top + cell * Double(k) + 44)
    }

    /// Vertical bars with a label under each (e.g. accuracy of software, copied weights and in-the-loop training).
    public static func bars(
        title: String, yLabel: String, bars: [(label: String, value: Double, color: String)],
        yRange: (Double, Double)? = nil, valueFormat: String = "%.1f"
    ) -> String {
        let vs = bars.map(\.value)
        let f = Frame(x: (0, Double(max(1, bars.count))), y: yRange ?? (0, vs.max() ?? 1), width: 360)
        var noX = f
        noX.xTicks.values = []
        var s = noX.axes(title: title, xLabel: "", yLabel: yLabel)
        let slot = f.plotWidth / Double(max(1, bars.count))
        for (i, b) in bars.enumerated() {
            let x = f.left + slot * (Double(i) + 0.2)
            let y = f.py(b.value)
            s +=
                "<rect x='\(n(x))' y='\(n(y))' width='\(n(slot * 0.6))' height='\(n(f.py(f.yTicks.lo) - y))' fill='\(b.color)'/>"
            s += text(
                String(format: valueFormat, b.value), x: x + slot * 0.3, y: y - 4, size: 12,
                extra: " font-weight='bold'")
            s += text(b.label, x: x + slot * 0.3, y: f.height - f.bottom + 16)
        }
        return wrap(s, width: f.width, height: f.height)
    }
}
