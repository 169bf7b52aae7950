import Foundation

/// Minimal SVG chart builders for self-contained reports (no JavaScript, viewable offline).
///
/// Each builder returns one `<svg>` element; ``HTMLReport`` places them in a page, and a lone chart can be
/// written as an `.svg` file with ``document(_:)``. The chart kinds live in `SVG+Charts.swift` (lines,
/// histograms, rasters, confusion), `SVG+Traces.swift` (chip and software membranes with the ADC range) and
/// `SVG+Activity.swift` (per-neuron activity on a log scale).
public enum SVG {
    /// One line of a chart.
    public struct Series {
        public var name: String
        public var points: [(Double, Double)]
        public var color: String
        /// Dashed lines tell apart two views of the same quantity (software dashed, chip solid).
        public var dashed: Bool
        public init(name: String, points: [(Double, Double)], color: String, dashed: Bool = false) {
            self.name = name
            self.points = points
            self.color = color
            self.dashed = dashed
        }
    }

    /// A vertical line at `x` with a label, e.g. the ±63 weight limits or the start of in-the-loop training.
    public struct Marker {
        public var x: Double
        public var label: String
        public var color: String
        public init(x: Double, label: String, color: String = "#d62728") {
            self.x = x
            self.label = label
            self.color = color
        }
    }

    static let palette = [
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ]
    /// The i-th colour of a 10-colour palette (Matplotlib's tab10), repeating.
    public static func color(_ i: Int) -> String { palette[i % palette.count] }

    /// Escapes text for SVG and HTML content and attributes.
    public static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "'", with: "&#39;")
    }

    /// Coordinates with two decimals: enough for the screen, a third of the bytes of full precision.
    static func n(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (v * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    static func wrap(_ body: String, width: Double, height: Double) -> String {
        "<svg xmlns='http://www.w3.org/2000/svg' width='\(Int(width))' height='\(Int(height))' "
            + "viewBox='0 0 \(Int(width)) \(Int(height))' font-family='sans-serif'>\(body)</svg>"
    }

    static func text(
        _ s: String, x: Double, y: Double, size: Int = 11, anchor: String = "middle", extra: String = ""
    ) -> String {
        "<text x='\(n(x))' y='\(n(y))' text-anchor='\(anchor)' font-size='\(size)'\(extra)>\(escape(s))</text>"
    }

    /// A standalone SVG file: the XML declaration, an optional title and subtitle, then the charts in a grid of
    /// `columns` (each keeps its own size); what `spikeloop inspect chip` writes.
    public static func document(_ charts: [String], columns: Int = 2, title: String? = nil, subtitle: String? = nil)
        -> String
    {
        let sizes = charts.map(size(of:))
        let cols = max(1, min(columns, charts.count))
        let rows = (charts.count + cols - 1) / cols
        let colWidth = (0..<cols).map { c in stride(from: c, to: charts.count, by: cols).map { sizes[$0].0 }.max() ?? 0
        }
        let rowHeight = (0..<rows).map { r in
            (r * cols..<min(charts.count, (r + 1) * cols)).map { sizes[$0].1 }.max() ?? 0
        }
        let header = (title == nil ? 0.0 : 30) + (subtitle == nil ? 0 : 20)
        let width = max(colWidth.reduce(0, +), 400)
        var body = "<rect width='100%' height='100%' fill='#fff'/>"
        if let title { body += text(title, x: 12, y: 22, size: 17, anchor: "start", extra: " font-weight='bold'") }
        if let subtitle {
            body += text(subtitle, x: 12, y: header - 8, size: 12, anchor: "start", extra: " fill='#555'")
        }
        for (i, chart) in charts.enumerated() {
            let x = colWidth.prefix(i % cols).reduce(0, +)
            let y = header + rowHeight.prefix(i / cols).reduce(0, +)
            // nested <svg> elements keep each chart's own coordinates
            body += chart.replacingOccurrences(of: "<svg ", with: "<svg x='\(n(x))' y='\(n(y))' ", options: .anchored)
        }
        return "<?xml version='1.0' encoding='UTF-8'?>\n"
            + wrap(body, width: width, height: header + rowHeight.reduce(0, +))
            + "\n"
    }

    /// Width and height of a chart made by ``wrap(_:width:height:)``.
    static func size(of chart: String) -> (Double, Double) {
        func attribute(_ name: String) -> Double {
            guard let r = chart.range(of: "\(name)='") else { return 0 }
            let rest = chart[r.upperBound...]
            return Double(rest.prefix { $0 != "'" }) ?? 0
        }
        return (attribute("width"), attribute("height"))
    }
}
