import SpikeTraining

/// How a network maps onto emulated chips: circuits per neuron, partitions per layer, sub-networks, runs and chip
/// time per sample — the partitioning of Arnold et al. 2025 (arXiv:2401.16840) for BrainScaleS-2.
///
/// Two limits of one chip, two remedies (docs/PARTITION.md):
/// - **Fan-in.** A neuron slot (a standard `circuitsPerNeuron`-circuit neuron) takes `maxFanIn` (256) signed inputs.
///   A dense layer with more presynaptic sources connects the membranes of `⌈sources/maxFanIn⌉` slots into one
///   compound neuron whose partial synaptic currents add on the shared membrane (784 inputs: 4 slots, 8 circuits).
///   A sparse layer that ``SynapseRows`` can route by address keeps one slot.
/// - **Neurons.** A layer whose slots exceed the chip is split into balanced partitions, each a sub-network that
///   fills one chip run. Whole layers that fit are packed into the open sub-network. Sub-networks run one after
///   another on one chip, or side by side on `chips` chips (round robin, in waves); spikes of one sub-network reach
///   the next through the inter-chip routing of ``PartitionedChip``.
///
/// A recurrent layer that does not fit one chip runs its partitions in lockstep on as many chips, which exchange
/// spikes every event-clock substep; it therefore needs `chips` ≥ its partitions.
///
/// ```
/// 784-256-10 on 256 slots: hidden 4 slots/neuron → 64 neurons per run → 4 partitions; readout 1 → 5 sub-networks
/// ```
public struct ChipMapping: Sendable, Equatable {
    /// One layer's placement.
    public struct LayerPlan: Sendable, Equatable {
        public var neuronCount: Int
        /// Presynaptic sources per neuron: the inputs, plus the layer's own neurons when recurrent.
        public var sources: Int
        public var recurrent: Bool
        /// Neuron slots per neuron (1, or `⌈sources/maxFanIn⌉` for a compound neuron).
        public var slotsPerNeuron: Int
        /// Neuron circuits per neuron (`slotsPerNeuron · circuitsPerNeuron`).
        public var circuitsPerNeuron: Int
        /// The neuron ranges of the layer's partitions (one when the layer fits one chip run).
        public var partitions: [Range<Int>]
    }

    /// A piece of a layer placed in a sub-network.
    public struct Piece: Sendable, Equatable {
        public var layer: Int
        public var neurons: Range<Int>
    }

    /// One chip run: the pieces it holds, the chip it runs on and the wave (time slot) it runs in.
    public struct Subnetwork: Sendable, Equatable {
        public var pieces: [Piece]
        public var chip: Int
        public var wave: Int
        /// Neuron slots used of the chip's `neuronCapacity`.
        public var slots: Int
    }

    public var layers: [LayerPlan]
    public var subnetworks: [Subnetwork]
    /// Chips side by side (1: every sub-network runs on the same chip, one after another).
    public var chips: Int
    /// Neuron slots per chip (`ChipConfig.neuronCapacity`) and circuits per slot.
    public var slotCapacity: Int
    public var circuitsPerSlot: Int

    /// Maps `network` onto chips of model `config`, `chips` of them side by side.
    /// - Throws: ``SubstrateError`` when one neuron needs more slots than a chip has, or a recurrent layer needs more
    ///   chips in lockstep than `chips`.
    public init(network: Network, config: ChipConfig, chips: Int = 1) throws {
        precondition(chips >= 1, "chips must be at least 1, got \(chips)")
        self.chips = chips
        slotCapacity = config.neuronCapacity
        circuitsPerSlot = config.circuitsPerNeuron
        layers = []
        for (l, layer) in network.layers.enumerated() {
            let k = Self.slotsPerNeuron(layer, index: l, config: config)
            let sources = layer.inputCount + (layer.isRecurrent ? layer.neuronCount : 0)
            guard k <= slotCapacity else {
                throw SubstrateError(
                    "layer \(l): one neuron with \(sources) inputs needs \(k) neuron slots of \(config.maxFanIn) inputs, a chip has \(slotCapacity); no partition can place it")
            }
            let perRun = slotCapacity / k
            let parts = (layer.neuronCount + perRun - 1) / perRun
            if layer.isRecurrent && parts > chips {
                throw SubstrateError(
                    "layer \(l) is recurrent: \(layer.neuronCount) neurons × \(k) slots need \(parts) chips running in lockstep (\(perRun) neurons each); give it at least \(parts) chips (setting chip_count, flag --chip-count), or shrink the layer to \(perRun) neurons")
            }
            let ranges = (0..<parts).map { p in
                (p * layer.neuronCount / parts)..<((p + 1) * layer.neuronCount / parts)
            }
            layers.append(
                LayerPlan(
                    neuronCount: layer.neuronCount, sources: sources, recurrent: layer.isRecurrent, slotsPerNeuron: k,
                    circuitsPerNeuron: k * config.circuitsPerNeuron, partitions: ranges))
        }
        subnetworks = []
        pack()
    }

    /// Neuron slots per neuron of `layer`: one when its sources fit a slot's rows or ``SynapseRows`` routes the
    /// sparse layer by address; else `⌈sources/maxFanIn⌉` slots with connected membranes.
    public static func slotsPerNeuron(_ layer: Layer, index l: Int, config: ChipConfig) -> Int {
        let sources = layer.inputCount + (layer.isRecurrent ? layer.neuronCount : 0)
        let fan = config.maxFanIn
        if sources <= fan || (try? SynapseRows.check(layer, index: l, rows: fan)) != nil { return 1 }
        return (sources + fan - 1) / fan
    }

    /// Packs layers into sub-networks and assigns chips and waves (round robin; a lockstep group stays in one wave).
    private mutating func pack() {
        var open: Int? = nil
        var wave = 0, chip = 0
        func place(_ count: Int) -> [(chip: Int, wave: Int)] {
            if chip + count > chips { (wave, chip) = (wave + 1, 0) }
            defer { chip += count }
            return (0..<count).map { (chip + $0, wave) }
        }
        for (l, plan) in layers.enumerated() {
            let need = plan.neuronCount * plan.slotsPerNeuron
            if plan.partitions.count == 1, let o = open, subnetworks[o].slots + need <= slotCapacity {
                subnetworks[o].pieces.append(Piece(layer: l, neurons: 0..<plan.neuronCount))
                subnetworks[o].slots += need
                continue
            }
            // A lockstep group (a split recurrent layer) is placed at once; feed-forward partitions one by one.
            let groups = plan.recurrent ? [plan.partitions] : plan.partitions.map { [$0] }
            for group in groups {
                for (range, at) in zip(group, place(group.count)) {
                    subnetworks.append(
                        Subnetwork(
                            pieces: [Piece(layer: l, neurons: range)], chip: at.chip, wave: at.wave,
                            slots: range.count * plan.slotsPerNeuron))
                }
            }
            open = subnetworks.count - 1
        }
    }

    /// Chip runs per sample (all sub-networks).
    public var runsPerSample: Int { subnetworks.count }

    /// Time slots per sample: sub-networks of one wave run at the same time on different chips.
    public var wavesPerSample: Int { (subnetworks.map(\.wave).max() ?? 0) + 1 }

    /// Whether the whole network fits one chip run (then ``EmulatedChip`` alone runs it).
    public var fitsOneChip: Bool { subnetworks.count == 1 }

    /// Whether layer `l`'s input spikes cross sub-networks (and so go through the routing); layer 0 takes the input.
    public func isRouted(layer l: Int) -> Bool {
        guard l > 0 else { return false }
        let holder = { (layer: Int) in self.subnetworks.indices.filter { s in self.subnetworks[s].pieces.contains { $0.layer == layer } } }
        let below = holder(l - 1), here = holder(l)
        return !(below.count == 1 && below == here)
    }

    /// Emulated chip time per sample: each wave is one run of `stepCount·dt` plus the reset overhead.
    public func chipSecondsPerSample(stepCount: Int, dt: Double, config: ChipConfig) -> Double {
        Double(wavesPerSample) * (Double(stepCount) * dt + config.resetOverhead)
    }

    /// Energy per sample: every chip run draws the chip's power for its duration (idle chips not counted).
    public func joulesPerSample(stepCount: Int, dt: Double, config: ChipConfig) -> Double {
        Double(runsPerSample) * (Double(stepCount) * dt + config.resetOverhead) * config.chipPower
    }
}
