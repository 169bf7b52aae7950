import Foundation

/// Minimal SVG chart builders for self-contained reports (no JavaScript, viewable offline).
public enum SVG {
    public struct Series {
        public var name: String
        public var points: [(Double, Double)]
        public var color: String
        public init(name: String, points: [(Double, Double)], color: String) {
            self.name = name
            self.points = points
            self.color = color
        }
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
    public static func color(_ i: Int) -> String { palette[i % palette.count] }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    static func fmt(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1000 || a < 0.01 { return String(format: "%.2g", v) }
        if a >= 10 { return String(format: "%.0f", v) }
        return String(format: "%.2f", v)
    }

    /// Axes with ticks for data ranges, returning the frame's mapping.
    struct Frame {
        var width = 520.0, height = 300.0, left = 58.0, right = 16.0, top = 28.0, bottom = 42.0
        var x0: Double, x1: Double, y0: Double, y1: Double
        func px(_ x: Double) -> Double { left + (x - x0) / max(x1 - x0, 1e-12) * (width - left - right) }
        func py(_ y: Double) -> Double { height - bottom - (y - y0) / max(y1 - y0, 1e-12) * (height - top - bottom) }

        func axes(title: String, xLabel: String, yLabel: String) -> String {
            var s = "<text x='\(width / 2)' y='18' text-anchor='middle' font-size='14' font-weight='bold'>\(escape(title))</text>"
            s += "<rect x='\(left)' y='\(top)' width='\(width - left - right)' height='\(height - top - bottom)' fill='none' stroke='#444'/>"
            for k in 0...4 {
                let xv = x0 + (x1 - x0) * Double(k) / 4
                let yv = y0 + (y1 - y0) * Double(k) / 4
                s += "<text x='\(px(xv))' y='\(height - bottom + 16)' text-anchor='middle' font-size='11'>\(fmt(xv))</text>"
                s += "<text x='\(left - 6)' y='\(py(yv) + 4)' text-anchor='end' font-size='11'>\(fmt(yv))</text>"
                s += "<line x1='\(left)' x2='\(width - right)' y1='\(py(yv))' y2='\(py(yv))' stroke='#ddd'/>"
            }
            s += "<text x='\(width / 2)' y='\(height - 6)' text-anchor='middle' font-size='12'>\(escape(xLabel))</text>"
            s += "<text x='14' y='\(height / 2)' text-anchor='middle' font-size='12' transform='rotate(-90 14 \(height / 2))'>\(escape(yLabel))</text>"
            return s
        }
    }

    static func wrap(_ body: String, width: Double, height: Double) -> String {
        "<svg xmlns='http://www.w3.org/2000/svg' width='\(Int(width))' height='\(Int(height))' viewBox='0 0 \(Int(width)) \(Int(height))' font-family='sans-serif'>\(body)</svg>"
    }

    /// Line chart of several series with a legend.
    public static func lineChart(title: String, xLabel: String, yLabel: String, series: [Series], yRange: (Double, Double)? = nil, markers: [(Double, Double, String)] = []) -> String {
        let all = series.flatMap(\.points)
        let xs = all.map(\.0), ys = all.map(\.1)
        var y0 = ys.min() ?? 0, y1 = ys.max() ?? 1
        if let r = yRange { (y0, y1) = r }
        if y1 - y0 < 1e-9 { y1 = y0 + 1 }
        let f = Frame(x0: xs.min() ?? 0, x1: max((xs.max() ?? 1), (xs.min() ?? 0) + 1e-9), y0: y0, y1: y1)
        var s = f.axes(title: title, xLabel: xLabel, yLabel: yLabel)
        for (i, se) in series.enumerated() {
            let pts = se.points.map { "\(f.px($0.0)),\(f.py($0.1))" }.joined(separator: " ")
            s += "<polyline fill='none' stroke='\(se.color)' stroke-width='1.6' points='\(pts)'/>"
            if series.count > 1 {
                let ly = f.top + 14 + Double(i) * 14
                s += "<line x1='\(f.width - f.right - 110)' x2='\(f.width - f.right - 94)' y1='\(ly - 4)' y2='\(ly - 4)' stroke='\(se.color)' stroke-width='2'/>"
                s += "<text x='\(f.width - f.right - 90)' y='\(ly)' font-size='11'>\(escape(se.name))</text>"
            }
        }
        for (x, y, c) in markers {
            s += "<circle cx='\(f.px(x))' cy='\(f.py(y))' r='4' fill='none' stroke='\(c)' stroke-width='2'/>"
        }
        return wrap(s, width: f.width, height: f.height)
    }

    /// Spike raster: one dot per (time, neuron).
    public static func raster(title: String, spikes: [(Double, Int)], neurons: Int, duration: Double, xLabel: String) -> String {
        let f = Frame(height: 260, x0: 0, x1: max(duration, 1e-12), y0: 0, y1: Double(max(neurons, 1)))
        var s = f.axes(title: title, xLabel: xLabel, yLabel: "neuron")
        for (t, n) in spikes {
            s += "<rect x='\(f.px(t) - 2)' y='\(f.py(Double(n) + 0.5) - 1.5)' width='4' height='3' fill='#222'/>"
        }
        return wrap(s, width: f.width, height: f.height)
    }

    /// Histogram of values with `bins` equal bins.
    public static func histogram(title: String, values: [Double], bins: Int, xLabel: String, color: String = "#1f77b4", range: (Double, Double)? = nil) -> String {
        let lo = range?.0 ?? values.min() ?? 0
        var hi = range?.1 ?? values.max() ?? 1
        if hi - lo < 1e-9 { hi = lo + 1 }
        var counts = [Int](repeating: 0, count: bins)
        for v in values { counts[max(0, min(bins - 1, Int((v - lo) / (hi - lo) * Double(bins))))] += 1 }
        let f = Frame(x0: lo, x1: hi, y0: 0, y1: Double(max(1, counts.max() ?? 1)))
        var s = f.axes(title: title, xLabel: xLabel, yLabel: "count")
        for (i, c) in counts.enumerated() {
            let xa = lo + (hi - lo) * Double(i) / Double(bins), xb = lo + (hi - lo) * Double(i + 1) / Double(bins)
            s += "<rect x='\(f.px(xa))' y='\(f.py(Double(c)))' width='\(max(0.5, f.px(xb) - f.px(xa) - 1))' height='\(f.py(0) - f.py(Double(c)))' fill='\(color)'/>"
        }
        return wrap(s, width: f.width, height: f.height)
    }

    /// Confusion matrix as a heat map with counts.
    public static func confusion(title: String, matrix: [[Int]]) -> String {
        let k = matrix.count
        let cell = 32.0, left = 60.0, top = 40.0
        let maxV = Double(matrix.flatMap { $0 }.max() ?? 1)
        var s = "<text x='\(left + cell * Double(k) / 2)' y='18' text-anchor='middle' font-size='14' font-weight='bold'>\(escape(title))</text>"
        for r in 0..<k {
            s += "<text x='\(left - 8)' y='\(top + cell * (Double(r) + 0.6))' text-anchor='end' font-size='11'>\(r)</text>"
            s += "<text x='\(left + cell * (Double(r) + 0.5))' y='\(top + cell * Double(k) + 14)' text-anchor='middle' font-size='11'>\(r)</text>"
            for c in 0..<k {
                let v = Double(matrix[r][c])
                let a = maxV > 0 ? sqrt(v / maxV) : 0
                s += "<rect x='\(left + cell * Double(c))' y='\(top + cell * Double(r))' width='\(cell)' height='\(cell)' fill='rgba(31,119,180,\(String(format: "%.3f", a)))' stroke='#fff'/>"
                if v > 0 {
                    s += "<text x='\(left + cell * (Double(c) + 0.5))' y='\(top + cell * (Double(r) + 0.62))' text-anchor='middle' font-size='9' fill='\(a > 0.6 ? "#fff" : "#000")'>\(Int(v))</text>"
                }
            }
        }
        s += "<text x='\(left + cell * Double(k) / 2)' y='\(top + cell * Double(k) + 32)' text-anchor='middle' font-size='12'>predicted</text>"
        s += "<text x='16' y='\(top + cell * Double(k) / 2)' text-anchor='middle' font-size='12' transform='rotate(-90 16 \(top + cell * Double(k) / 2))'>true label</text>"
        return wrap(s, width: left + cell * Double(k) + 20, height: top + cell * Double(k) + 44)
    }
}
