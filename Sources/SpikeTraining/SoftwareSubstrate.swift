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

    /// Workers' state, read in the per-sample path without touching anything another worker writes (see
    /// `WorkerScratch.layers`).
    private var table = UnsafeMutablePointer<Unmanaged<WorkerScratch>>.allocate(capacity: 1)
    private var workerCount = 0

    /// One worker's state vectors, its copy of the packed layers and the spikes that reached the next layer under
    /// dropout.
    private final class WorkerScratch {
        let current: FloatBuffer
        let membrane: FloatBuffer
        let mask: FloatBuffer
        var sentIndices = Int32Buffer(count: 0)
        var sentOffsets = Int32Buffer(count: 0)
        /// This worker's copy of the packed layers (views of buffers `packed` owns): reading the substrate's shared
        /// layer array, whose reference count the other worker changes, cost ~8 % of 2-thread inference.
        private(set) var layers = UnsafeMutableBufferPointer<PackedLayer>(start: nil, count: 0)
        /// Makes the object span several cache lines, so two workers' objects (their reference counts) never share one.
        private let padding: (SIMD64<UInt8>, SIMD64<UInt8>) = (.init(), .init())

        init(stride: Int) {
            current = FloatBuffer(count: stride)
            membrane = FloatBuffer(count: stride)
            mask = FloatBuffer(count: stride)
        }

        func setLayers(_ packed: [PackedLayer]) {
            if layers.count != packed.count {
                layers.deallocate()
                layers = .allocate(capacity: packed.count)
            }
            _ = layers.initialize(from: packed)
        }

        deinit { layers.deallocate() }
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
        if previous == nil || previous!.layers.map(\.stride) != packed!.layers.map(\.stride) {
            let maxStride = packed!.layers.map(\.stride).max() ?? 16
            scratch = (0..<capabilities.maxConcurrentRuns).map { _ in WorkerScratch(stride: maxStride) }
            table.deallocate()
            table = .allocate(capacity: scratch.count)
            for (k, ws) in scratch.enumerated() { table[k] = Unmanaged.passUnretained(ws) }
            workerCount = scratch.count
        }
        for ws in scratch { ws.setLayers(packed!.layers) }
    }

    deinit { table.deallocate() }

    public func run(_ input: SpikeBatch, samples: Range<Int>, options: RunOptions, into observation: inout Observation, worker: Int) throws {
        precondition(worker < workerCount, "SoftwareSubstrate.run before load (or worker \(worker) beyond maxConcurrentRuns)")
        let ws = table[worker].takeUnretainedValue()
        let layers = ws.layers
        precondition(samples.count <= observation.capacity, "chunk of \(samples.count) exceeds observation capacity \(observation.capacity)")
        precondition(input.channelCount == layers[0].inputCount, "input has \(input.channelCount) channels, network expects \(layers[0].inputCount)")
        let T = input.stepCount
        precondition(observation.stepCount == T, "observation has \(observation.stepCount) steps, input \(T)")
        observation.samples = samples
        observation.membraneIsExact = true
        let dropout = options.dropout.flatMap { $0.probability > 0 ? $0 : nil }
        if dropout != nil { ensureSentCapacity(ws, layers, T) }
        let quiet = observation.recording == .readout
        input.offsets.withUnsafeBufferPointer { offsets in
            input.channels.withUnsafeBufferPointer { channels in
                for (local, s) in samples.enumerated() {
                    var inOffsets = UnsafePointer(offsets.baseAddress! + s * T)
                    var inIndices = UnsafePointer(channels.baseAddress ?? emptyIndices)
                    for l in 0..<layers.count {
                        let p = layers[l]
                        let layer = observation.layers[l]
                        let rec = layer.membrane.map { $0.pointer + local * T * p.stride }
                        let spiking = p.kind != .leakyReadout
                        _ = backend.forward(p, stepCount: T, ForwardLayerIO(
                            input: LayerEvents(offsets: inOffsets, indices: inIndices),
                            current: ws.current.pointer, membrane: ws.membrane.pointer, record: rec,
                            spikes: spiking ? layer.spikeIndices(sample: local) : nil,
                            spikeOffsets: spiking ? layer.spikeSteps(sample: local) : nil, stopWhenQuiet: spiking && quiet))
                        guard spiking else { continue }
                        inOffsets = UnsafePointer(layer.spikeSteps(sample: local))
                        inIndices = UnsafePointer(layer.spikeIndices(sample: local))
                        if let d = dropout {
                            // The next layer receives only the kept neurons' spikes.
                            d.fillMask(sample: input.firstSampleIndex + s, layer: l, neuronCount: p.neuronCount, stride: p.stride, into: ws.mask.pointer)
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
    private func ensureSentCapacity(_ ws: WorkerScratch, _ layers: UnsafeMutableBufferPointer<PackedLayer>, _ T: Int) {
        let perLayer = T * (layers.map(\.neuronCount).max() ?? 0) + 16
        if ws.sentIndices.count < 2 * perLayer { ws.sentIndices = Int32Buffer(count: 2 * perLayer, initialized: false) }
        if ws.sentOffsets.count < 2 * (T + 1) { ws.sentOffsets = Int32Buffer(count: 2 * (T + 1)) }
    }
}
