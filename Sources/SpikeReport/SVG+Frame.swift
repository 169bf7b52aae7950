import Foundation

extension SVG {
    /// A plot area with axes: nice ticks (``AxisTicks``), grid lines, title and axis labels, and the mapping
    /// from data to pixels. The y axis can be logarithmic.
    struct Frame {
        var width = 520.0, height = 300.0, left = 62.0, right = 16.0, top = 28.0, bottom = 42.0
        var xTicks: AxisTicks
        var yTicks: AxisTicks
        var yLog = false

        /// A frame over the data ranges, widened to nice ticks (`yLog`: both y bounds must be > 0).
        init(
            x: (Double, Double), y: (Double, Double), yLog: Bool = false, width: Double = 520, height: Double = 300,
            xTarget: Int = 6
        ) {
            self.width = width
            self.height = height
            xTicks = AxisTicks(lo: x.0, hi: x.1, target: xTarget)
            yTicks = yLog ? AxisTicks(logLo: y.0, hi: y.1) : AxisTicks(lo: y.0, hi: y.1, target: 5)
            self.yLog = yLog
        }

        /// A frame whose x axis shows exactly `x` (no widening): rasters and traces over a fixed duration.
        init(exactX x: (Double, Double), y: (Double, Double), width: Double = 520, height: Double = 300) {
            self.init(x: x, y: y, width: width, height: height)
            let t = xTicks
            xTicks.values = t.values.filter { $0 >= x.0 - 1e-9 * abs(x.1 - x.0) && $0 <= x.1 + 1e-9 * abs(x.1 - x.0) }
            xTicks.lo = x.0
            xTicks.hi = x.1
        }

        var plotWidth: Double { width - left - right }
        var plotHeight: Double { height - top - bottom }

        func px(_ x: Double) -> Double { left + (x - xTicks.lo) / max(xTicks.hi - xTicks.lo, 1e-300) * plotWidth }
        func py(_ y: Double) -> Double {
            if yLog {
                let a = log10(yTicks.lo)
                let b = log10(yTicks.hi)
                return height - bottom - (log10(max(y, yTicks.lo)) - a) / max(b - a, 1e-12) * plotHeight
            }
            return height - bottom - (y - yTicks.lo) / max(yTicks.hi - yTicks.lo, 1e-300) * plotHeight
        }

        func axes(title: String, xLabel: String, yLabel: String) -> String {
            var s = SVG.text(title, x: width / 2, y: 18, size: 14, extra: " font-weight='bold'")
            for v in yTicks.values {
                let y = py(v)
                s += "<line x1='\(n(left))' x2='\(n(width - right))' y1='\(n(y))' y2='\(n(y))' stroke='#e4e4e4'/>"
                s += SVG.text(yTicks.label(v), x: left - 6, y: y + 4, anchor: "end")
            }
            for v in xTicks.values {
                let x = px(v)
                s +=
                    "<line x1='\(n(x))' x2='\(n(x))' y1='\(n(height - bottom))' y2='\(n(height - bottom + 4))' stroke='#444'/>"
                s += SVG.text(xTicks.label(v), x: x, y: height - bottom + 16)
            }
            s +=
                "<rect x='\(n(left))' y='\(n(top))' width='\(n(plotWidth))' height='\(n(plotHeight))' fill='none' stroke='#444'/>"
            s += SVG.text(xLabel, x: left + plotWidth / 2, y: height - 6, size: 12)
            s += SVG.text(
                yLabel, x: 14, y: top + plotHeight / 2, size: 12,
                extra: " transform='rotate(-90 14 \(n(top + plotHeight / 2)))'")
            return s
        }

        /// A polyline through the points that fall in the frame's x range.
        /// Values beyond the y axis run along the frame's edge (a caller that fixes the y range to leave out a
        /// saturated trace says so in the chart).
        func polyline(_ se: Series, width lineWidth: Double = 1.6) -> String {
            let yMin = top
            let yMax = height - bottom
            let pts = se.points.map { "\(n(px($0.0))),\(n(min(yMax, max(yMin, py($0.1)))))" }.joined(separator: " ")
            let dash = se.dashed ? " stroke-dasharray='5 3'" : ""
            var s = "<polyline fill='none' stroke='\(se.color)' stroke-width='\(lineWidth)'\(dash) points='\(pts)'/>"
            // a line of one or two points is hard to see: dot them
            if se.points.count <= 3 {
                for p in se.points { s += "<circle cx='\(n(px(p.0)))' cy='\(n(py(p.1)))' r='2.5' fill='\(se.color)'/>" }
            }
            return s
        }

        /// Legend entries in the top-right corner (a white box behind them so lines do not hide the text).
        /// `dash` is an SVG `stroke-dasharray` (nil: solid).
        func legend(_ entries: [(name: String, color: String, dash: String?)], corner: Corner = .topRight) -> String {
            guard !entries.isEmpty else { return "" }
            let w = Self.legendWidth(entries.map(\.name))
            let h = 6 + 14 * Double(entries.count)
            let x0 =
                corner == .outside
                ? width - right + 8 : corner == .topRight || corner == .bottomRight ? width - right - w - 6 : left + 6
            let y0 = corner == .bottomLeft || corner == .bottomRight ? height - bottom - h - 6 : top + 6
            var s =
                "<rect x='\(n(x0))' y='\(n(y0))' width='\(n(w))' height='\(n(h))' fill='#fff' fill-opacity='0.85' stroke='#ccc'/>"
            for (i, e) in entries.enumerated() {
                let y = y0 + 14 + Double(i) * 14
                let dash = e.dash.map { " stroke-dasharray='\($0)'" } ?? ""
                s +=
                    "<line x1='\(n(x0 + 4))' x2='\(n(x0 + 20))' y1='\(n(y - 4))' y2='\(n(y - 4))' stroke='\(e.color)' stroke-width='2'\(dash)/>"
                s += SVG.text(e.name, x: x0 + 24, y: y, anchor: "start")
            }
            return s
        }

        /// Vertical marker lines with their labels at the top of the plot area.
        func markers(_ ms: [Marker]) -> String {
            var s = ""
            for m in ms where m.x >= xTicks.lo && m.x <= xTicks.hi {
                let x = px(m.x)
                s +=
                    "<line x1='\(n(x))' x2='\(n(x))' y1='\(n(top))' y2='\(n(height - bottom))' stroke='\(m.color)' stroke-dasharray='4 3'/>"
                let anchor = x > left + plotWidth * 0.8 ? "end" : "start"
                // labels at the bottom, where legends are not
                s += SVG.text(
                    m.label, x: x + (anchor == "end" ? -3 : 3), y: height - bottom - 5, size: 10, anchor: anchor,
                    extra: " fill='\(m.color)'")
            }
            return s
        }

        /// Where a legend goes; `outside` is right of the plot area (widen the frame with ``widenForLegend(_:)``).
        enum Corner { case topLeft, topRight, bottomLeft, bottomRight, outside }

        static func legendWidth(_ names: [String]) -> Double { 26 + 6.5 * Double(names.map(\.count).max() ?? 0) }

        /// The inside corner where a legend of `names` covers the fewest of `points` (ties: top right, then top
        /// left, bottom right, bottom left), so that rising curves get their legend at the bottom.
        func quietestCorner(for names: [String], points: [(Double, Double)]) -> Corner {
            let w = Self.legendWidth(names) + 6
            let h = 12 + 14 * Double(names.count)
            let corners: [Corner] = [.topRight, .topLeft, .bottomRight, .bottomLeft]
            func covered(_ c: Corner) -> Int {
                let xr = c == .topRight || c == .bottomRight ? (width - right - w)...(width - right) : left...(left + w)
                let yr = c == .topRight || c == .topLeft ? top...(top + h) : (height - bottom - h)...(height - bottom)
                return points.lazy.filter { xr.contains(px($0.0)) && yr.contains(py($0.1)) }.count
            }
            return corners.min { covered($0) < covered($1) } ?? .topRight
        }

        /// Makes room right of the plot for a legend of `names`, keeping the plot area's size.
        mutating func widenForLegend(_ names: [String]) {
            let w = Self.legendWidth(names) + 14
            right += w
            width += w
        }
    }
}
