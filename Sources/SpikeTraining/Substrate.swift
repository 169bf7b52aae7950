import SpikeCore

/// Something that runs a network on input spikes and returns what could be recorded (DESIGN §1).
///
/// The ideal software simulator is one substrate; the emulated analog chip is another; a real chip or a
/// remote chip server must fit behind the same three calls. `load` is "write the weights to the
/// substrate" (a chip quantizes them); `run` executes a chunk of samples and fills an `Observation`.
public protocol Substrate: AnyObject, Sendable {
    /// A short name for reports (`software`, `chip:7`).
    var name: String { get }
    /// How many `run` calls may proceed at once (1 for a single physical device).
    var maxConcurrentRuns: Int { get }
    /// Samples per `run` call that keep the work hot in cache (or fit the device's memory).
    var preferredChunkSize: Int { get }
    /// Writes the network's configuration and weights to the substrate.
    func load(_ network: Network) throws
    /// Runs `samples` of `input` and records into `observation` (buffers reused; `worker` < maxConcurrentRuns).
    func run(_ input: SpikeBatch, samples: Range<Int>, into observation: inout Observation, worker: Int) throws
}

/// The ideal software simulator: exact discrete-time dynamics, exact recordings.
///
/// Event-driven, SIMD over neurons, one sample at a time per worker (neuron-major state beat
/// batch-tiled layouts by 3–5× in our measurements; see STYLE.md).
public final class SoftwareSubstrate: Substrate, @unchecked Sendable {
    public let name = "software"
    public let maxConcurrentRuns: Int
    public let preferredChunkSize = 4
    private(set) var packed: PackedNetwork?
    private var scratch: [FloatBuffer] = []

    public init(maxConcurrentRuns: Int = 64) {
        self.maxConcurrentRuns = maxConcurrentRuns
    }

    public func load(_ network: Network) throws {
        try network.validate()
        if let p = packed, p.layers.count == network.layers.count,
            zip(p.layers, network.layers).allSatisfy({ $0.inputCount == $1.inputCount && $0.neuronCount == $1.neuronCount && ($0.recurrent != nil) == $1.isRecurrent })
        {
            // parameters may change too: rebuild if any decay differs
            let fresh = PackedNetwork(network)
            if zip(p.layers, fresh.layers).allSatisfy({ $0.alpha == $1.alpha && $0.beta == $1.beta && $0.gain == $1.gain && $0.threshold == $1.threshold && $0.reset == $1.reset && $0.timing == $1.timing }) {
                p.load(network)
                return
            }
            packed = fresh
        } else {
            packed = PackedNetwork(network)
        }
        let maxStride = packed!.layers.map(\.stride).max() ?? 16
        scratch = (0..<(2 * maxConcurrentRuns)).map { _ in FloatBuffer(count: maxStride) }
    }

    public func run(_ input: SpikeBatch, samples: Range<Int>, into observation: inout Observation, worker: Int) throws {
        guard let net = packed else { preconditionFailure("SoftwareSubstrate.run before load") }
        precondition(samples.count <= observation.capacity, "chunk of \(samples.count) exceeds observation capacity \(observation.capacity)")
        precondition(input.channelCount == net.layers[0].inputCount, "input has \(input.channelCount) channels, network expects \(net.layers[0].inputCount)")
        let T = input.stepCount
        precondition(observation.stepCount == T, "observation has \(observation.stepCount) steps, input \(T)")
        observation.samples = samples
        observation.membraneIsExact = true
        let current = scratch[2 * worker].pointer
        let membrane = scratch[2 * worker + 1].pointer
        input.offsets.withUnsafeBufferPointer { offsets in
            input.channels.withUnsafeBufferPointer { channels in
                for (local, s) in samples.enumerated() {
                    for l in 0..<net.layers.count {
                        let p = net.layers[l]
                        let rec = observation.layers[l].membrane.map { $0.pointer + local * T * p.stride }
                        if l == 0 {
                            runLayer(p, T, offsets.baseAddress! + s * T, channels.baseAddress!, current, membrane, rec, &observation, l, local)
                        } else {
                            let below = observation.layers[l - 1]
                            runLayer(p, T, below.sentSteps(sample: local), below.sentIndices(sample: local), current, membrane, rec, &observation, l, local)
                        }
                        if observation.dropout > 0 && p.kind != .leakyReadout {
                            observation.layers[l].applyDropout(local: local, globalSample: s, layer: l, p: observation.dropout, seed: observation.dropoutSeed)
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    private func runLayer(
        _ p: PackedLayer, _ T: Int, _ offsets: UnsafePointer<Int32>, _ indices: UnsafePointer<Int32>,
        _ current: UnsafeMutablePointer<Float>, _ membrane: UnsafeMutablePointer<Float>,
        _ rec: UnsafeMutablePointer<Float>?, _ observation: inout Observation, _ l: Int, _ local: Int
    ) {
        let layer = observation.layers[l]
        let quiet = observation.recording == .readout
        if p.kind == .leakyReadout {
            _ = simulateLayer(p, stepCount: T, inputOffsets: offsets, inputIndices: indices, current: current, membrane: membrane, record: rec, spikes: nil, spikeOffsets: nil)
        } else {
            _ = simulateLayer(
                p, stepCount: T, inputOffsets: offsets, inputIndices: indices, current: current, membrane: membrane,
                record: rec, spikes: layer.spikeIndices(sample: local), spikeOffsets: layer.spikeSteps(sample: local), stopWhenQuiet: quiet)
        }
    }
}

/// A valid pointer for "no events" (never dereferenced: the offsets give an empty range).
let emptyIndices: UnsafePointer<Int32> = {
    let p = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    p.initialize(to: 0)
    return UnsafePointer(p)
}()
