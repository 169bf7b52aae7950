import Foundation
import SpikeReport
import SpikeSubstrate

/// One layer's weights as the chip's synapses see them: `code = scale·w` before rounding and clipping to ±63.
struct WeightCodes {
    var layer: Int
    var name: String
    var scale: Double
    /// scale·w of every feed-forward and recurrent weight (unrounded).
    var codes: [Double]
    var limit: Int

    init(network: Network, layer l: Int, config: ChipConfig) {
        let source = network.layers[l]
        let isOutput = l == network.layers.count - 1
        let maxAbs = source.weights.reduce(Float(0)) { max($0, abs($1)) }
        let scale = config.weightScale(maxAbsWeight: maxAbs, isOutput: isOutput)
        self.scale = scale
        codes = (source.weights + source.recurrentWeights).map { Double($0) * scale }
        limit = config.weightMax
        layer = l
        let kind = isOutput ? "readout" : source.isRecurrent ? "hidden \(l + 1), recurrent" : "hidden \(l + 1)"
        name = "\(kind) (\(source.inputCount)→\(source.neuronCount))"
    }

    /// Weights whose rounded code lies beyond ±limit: the chip clips them.
    var clipped: Int { codes.lazy.filter { abs($0.rounded()) > Double(self.limit) }.count }
    /// Weights that round to code 0: no synapse at all on the chip.
    var zero: Int { codes.lazy.filter { $0.rounded() == 0 }.count }
    var maxAbsCode: Double { codes.lazy.map { abs($0) }.max() ?? 0 }

    /// One bin per code over ±70 (so ±63 and what lies beyond are visible), wider when codes reach further
    /// (equal bins then, up to ±320; beyond is counted as not shown).
    var histogram: Histogram {
        let reach = max(70, min(Int(maxAbsCode.rounded(.up)) + 2, 320))
        if reach <= 130 { return Histogram(integers: codes, lo: -reach, hi: reach) }
        return Histogram(codes, bins: 128, range: Double(-reach)...Double(reach))
    }
}

extension RunReport {
    /// Histograms of each layer's weights as 6-bit synapse codes with the chip's ±63 marked, and a table of what
    /// the mapping loses (clipped weights, weights that vanish at code 0).
    func addWeights(to page: inout HTMLReport) {
        let cfg = chip?.config ?? ChipConfig()
        let layers = network.layers.indices.map { WeightCodes(network: network, layer: $0, config: cfg) }
        page.heading("Weights as 6-bit chip synapses", id: Section.weights.rawValue)
        page.note(
            "Each weight w becomes the synapse code round(scale·w), clipped to ±\(cfg.weightMax) (6-bit magnitude with paired excitatory and inhibitory rows); hidden layers use scale \(AxisTicks.label(cfg.hiddenWeightScale, step: 1)), the readout min(\(cfg.weightMax)/max|w|, \(AxisTicks.label(cfg.outputScaleCap, step: 1))). "
                + (chip == nil
                    ? "For this software run the codes show what copying the weights onto an emulated chip would do."
                    : "These are the codes that ran on \(substrate.name).")
        )
        page.figures(
            layers.map { w in
                SVG.histogram(
                    w.histogram, title: "\(w.name), scale \(String(format: "%.4g", w.scale))",
                    xLabel: "synapse code (scale·w)", color: SVG.color(w.layer == network.layers.count - 1 ? 1 : 0),
                    limits: [
                        SVG.Marker(x: Double(-w.limit), label: "−\(w.limit)"),
                        SVG.Marker(x: Double(w.limit), label: "+\(w.limit)"),
                    ])
            })
        page.table(
            header: [
                "layer", "weights", "scale", "code 0 (no synapse)", "clipped at ±\(cfg.weightMax)", "largest |code|",
            ],
            rows: layers.map { w in
                [
                    w.name, String(w.codes.count), String(format: "%.4g", w.scale),
                    String(format: "%d (%.1f %%)", w.zero, 100 * Double(w.zero) / Double(max(1, w.codes.count))),
                    String(w.clipped), String(format: "%.1f", w.maxAbsCode),
                ]
            })
    }
}
