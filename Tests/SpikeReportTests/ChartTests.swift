import Foundation
import SpikeReport
import Testing

@Suite struct ChartTests {
    @Test("samples at the ADC's lowest and highest codes are saturated, others are not")
    func saturation() {
        let range = -0.5...1.625
        let values = [-0.5, -0.4999, -0.49, 0, 1.6, 1.6245, 1.625]
        #expect(MembraneTrace.saturatedSamples(values, range: range) == [0, 1, 5, 6])
    }

    @Test("the membrane overlay draws both substrates, the ADC bounds and a cross per saturated sample")
    func overlay() {
        let tr = MembraneTrace(
            name: "class 3", color: "#123456", software: [0, 0.5, 2.4, 1], chip: [0, 0.5, 1.6, 1],
            adcRange: -0.5...1.6)
        let svg = SVG.membraneOverlay(title: "t", traces: [tr], dt: 1.7, xLabel: "time (µs)")
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.contains("stroke-dasharray='5 3'") && svg.contains("stroke-dasharray='1 3'"))
        #expect(svg.contains("1 saturated ADC samples") && svg.contains("above the ADC range"))
    }

    @Test("the activity plot counts silent neurons and draws one bar per active neuron")
    func activity() {
        let svg = SVG.activityRank(title: "layer 1", rates: [0, 2, 0.01, 0, 0, 0.5], yLabel: "spikes")
        #expect(svg.contains("3 silent"))
        #expect(svg.components(separatedBy: "<rect").count - 1 == 1 + 3 + 1)  // frame, bars, silent band
    }

    @Test("a legend goes to the corner the lines leave free: bottom right for accuracy, top right for loss")
    func legendCorner() throws {
        func legendY(_ svg: String) throws -> Double {
            // the legend box is the only rect with a white fill
            let r = try #require(svg.range(of: "fill='#fff' fill-opacity='0.85'"))
            let before = svg[..<r.lowerBound]
            let y = try #require(before.range(of: "y='", options: .backwards))
            return try #require(Double(before[y.upperBound...].prefix { $0 != "'" }))
        }
        // an accuracy curve (steep rise, then flat at the top) and a loss curve (steep fall, then flat at the bottom)
        let rising = [(0.0, 0.0), (0.5, 9), (10, 10)]
        let falling = [(0.0, 10.0), (0.5, 1), (10, 0)]
        func chart(_ pts: [(Double, Double)]) -> String {
            SVG.lineChart(
                title: "t", xLabel: "x", yLabel: "y",
                series: [
                    SVG.Series(name: "train, software", points: pts, color: "#000"),
                    SVG.Series(name: "validation", points: pts.map { ($0.0, $0.1 * 0.95) }, color: "#111"),
                ])
        }
        let up = try legendY(chart(rising))
        let down = try legendY(chart(falling))
        #expect(up > 150, "accuracy-like curve: legend at y \(up)")
        #expect(down < 100, "loss-like curve: legend at y \(down)")
    }

    @Test("the SVG document stacks charts in a grid and is a standalone file")
    func document() {
        let a = SVG.histogram(title: "a", values: [1, 2, 3], bins: 3, xLabel: "x")
        let doc = SVG.document([a, a, a], columns: 2, title: "chip")
        #expect(doc.hasPrefix("<?xml") && doc.contains("width='1040'") && doc.contains(">chip</text>"))
        #expect(doc.components(separatedBy: "<svg").count - 1 == 4)
    }
}

/// A seeded generator (SplitMix64, Steele et al. 2014) so that the property tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
