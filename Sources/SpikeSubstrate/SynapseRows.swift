import SpikeTraining

/// How a sparse layer with more presynaptic sources than synapse rows maps onto the chip.
///
/// A BrainScaleS-2 synapse row carries events of many sources, told apart by a 6-bit address; every synapse stores
/// the address it responds to (Pehle et al. 2022, doi:10.3389/fnins.2022.795876). We fix the routing: source `j`
/// of a layer (feed-forward inputs `0..<inputCount`, then the layer's own neurons `inputCount + k` for recurrent
/// weights) drives row `j mod rows` with address `⌊j / rows⌋`. A neuron then needs one synapse per nonzero weight,
/// and it fits when no two of its nonzero sources share a row: at most one nonzero weight per neuron and row slot,
/// hence at most `rows` (256) inputs per neuron, and at most 64 addresses (`rows·64` sources) per layer. A layer
/// with at most `rows` sources is dense-mappable as before (source `j` on row `j`).
public enum SynapseRows {
    /// Sources one row can carry (6-bit addresses).
    public static let addressesPerRow = 64

    /// Throws naming the layer, neuron, row and the two sources that collide, when `layer` does not fit.
    public static func check(_ layer: Layer, index l: Int, rows: Int) throws {
        let sources = layer.inputCount + (layer.isRecurrent ? layer.neuronCount : 0)
        guard sources > rows else { return }
        guard sources <= rows * addressesPerRow else {
            throw SubstrateError("layer \(l) has \(sources) presynaptic sources; \(rows) rows × \(addressesPerRow) addresses carry at most \(rows * addressesPerRow)")
        }
        let n = layer.neuronCount
        var owner = [Int32](repeating: -1, count: rows * n)
        func visit(_ w: [Float], offset: Int) throws {
            for jj in 0..<(w.count / n) {
                let j = offset + jj, r = j % rows
                for i in 0..<n where w[jj * n + i] != 0 {
                    if owner[r * n + i] >= 0 {
                        throw SubstrateError(
                            "layer \(l): neuron \(i) has nonzero weights from sources \(owner[r * n + i]) and \(j), which share synapse row \(r) (\(sources) sources on \(rows) rows); keep at most one nonzero input per row slot, e.g. a mask from SynapseRows.eligible")
                    }
                    owner[r * n + i] = Int32(j)
                }
            }
        }
        try visit(layer.weights, offset: 0)
        if layer.isRecurrent { try visit(layer.recurrentWeights, offset: layer.inputCount) }
    }

    /// Which weights a mask of `network` may keep so that every layer fits (``Network/weightTensors`` order): where
    /// a layer has more sources than rows, per neuron and row slot only the source with the largest `|w|`.
    public static func eligible(_ network: Network, rows: Int) -> [[Bool]] {
        network.layers.flatMap { layer -> [[Bool]] in
            let n = layer.neuronCount
            let tensors = layer.isRecurrent ? [layer.weights, layer.recurrentWeights] : [layer.weights]
            var out = tensors.map { [Bool](repeating: true, count: $0.count) }
            let sources = layer.inputCount + (layer.isRecurrent ? n : 0)
            guard sources > rows else { return out }
            var best = [(Float, Int, Int)](repeating: (-1, -1, -1), count: rows * n)  // (|w|, tensor, index)
            var j = 0
            for (t, w) in tensors.enumerated() {
                for jj in 0..<(w.count / n) {
                    let r = j % rows
                    for i in 0..<n where abs(w[jj * n + i]) > best[r * n + i].0 { best[r * n + i] = (abs(w[jj * n + i]), t, jj * n + i) }
                    j += 1
                }
            }
            for t in out.indices { out[t] = [Bool](repeating: false, count: out[t].count) }
            for b in best where b.1 >= 0 { out[b.1][b.2] = true }
            return out
        }
    }
}
