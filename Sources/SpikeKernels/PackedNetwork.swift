import SpikeModel
import SpikeCore

/// A buffer owned by its `PackedNetwork`, seen through its pointer: copying a `PackedLayer` then involves no reference
/// counting, on which the workers reading one network contended in the per-sample path (measured: 2-thread
/// inference lost ~10 % to `swift_retain`/`swift_release` of the shared weight buffers).
public struct BufferView: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int
}

/// A layer's weights padded to vector strides and its decays as Float, built once per batch.
///
/// Row `j` of `weights` is presynaptic neuron `j`'s synapses, `stride` floats long (zero padded), so an
/// event adds one aligned row; padding lanes stay zero in every kernel.
public struct PackedLayer: @unchecked Sendable {
    public let kind: LayerKind
    public let inputCount: Int
    public let neuronCount: Int
    public let stride: Int
    public let weights: BufferView
    public let recurrent: BufferView?
    /// `[neuronCount][stride]`: the recurrent matrix transposed (row k: the synapses onto neuron k), so that the
    /// adjoint `R·λ` is a sum of broadcast rows (``addTransposedProduct``).
    public let recurrentTransposed: BufferView?
    /// `[neuronCount][inputStride]`: the transpose, kept for small layers (readouts) so that the layer below
    /// can form `W·λ` with one broadcast per neuron instead of a GEMM.
    public let transposed: BufferView?
    public let inputStride: Int
    public let alpha: Float
    public let beta: Float
    public let gain: Float
    public let threshold: Float
    /// Resting potential `v_leak` and reset potential `v_reset`.
    public let leak: Float
    public let vReset: Float
    public let reset: ResetMode
    public let resetGradient: ResetGradient
    public let timing: CurrentTiming

    /// The layer's step with its constants broadcast over 16 neurons.
    @inline(__always)
    package var step: NeuronStep<SIMD16<Float>> {
        NeuronStep(alpha: .init(repeating: alpha), beta: .init(repeating: beta), gain: .init(repeating: gain), leak: .init(repeating: leak))
    }

    /// Allocates the layer's buffers into `storage` (which the network keeps) and views them.
    init(_ layer: Layer, dt: Double, storage: inout [FloatBuffer]) {
        func allocate(_ count: Int) -> BufferView {
            let b = FloatBuffer(count: count)
            storage.append(b)
            return BufferView(pointer: b.pointer, count: count)
        }
        kind = layer.kind
        inputCount = layer.inputCount
        neuronCount = layer.neuronCount
        stride = neuronStride(layer.neuronCount)
        weights = allocate(inputCount * stride)
        recurrent = layer.isRecurrent ? allocate(neuronCount * stride) : nil
        recurrentTransposed = layer.isRecurrent ? allocate(neuronCount * stride) : nil
        inputStride = neuronStride(layer.inputCount)
        transposed = layer.neuronCount <= 16 ? allocate(layer.neuronCount * neuronStride(layer.inputCount)) : nil
        let d = layer.parameters.discretized(dt: dt)
        alpha = Float(d.alpha)
        beta = Float(d.beta)
        gain = Float(d.gain)
        threshold = layer.parameters.vThreshold
        leak = layer.parameters.vLeak
        vReset = layer.parameters.vReset
        reset = layer.parameters.reset
        resetGradient = layer.parameters.resetGradient
        timing = layer.parameters.currentTiming
        load(layer)
    }

    /// Copies the layer's weights into the padded buffers.
    func load(_ layer: Layer) {
        layer.weights.withUnsafeBufferPointer { w in
            for j in 0..<inputCount {
                (weights.pointer + j * stride).update(from: w.baseAddress! + j * neuronCount, count: neuronCount)
            }
        }
        if let tr = transposed {
            layer.weights.withUnsafeBufferPointer { w in
                for j in 0..<inputCount {
                    for i in 0..<neuronCount { tr.pointer[i * inputStride + j] = w[j * neuronCount + i] }
                }
            }
        }
        if let r = recurrent, let rt = recurrentTransposed {
            layer.recurrentWeights.withUnsafeBufferPointer { w in
                for j in 0..<neuronCount {
                    (r.pointer + j * stride).update(from: w.baseAddress! + j * neuronCount, count: neuronCount)
                    for k in 0..<neuronCount { rt.pointer[k * stride + j] = w[j * neuronCount + k] }
                }
            }
        }
    }
}

/// The network in kernel layout. Rebuilt (or reloaded) whenever weights change.
public struct PackedNetwork: @unchecked Sendable {
    public let layers: [PackedLayer]
    public let dt: Double
    /// Owns every layer's buffers (the layers hold views).
    private let storage: [FloatBuffer]

    public init(_ network: Network) {
        dt = network.dt
        var storage: [FloatBuffer] = []
        layers = network.layers.map { PackedLayer($0, dt: network.dt, storage: &storage) }
        self.storage = storage
    }

    /// Whether `network` has this layout and these decays, so that `load` may reuse the buffers
    /// (compares the derived constants; allocates nothing).
    public func hasSameLayout(as network: Network) -> Bool {
        guard dt == network.dt, layers.count == network.layers.count else { return false }
        return zip(layers, network.layers).allSatisfy { p, l in
            let d = l.parameters.discretized(dt: network.dt)
            return p.kind == l.kind && p.inputCount == l.inputCount && p.neuronCount == l.neuronCount
                && p.alpha == Float(d.alpha) && p.beta == Float(d.beta) && p.gain == Float(d.gain)
                && p.threshold == l.parameters.vThreshold && p.leak == l.parameters.vLeak && p.vReset == l.parameters.vReset
                && p.reset == l.parameters.reset
                && p.resetGradient == l.parameters.resetGradient && p.timing == l.parameters.currentTiming
        }
    }

    /// Reloads weights of the same architecture without reallocating.
    public func load(_ network: Network) {
        for (p, l) in zip(layers, network.layers) { p.load(l) }
    }
}
