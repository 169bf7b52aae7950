import SpikeCore
import SpikeKernels

extension Observation {
    /// The synaptic current `I[0...T]` of every layer for one recorded sample, rebuilt from the sample's input
    /// events, the observed spikes and `network`'s weights (DESIGN §1: unobserved states come from the model driven
    /// by the observed spikes) — what the backward pass uses, exported for tools that compare simulators.
    /// - Returns: per layer `(T + 1) × neuronCount` values, row `t + 1` the current after step `t`'s input.
    /// - Precondition: this observation recorded `input`'s samples (no dropout) with `network`'s layout.
    public func reconstructedCurrents(of network: Network, input: SpikeBatch, sample local: Int) -> [[Float]] {
        let T = stepCount
        precondition(input.stepCount == T && layers.count == network.layers.count, "observation and network differ")
        let packed = PackedNetwork(network)
        let backend = CPUBackend()
        let s = samples.lowerBound + local
        return input.offsets.withUnsafeBufferPointer { offsets in
            input.channels.withUnsafeBufferPointer { channels in
                var below = LayerEvents(offsets: offsets.baseAddress! + s * T, indices: channels.baseAddress ?? emptyIndices)
                return packed.layers.enumerated().map { l, p in
                    let trace = FloatBuffer(count: (T + 1) * p.stride)
                    let rec = layers[l]
                    let own = rec.isSpiking
                        ? LayerEvents(offsets: rec.spikeSteps(sample: local), indices: rec.spikeIndices(sample: local)) : nil
                    backend.reconstructCurrent(layer: l, of: packed, stepCount: T, input: below, spikes: own, into: trace.pointer)
                    if let own { below = own }
                    return (0...T).flatMap { t in (0..<p.neuronCount).map { trace.pointer[t * p.stride + $0] } }
                }
            }
        }
    }
}
