import SpikeTraining

/// The synapse array as on-chip plasticity sees it: signed 6-bit codes per row, read and written in place. Weights
/// written here are what the next `run` uses; `load` overwrites them from a host network.
extension EmulatedChip {
    /// Synapse rows of loaded layer `l`: its inputs, then (recurrent layers) its own neurons.
    public func synapseRows(layer l: Int) -> Int { layers[l].synapseRows }

    /// Columns (neurons) of loaded layer `l`.
    public func synapseColumns(layer l: Int) -> Int { layers[l].neuronCount }

    /// `w_hw = round(scale·w)` of the last host write to layer `l` (fixed while the chip learns on its own).
    public func codeScale(layer l: Int) -> Float { layers[l].codeScale }

    public func synapseRow(layer l: Int, row j: Int) -> [Int8] {
        precondition(j >= 0 && j < layers[l].synapseRows, "synapse row \(j) outside layer \(l)'s \(layers[l].synapseRows)")
        return layers[l].synapseRow(j)
    }

    public func writeSynapseRow(layer l: Int, row j: Int, codes: [Int8]) {
        precondition(j >= 0 && j < layers[l].synapseRows && codes.count == layers[l].neuronCount, "synapse row \(j) of layer \(l): bad index or width")
        layers[l].writeSynapseRow(j, codes: codes)
    }

    /// The network the chip holds now: `template` with every weight replaced by `code/scale` (to checkpoint or
    /// export what on-chip learning produced).
    public func residentNetwork(_ template: Network) -> Network {
        var net = template
        for l in net.layers.indices {
            let c = layers[l], n = c.neuronCount, s = c.codeScale
            for j in 0..<c.synapseRows {
                let row = c.synapseRow(j).map { Float($0) / s }
                if j < c.inputCount {
                    net.layers[l].weights.replaceSubrange((j * n)..<((j + 1) * n), with: row)
                } else {
                    let r = j - c.inputCount
                    net.layers[l].recurrentWeights.replaceSubrange((r * n)..<((r + 1) * n), with: row)
                }
            }
        }
        return net
    }
}
