import SpikeData
import SpikeSubstrate
import SpikeTraining

/// How the network of a run config maps onto emulated chips: what `spikeloop partition` shows (docs/PARTITION.md).
///
/// Built from the config alone (no data files): the input and output counts follow from the dataset settings
/// (images: `image_size`², 10 classes; SHD-format: the kept channels of 700, 20 classes; synthetic: 64, 10).
public struct PartitionPlan {
    /// Layer sizes, inputs first.
    public var sizes: [Int]
    public var recurrent: Bool
    public var mapping: ChipMapping
    /// Emulated chip seconds and joules per sample (all sub-networks, waves one after another).
    public var chipSecondsPerSample: Double
    public var joulesPerSample: Double

    /// - Parameters:
    ///   - inputs, classes: override the counts the dataset settings imply.
    /// - Throws: ``RunError`` for an invalid config; ``SubstrateError`` for a network no partition can place.
    public init(config: RunConfig, inputs: Int? = nil, classes: Int? = nil) throws {
        try config.validate()
        let shape = Self.shape(config)
        let net = config.makeNetwork(inputs: inputs ?? shape.inputs, classes: classes ?? shape.classes)
        let chip = config.chipSettings.chipConfig
        mapping = try ChipMapping(network: net, config: chip, chips: config.chipCount)
        sizes = [net.inputCount] + net.layers.map(\.neuronCount)
        recurrent = config.recurrent
        chipSecondsPerSample = mapping.chipSecondsPerSample(stepCount: config.steps, dt: config.dt, config: chip)
        joulesPerSample = mapping.joulesPerSample(stepCount: config.steps, dt: config.dt, config: chip)
    }

    /// Inputs and classes implied by the dataset settings.
    static func shape(_ c: RunConfig) -> (inputs: Int, classes: Int) {
        switch c.dataset {
        case "shd":
            let b = SHDBinning(dt: c.dt, stepCount: c.steps, timeScale: c.shdTimeScale, channelOffset: c.shdChannelOffset, channelStride: c.shdChannelStride)
            return (b.channelCount, 20)
        case "synthetic": return (64, 10)
        default: return (c.imageSize * c.imageSize, 10)
        }
    }

    /// The network as `784-256-10` (recurrent hidden layers marked `r`).
    public var networkName: String {
        sizes.enumerated().map { i, n in "\(n)" + (recurrent && i > 0 && i < sizes.count - 1 ? "r" : "") }.joined(separator: "-")
    }

    /// One line per layer and one per sub-network, for people.
    public var lines: [String] {
        var out = [
            "network \(networkName) on \(mapping.chips) chip\(mapping.chips == 1 ? "" : "s") of \(mapping.slotCapacity) neuron slots (\(mapping.slotCapacity * mapping.circuitsPerSlot) circuits)"
        ]
        for (l, p) in mapping.layers.enumerated() {
            let sizes = p.partitions.map { "\($0.count)" }.joined(separator: ", ")
            out.append(
                "layer \(l): \(p.neuronCount) neurons, \(p.sources) inputs each → \(p.circuitsPerNeuron) circuits per neuron, \(p.partitions.count) partition\(p.partitions.count == 1 ? "" : "s") (\(sizes))\(p.recurrent && p.partitions.count > 1 ? ", lockstep" : "")\(mapping.isRouted(layer: l) ? ", input routed between sub-networks" : "")")
        }
        for (i, s) in mapping.subnetworks.enumerated() {
            let pieces = s.pieces.map { "layer \($0.layer) neurons \($0.neurons.lowerBound)..<\($0.neurons.upperBound)" }.joined(separator: " + ")
            out.append("sub-network \(i): chip \(s.chip), wave \(s.wave), \(s.slots * mapping.circuitsPerSlot) circuits: \(pieces)")
        }
        let (runs, waves) = (mapping.runsPerSample, mapping.wavesPerSample)
        let cost = String(format: "chip time %.1f µs, energy %.2f µJ per sample", chipSecondsPerSample * 1e6, joulesPerSample * 1e6)
        out.append("\(runs) run\(runs == 1 ? "" : "s") per sample in \(waves) wave\(waves == 1 ? "" : "s"); \(cost)")
        return out
    }

    /// The plan as one JSON object (`spikeloop partition --json`).
    public var jsonObject: [String: Any] {
        [
            "network": networkName, "chips": mapping.chips, "subnetworks": mapping.runsPerSample,
            "runs_per_sample": mapping.runsPerSample, "waves_per_sample": mapping.wavesPerSample,
            "chip_seconds_per_sample": chipSecondsPerSample, "joules_per_sample": joulesPerSample,
            "layers": mapping.layers.enumerated().map { l, p -> [String: Any] in
                [
                    "neurons": p.neuronCount, "inputs": p.sources, "recurrent": p.recurrent,
                    "slots_per_neuron": p.slotsPerNeuron, "circuits_per_neuron": p.circuitsPerNeuron,
                    "partitions": p.partitions.map(\.count), "routed_input": mapping.isRouted(layer: l),
                ]
            },
            "subnetwork_placement": mapping.subnetworks.map { s -> [String: Any] in
                [
                    "chip": s.chip, "wave": s.wave, "circuits": s.slots * mapping.circuitsPerSlot,
                    "pieces": s.pieces.map { ["layer": $0.layer, "first": $0.neurons.lowerBound, "count": $0.neurons.count] },
                ]
            },
        ]
    }
}
