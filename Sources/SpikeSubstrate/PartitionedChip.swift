import SpikeCore
import SpikeTraining

/// A network larger than one chip, run partitioned over emulated chips (Arnold et al. 2025, arXiv:2401.16840).
///
/// ``ChipMapping`` splits the network into sub-networks that each fill one chip run; with `chips` = 1 they run one
/// after another on the same chip (same mismatch, same circuits), with more chips side by side, chip `c` drawing
/// its fixed-pattern mismatch from seed `seed + c`. Every neuron is emulated on the circuits it is placed on, by
/// the chip's own integration (`emulateLayer`); spikes crossing sub-networks go through the inter-chip routing
/// (``NetworkEmulation``: delivered at the next model step boundary plus `routingDelaySteps`). A split recurrent
/// layer runs in lockstep on several chips that exchange spikes every substep.
///
/// It is a `Substrate` like any other and fills one merged ``Observation`` of the whole network (every layer's
/// spikes and ADC membrane samples), so in-the-loop training (BPTT on the observation) works unchanged.
///
/// ```swift
/// let chips = PartitionedChip(seed: 1, chips: 1)   // 784-256-10: 5 runs per image on chip 1
/// try chips.load(network)
/// ```
public final class PartitionedChip: Substrate, @unchecked Sendable {
    public let config: ChipConfig
    /// The physical chips, one per side-by-side position (`chips[c]` has seed `seed + c`).
    public let chips: [EmulatedChip]
    /// Extra routing delay between sub-networks, in model steps (0: delivery at the next step boundary).
    public let routingDelaySteps: Int
    public let name: String
    public let capabilities: SubstrateCapabilities
    /// The mapping of the loaded network.
    public private(set) var mapping: ChipMapping?

    var layers: [ChipLayer] = []
    private var runCounter: UInt64 = 0
    private var slots: [ChipSlot] = []

    /// - Parameters:
    ///   - chips: chips side by side; 1 runs every sub-network on the same chip, one after another.
    ///   - calibrated: calibrate every chip for the network's time constants on first `load`.
    public init(
        seed: UInt64, chips count: Int = 1, config: ChipConfig = ChipConfig(), calibrated: Bool = true,
        tauMem: Double = 6e-6, tauSyn: Double = 6e-6, routingDelaySteps: Int = 0, maxConcurrentRuns: Int = 64
    ) {
        precondition(count >= 1 && routingDelaySteps >= 0, "chips \(count) must be ≥ 1, routing delay \(routingDelaySteps) ≥ 0")
        self.config = config
        chips = (0..<count).map { c in
            EmulatedChip(
                seed: seed &+ UInt64(c), config: config, calibrated: calibrated, tauMem: tauMem, tauSyn: tauSyn,
                maxConcurrentRuns: 1)
        }
        self.routingDelaySteps = routingDelaySteps
        name = count == 1 ? "chip:\(seed)" : "chips:\(seed)-\(seed &+ UInt64(count - 1))"
        capabilities = SubstrateCapabilities(
            exactMembranes: false, dropout: false, streamingWithoutMembranes: true, onDeviceLearning: false,
            maxFanIn: nil, maxNeurons: nil, maxConcurrentRuns: maxConcurrentRuns, preferredChunkSize: 4)
        slots = (0..<maxConcurrentRuns).map { _ in ChipSlot() }
    }

    /// Spreads τ_m, τ_s and (ϑ − leak) of every chip by relative SD `sigma` (``EmulatedChip/decalibrate(sigma:)``);
    /// takes effect at the next `load`.
    public func decalibrate(sigma: Double) {
        for chip in chips { chip.decalibrate(sigma: sigma) }
        layers = []
    }

    // MARK: Substrate

    public func load(_ network: Network) throws {
        try network.validate()
        let m = try ChipMapping(network: network, config: config, chips: chips.count)
        for chip in chips { chip.prepareSettings(for: network.layers[0].parameters) }
        if layers.isEmpty || m != mapping || zip(layers, network.layers).contains(where: { $0.inputCount != $1.inputCount }) {
            let placements = Self.placements(m, chips: chips)
            layers = network.layers.enumerated().map { l, layer in ChipLayer(layer, placements: placements[l], dt: network.dt) }
        } else {
            for (c, layer) in zip(layers, network.layers) { c.refreshParameters(layer, dt: network.dt) }
        }
        for (l, layer) in network.layers.enumerated() { layers[l].writeWeights(layer, isOutput: l == network.layers.count - 1) }
        mapping = m
        runCounter &+= 1
    }

    /// Each layer's neuron placements: the sub-networks' pieces fill their chip's slots from 0, in order.
    static func placements(_ m: ChipMapping, chips: [EmulatedChip]) -> [[NeuronPlacement]] {
        var out = m.layers.map { [NeuronPlacement?](repeating: nil, count: $0.neuronCount) }
        for sub in m.subnetworks {
            var base = 0
            for piece in sub.pieces {
                let k = m.layers[piece.layer].slotsPerNeuron
                for i in piece.neurons {
                    out[piece.layer][i] = NeuronPlacement(chip: chips[sub.chip], slots: base..<(base + k))
                    base += k
                }
            }
        }
        return out.map { $0.map { $0! } }
    }

    public func run(_ input: SpikeBatch, samples: Range<Int>, options: RunOptions, into observation: inout Observation, worker: Int) throws {
        guard let m = mapping, !layers.isEmpty else { preconditionFailure("PartitionedChip.run before load") }
        if let d = options.dropout, d.probability > 0 {
            throw SubstrateError("\(name) cannot drop hidden spikes during a run (dropout is a software-substrate option)")
        }
        let emulation = NetworkEmulation(
            layers: layers, routes: layers.indices.map { m.isRouted(layer: $0) ? routingDelaySteps : nil },
            noiseSeed: chips[0].instance.seed &* 0x9E37_79B9_7F4A_7C15 &+ runCounter &* 0x1000_0001, inferenceWindow: nil)
        let windows = emulation.run(input, samples: samples, into: &observation, slot: slots[worker])
        let perRun = windows + Double(samples.count) * config.resetOverhead
        observation.substrateSeconds = Double(m.wavesPerSample) * perRun
        observation.energyJoules = Double(m.runsPerSample) * perRun * config.chipPower
    }
}
