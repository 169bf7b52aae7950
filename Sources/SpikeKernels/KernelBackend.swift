import SpikeCore
import SpikeModel

/// Input events of one layer for one sample: the events of step `t` are
/// `indices[offsets[t] ..< offsets[t + 1]]` (`offsets` has `T + 1` entries).
package struct LayerEvents {
    package var offsets: UnsafePointer<Int32>
    package var indices: UnsafePointer<Int32>
    package init(offsets: UnsafePointer<Int32>, indices: UnsafePointer<Int32>) {
        self.offsets = offsets
        self.indices = indices
    }
}

/// What the forward of one layer on one sample reads and writes.
package struct ForwardLayerIO {
    package var input: LayerEvents
    /// State vectors `[stride]` (scratch; overwritten).
    package var current: UnsafeMutablePointer<Float>
    package var membrane: UnsafeMutablePointer<Float>
    /// Membrane record `[T][stride]`, or nil.
    package var record: UnsafeMutablePointer<Float>?
    /// The layer's own spikes: neuron indices and offsets `[T+1]` (nil for a readout).
    package var spikes: UnsafeMutablePointer<Int32>?
    package var spikeOffsets: UnsafeMutablePointer<Int32>?
    /// Stop once no neuron can fire again (inference without recording; exact).
    package var stopWhenQuiet: Bool

    package init(
        input: LayerEvents, current: UnsafeMutablePointer<Float>, membrane: UnsafeMutablePointer<Float>,
        record: UnsafeMutablePointer<Float>?, spikes: UnsafeMutablePointer<Int32>?, spikeOffsets: UnsafeMutablePointer<Int32>?,
        stopWhenQuiet: Bool
    ) {
        (self.input, self.current, self.membrane, self.record) = (input, current, membrane, record)
        (self.spikes, self.spikeOffsets, self.stopWhenQuiet) = (spikes, spikeOffsets, stopWhenQuiet)
    }
}

/// What the adjoint recursion of one layer on one sample reads and writes (see `backwardLayerKernel`).
package struct BackwardLayerIO {
    /// Observed membrane `[T][stride]` (nil for nothing to differentiate) and the layer's observed spikes.
    package var membrane: UnsafePointer<Float>?
    package var spikeNeurons: UnsafePointer<Int32>?
    package var spikeOffsets: UnsafePointer<Int32>?
    /// The events the layer received.
    package var input: LayerEvents
    /// `G[t]` `[T][stride]` handed down by the layer above (spiking layers), or nil with `above`.
    package var spikeGrad: UnsafePointer<Float>? = nil
    /// A small layer above (the readout) whose `W·λI` is formed on the fly: its adjoints and transposed weights.
    package var above: (lambdaI: UnsafePointer<Float>, weightsT: UnsafePointer<Float>, count: Int, stride: Int)? = nil
    /// Dropout mask `[stride]`: the downstream gradient reaches kept neurons only.
    package var keep: UnsafePointer<Float>? = nil
    /// Regularizer `dℓ/dS` `[stride]`, constant over time.
    package var countGrad: UnsafePointer<Float>? = nil
    /// Readout `dℓ/dV` `[T][stride]`.
    package var seed: UnsafePointer<Float>? = nil
    /// `I[t]` `[(T+1)][stride]` (differentiable zero reset only).
    package var currentTrace: UnsafePointer<Float>? = nil
    /// Outputs: adjoints `λI` `[(T+2)][stride]`, rolling `λV` `[3][stride]`, gradient accumulators.
    package var lambdaI: UnsafeMutablePointer<Float>
    package var lambdaV: UnsafeMutablePointer<Float>
    package var gradW: UnsafeMutablePointer<Float>
    package var gradR: UnsafeMutablePointer<Float>?
    /// The worker's scratch for summing the weight gradients per row.
    package var grouping: EventGrouping

    package init(
        membrane: UnsafePointer<Float>?, spikeNeurons: UnsafePointer<Int32>?, spikeOffsets: UnsafePointer<Int32>?,
        input: LayerEvents, lambdaI: UnsafeMutablePointer<Float>, lambdaV: UnsafeMutablePointer<Float>,
        gradW: UnsafeMutablePointer<Float>, gradR: UnsafeMutablePointer<Float>?, grouping: EventGrouping
    ) {
        self.grouping = grouping
        (self.membrane, self.spikeNeurons, self.spikeOffsets, self.input) = (membrane, spikeNeurons, spikeOffsets, input)
        (self.lambdaI, self.lambdaV, self.gradW, self.gradR) = (lambdaI, lambdaV, gradW, gradR)
    }
}

/// The narrow compute interface under the substrates and gradient engines (DESIGN §8): put a network into the
/// backend's layout, run a layer forward, run a layer's adjoint recursion, rebuild an unobserved current, and
/// advance eligibility traces. Everything above it (batching, observations, losses, optimizers) is
/// device-agnostic; a GPU backend fills the same calls with device buffers and kernels.
package protocol KernelBackend {
    /// The network in this backend's memory and layout.
    associatedtype Layout
    /// Writes `network` into `layout` when it fits (same shapes and constants), else allocates a new one.
    func upload(_ network: Network, reusing layout: Layout?) -> Layout
    /// Simulates layer `l` for one sample of `stepCount` steps; returns the number of spikes written.
    func forward(layer l: Int, of layout: Layout, stepCount: Int, _ io: ForwardLayerIO) -> Int
    /// The adjoint recursion of layer `l` for one sample, steps `0 ..< endStep`, accumulating weight gradients.
    func backward(layer l: Int, of layout: Layout, stepCount: Int, endStep: Int, surrogate: Surrogate, _ io: BackwardLayerIO)
    /// The synaptic current `I[0...T]` of layer `l` from its input events and observed spikes.
    func reconstructCurrent(layer l: Int, of layout: Layout, stepCount: Int, input: LayerEvents, spikes: LayerEvents?, into trace: UnsafeMutablePointer<Float>)
    /// Advances one presynaptic row of eligibility traces over `n` postsynaptic neurons (online rules).
    func traceUpdate(
        n: Int, epsV: UnsafeMutablePointer<Float>, barI: UnsafeMutablePointer<Float>, barV: UnsafeMutablePointer<Float>,
        grad: UnsafeMutablePointer<Float>?, L: UnsafePointer<Float>, reg: UnsafePointer<Float>, sig: UnsafePointer<Float>,
        mask: UnsafePointer<Float>, resetFactor: UnsafePointer<Float>, drive: Float, k: TraceConstants)
}

/// The CPU backend: padded row-major weights (`PackedNetwork`), event-driven SIMD kernels, one sample per call.
@usableFromInline package struct CPUBackend: KernelBackend {
    package init() {}

    package func upload(_ network: Network, reusing layout: PackedNetwork?) -> PackedNetwork {
        if let p = layout, p.hasSameLayout(as: network) {
            p.load(network)
            return p
        }
        return PackedNetwork(network)
    }

    package func forward(layer l: Int, of layout: PackedNetwork, stepCount: Int, _ io: ForwardLayerIO) -> Int {
        forward(layout.layers[l], stepCount: stepCount, io)
    }

    /// The same for a layer the caller holds (a worker's own copy of the packed layers).
    package func forward(_ layer: PackedLayer, stepCount: Int, _ io: ForwardLayerIO) -> Int {
        simulateLayer(
            layer, stepCount: stepCount, inputOffsets: io.input.offsets, inputIndices: io.input.indices,
            current: io.current, membrane: io.membrane, record: io.record, spikes: io.spikes, spikeOffsets: io.spikeOffsets,
            stopWhenQuiet: io.stopWhenQuiet)
    }

    package func backward(layer l: Int, of layout: PackedNetwork, stepCount: Int, endStep: Int, surrogate: Surrogate, _ io: BackwardLayerIO) {
        let p = layout.layers[l]
        switch surrogate {  // one specialized kernel per surrogate (no existentials in the loop)
        case .superSpike(let b): backwardLayerKernel(p, surrogate: SuperSpikeKernel(beta: b), stepCount: stepCount, endStep: endStep, io)
        case .triangle(let b): backwardLayerKernel(p, surrogate: TriangleKernel(beta: b), stepCount: stepCount, endStep: endStep, io)
        case .sigmoid(let b): backwardLayerKernel(p, surrogate: SigmoidKernel(beta: b), stepCount: stepCount, endStep: endStep, io)
        case .exponential(let b): backwardLayerKernel(p, surrogate: ExponentialKernel(beta: b), stepCount: stepCount, endStep: endStep, io)
        }
    }

    package func reconstructCurrent(
        layer l: Int, of layout: PackedNetwork, stepCount: Int, input: LayerEvents, spikes: LayerEvents?, into trace: UnsafeMutablePointer<Float>
    ) {
        SpikeKernels.reconstructCurrent(
            layout.layers[l], stepCount: stepCount, inputOffsets: input.offsets, inputIndices: input.indices,
            spikeNeurons: spikes?.indices, spikeOffsets: spikes?.offsets, into: trace)
    }
}

extension CPUBackend {
    /// `out[i] = σ'(v[i] − ϑ)` for `i < n` with the same vectorized surrogate kernel as the backward pass.
    package func surrogateDerivative(_ surrogate: Surrogate, of v: UnsafePointer<Float>, threshold: Float, count n: Int, into out: UnsafeMutablePointer<Float>) {
        switch surrogate {
        case .superSpike(let b): applySurrogate(SuperSpikeKernel(beta: b), v, threshold, n, out)
        case .triangle(let b): applySurrogate(TriangleKernel(beta: b), v, threshold, n, out)
        case .sigmoid(let b): applySurrogate(SigmoidKernel(beta: b), v, threshold, n, out)
        case .exponential(let b): applySurrogate(ExponentialKernel(beta: b), v, threshold, n, out)
        }
    }
}

@inline(__always)
private func applySurrogate<K: SurrogateKernel>(_ k: K, _ v: UnsafePointer<Float>, _ threshold: Float, _ n: Int, _ out: UnsafeMutablePointer<Float>) {
    let thr = SIMD16<Float>(repeating: threshold)
    var i = 0
    while i + 16 <= n {
        let r = k(UnsafeRawPointer(v + i).loadUnaligned(as: SIMD16<Float>.self) - thr)
        UnsafeMutableRawPointer(out + i).storeBytes(of: r, as: SIMD16<Float>.self)
        i += 16
    }
    if i < n {  // tail: pad with the threshold (σ'(0), discarded)
        var x = thr
        for j in 0..<(n - i) { x[j] = v[i + j] }
        let r = k(x - thr)
        for j in 0..<(n - i) { out[i + j] = r[j] }
    }
}
