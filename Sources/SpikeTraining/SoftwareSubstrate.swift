import SpikeCore
import SpikeKernels

/// The ideal software simulator: exact discrete-time dynamics, exact recordings.
///
/// Event-driven, SIMD over neurons, one sample at a time per worker (neuron-major state beat
/// batch-tiled layouts by 3–5× in our measurements; see STYLE.md).
public final class SoftwareSubstrate: Substrate, @unchecked Sendable {
    public let name = "software"
    public let capabilities: SubstrateCapabilities
    private let backend = CPUBackend()
    private(set) var packed: PackedNetwork?
    private var scratch: [WorkerScratch] = []

    /// One worker's state vectors and the spikes that reached the next layer under dropout.
    private final class WorkerScratch {
        let current: FloatBuffer
        let membrane: FloatBuffer
        let mask: FloatBuffer
        var sentIndices = Int32Buffer(count: 0)
        var sentOffsets = Int32Buffer(count: 0)
        init(stride: Int) {
            current = FloatBuffer(count: stride)
            membrane = FloatBuffer(count: stride)
            mask = FloatBuffer(count: stride)
        }
    }

    public init(maxConcurrentRuns: Int = 64) {
        capabilities = SubstrateCapabilities(
            exactMembranes: true, dropout: true, streamingWithoutMembranes: true,
            maxConcurrentRuns: maxConcurrentRuns, preferredChunkSize: 4)
    }

    public func load(_ network: Network) throws {
        try network.validate()
        let previous = packed
        packed = backend.upload(network, reusing: previous)
        if let p = previous, p.layers.map(\.stride) == packed!.layers.map(\.stride) { return }
        let maxStride = packed!.layers.map(\.stride).max() ?? 16
        scratch = (0..<capabilities.maxConcurrentRuns).map { _ in WorkerScratch(stride: maxStride) }
    }

    public func run(_ input: SpikeBatch, samples: Range<Int>, options: RunOptions, into observation: inout Observation, worker: Int) throws {
        guard let net = packed else { preconditionFailure("SoftwareSubstrate.run before load") }
        precondition(samples.count <= observation.capacity, "chunk of \(samples.count) exceeds observation capacity \(observation.capacity)")
        precondition(input.channelCount == net.layers[0].inputCount, "input has \(input.channelCount) channels, network expects \(net.layers[0].inputCount)")
        let T = input.stepCount
        precondition(observation.stepCount == T, "observation has \(observation.stepCount) steps, input \(T)")
        observation.samples = samples
        observation.membraneIsExact = true
        let ws = scratch[worker]
        let dropout = options.dropout.flatMap { $0.probability > 0 ? $0 : nil }
        if dropout != nil { ensureSentCapacity(ws, net, T) }
        let quiet = observation.recording == .readout
        input.offsets.withUnsafeBufferPointer { offsets in
            input.channels.withUnsafeBufferPointer { channels in
                for (local, s) in samples.enumerated() {
                    var inOffsets = UnsafePointer(offsets.baseAddress! + s * T)
                    var inIndices = UnsafePointer(channels.baseAddress ?? emptyIndices)
                    for l in 0..<net.layers.count {
                        let p = net.layers[l]
                        let layer = observation.layers[l]
                        let rec = layer.membrane.map { $0.pointer + local * T * p.stride }
                        let spiking = p.kind != .leakyReadout
                        _ = backend.forward(layer: l, of: net, stepCount: T, ForwardLayerIO(
                            input: LayerEvents(offsets: inOffsets, indices: inIndices),
                            current: ws.current.pointer, membrane: ws.membrane.pointer, record: rec,
                            spikes: spiking ? layer.spikeIndices(sample: local) : nil,
                            spikeOffsets: spiking ? layer.spikeSteps(sample: local) : nil, stopWhenQuiet: spiking && quiet))
                        guard spiking else { continue }
                        inOffsets = UnsafePointer(layer.spikeSteps(sample: local))
                        inIndices = UnsafePointer(layer.spikeIndices(sample: local))
                        if let d = dropout {
                            // The next layer receives only the kept neurons' spikes.
                            d.fillMask(sample: s, layer: l, neuronCount: p.neuronCount, stride: p.stride, into: ws.mask.pointer)
                            let so = ws.sentOffsets.pointer + (l % 2) * (T + 1)
                            let si = ws.sentIndices.pointer + (l % 2) * (ws.sentIndices.count / 2)
                            HiddenDropout.filter(
                                stepCount: T, offsets: inOffsets, indices: inIndices, mask: ws.mask.pointer, sentOffsets: so, sentIndices: si)
                            inOffsets = UnsafePointer(so)
                            inIndices = UnsafePointer(si)
                        }
                    }
                }
            }
        }
    }

    /// Two alternating spike lists (a layer's sent spikes are read while the next layer's are written).
    private func ensureSentCapacity(_ ws: WorkerScratch, _ net: PackedNetwork, _ T: Int) {
        let perLayer = T * (net.layers.map(\.neuronCount).max() ?? 0) + 16
        if ws.sentIndices.count < 2 * perLayer { ws.sentIndices = Int32Buffer(count: 2 * perLayer, initialized: false) }
        if ws.sentOffsets.count < 2 * (T + 1) { ws.sentOffsets = Int32Buffer(count: 2 * (T + 1)) }
    }
}
