import SpikeCore
import SpikeTraining

/// Emulates a network of placed layers sample by sample: the per-sample loop that ``EmulatedChip`` and
/// ``PartitionedChip`` share, so the neuron integration (`emulateLayer`) exists once.
///
/// Layers whose input crosses sub-networks (`routes[l]` non-nil) receive the spikes of the layer below as the
/// inter-chip routing delivers them: a spike emitted at substep `u` travels as an event stamped with the model step
/// that records it, `⌈u/S⌉`, and arrives at the first substep of step `⌈u/S⌉ + d` (`d` = `routes[l]`, extra steps),
/// as layer 0's input events do; spikes arriving after the last step are lost. Within a sub-network spikes arrive in
/// the substep they happen. At one substep per step and `d` = 0 routing changes nothing, so a partitioned network
/// without mismatch gives the spikes of the unpartitioned one (docs/PARTITION.md).
struct NetworkEmulation {
    var layers: [ChipLayer]
    /// Per layer: nil when its input arrives on-chip (or is the network input), else the extra routing delay in
    /// model steps.
    var routes: [Int?]
    /// Mixed with the sample index into the membrane noise seed (chip seed and run counter).
    var noiseSeed: UInt64
    /// Emulate only the inference window (first input + this many seconds), when set.
    var inferenceWindow: Double?

    /// Runs `samples` of `input`, records into `observation`, and returns the emulated chip seconds of the windows
    /// run (one per sample, without reset overheads).
    func run(_ input: SpikeBatch, samples: Range<Int>, into observation: inout Observation, slot: ChipSlot) -> Double {
        let T = input.stepCount
        let S = layers[0].config.substeps
        observation.samples = samples
        observation.membraneIsExact = false
        slot.prepare(layers: layers, stepCount: T, substeps: S)
        var seconds = 0.0
        let dt = layers[0].dt
        input.offsets.withUnsafeBufferPointer { offsets in
            input.channels.withUnsafeBufferPointer { channels in
                for (local, s) in samples.enumerated() {
                    var noise = NoiseSource(seed: noiseSeed &+ UInt64(s))
                    // Events of layer 0 arrive at the first substep of their step.
                    let inOff = offsets.baseAddress! + s * T
                    var firstInput = T
                    for t in 0..<T where inOff[t + 1] > inOff[t] { firstInput = t; break }
                    let window = inferenceWindow.map { min(T, firstInput + Int(($0 / dt).rounded(.up)) + 1) } ?? T
                    for l in 0..<layers.count {
                        if let d = routes[l] { route(layer: l - 1, stepCount: T, substeps: S, delay: d, slot: slot) }
                        let c = layers[l]
                        let rec = observation.layers[l].membrane.map { $0.pointer + local * T * c.stride }
                        let obsLayer = observation.layers[l]
                        emulateLayer(
                            c, stepCount: T, window: window, substeps: S, layer: l, slot: slot,
                            stepInput: l == 0 ? (inOff, channels.baseAddress ?? UnsafePointer(bitPattern: 16)!) : nil,
                            record: rec, observed: obsLayer.isSpiking ? (obsLayer.spikeIndices(sample: local), obsLayer.spikeSteps(sample: local)) : nil,
                            noise: &noise)
                    }
                    seconds += window < T ? inferenceWindow ?? 0 : Double(T) * dt
                }
            }
        }
        return seconds
    }

    /// Rewrites layer `l`'s substep offsets in place to the substeps its spikes are delivered at (see the type).
    /// The spike list keeps its order: delivery is monotone in the emission substep.
    private func route(layer l: Int, stepCount T: Int, substeps S: Int, delay d: Int, slot: ChipSlot) {
        let off = slot.offsets[l].pointer, count = slot.routed.pointer
        let n = T * S
        for v in 0...n { count[v] = 0 }
        for u in 0..<n {
            let arrival = ((u + S - 1) / S + d) * S
            if arrival < n { count[arrival] += off[u + 1] - off[u] }
        }
        var total: Int32 = 0
        for v in 0...n {
            off[v] = total
            if v < n { total += count[v] }
        }
    }
}
