import SpikeCore

/// What to record in a run: everything the backward pass needs, or only what inference needs.
public enum Recording: Sendable {
    /// Spikes of every layer and membrane traces of every layer (training).
    case full
    /// Spikes of every layer and the readout's membrane trace (inference).
    case readout
}

/// What a substrate recorded of one layer for a chunk of samples.
///
/// Membranes are normalized (leak 0, threshold 1) and laid out `[sample][step][stride]` with
/// `stride = neuronStride(neuronCount)` (16 for up to 16 neurons, else rounded up to a multiple of 64), so
/// that the kernels read whole vectors.
/// Spikes are events: for local sample `s`, the neurons that spiked at step `t` are
/// `spikeNeurons[s][spikeOffsets[s*(T+1) + t] ..< spikeOffsets[s*(T+1) + t + 1]]`.
public struct LayerRecord: @unchecked Sendable {
    public let neuronCount: Int
    public let stride: Int
    public let stepCount: Int
    /// Membrane samples on the model grid, or nil when not recorded.
    public let membrane: FloatBuffer?
    /// Spiking neuron indices; sample `s` owns `spikeCapacity` entries from `s·spikeCapacity`.
    public let spikeNeurons: Int32Buffer
    public let spikeCapacity: Int
    public let spikeOffsets: Int32Buffer
    public let isSpiking: Bool

    init(neuronCount: Int, stepCount: Int, capacity: Int, recordMembrane: Bool, spiking: Bool) {
        self.neuronCount = neuronCount
        self.stride = neuronStride(neuronCount)
        self.stepCount = stepCount
        // A fixed colour: where the recording sits must not depend on how many buffers training allocated before.
        self.membrane = recordMembrane ? FloatBuffer(count: capacity * stepCount * stride, colour: 11) : nil
        self.isSpiking = spiking
        self.spikeCapacity = spiking ? stepCount * neuronCount + 16 : 0  // +16: vector stores past the end
        self.spikeNeurons = Int32Buffer(count: capacity * spikeCapacity, initialized: false)
        self.spikeOffsets = Int32Buffer(count: spiking ? capacity * (stepCount + 1) : 0)
    }

    /// Membrane value of neuron `i` at step `t` for local sample `s`.
    public func membrane(sample s: Int, step t: Int, neuron i: Int) -> Float {
        membrane!.pointer[(s * stepCount + t) * stride + i]
    }

    /// Number of spikes of local sample `s`.
    public func spikeCount(sample s: Int) -> Int { isSpiking ? Int(spikeOffsets[s * (stepCount + 1) + stepCount]) : 0 }

    /// Neuron indices of local sample `s` (offsets from `spikeOffsets` index into this).
    public func spikeIndices(sample s: Int) -> UnsafeMutablePointer<Int32> { spikeNeurons.pointer + s * spikeCapacity }

    /// Offsets `[T+1]` of local sample `s`.
    public func spikeSteps(sample s: Int) -> UnsafeMutablePointer<Int32> { spikeOffsets.pointer + s * (stepCount + 1) }

    /// Spike events `(step, neuron)` of local sample `s`.
    public func spikes(sample s: Int) -> [(step: Int, neuron: Int)] {
        var out: [(Int, Int)] = []
        let base = s * (stepCount + 1)
        for t in 0..<stepCount {
            for k in Int(spikeOffsets[base + t])..<Int(spikeOffsets[base + t + 1]) {
                out.append((t, Int(spikeIndices(sample: s)[k])))
            }
        }
        return out
    }
}

/// What an experimenter could record from one run of a substrate on a chunk of samples (DESIGN §1).
///
/// The ideal software substrate records exact values; the emulated chip records what its readout gives
/// (spike timestamps binned to the grid, ADC membrane samples interpolated onto it), and sets
/// `membraneIsExact` to false. The backward pass reads only this.
public struct Observation: @unchecked Sendable {
    /// Samples of the input batch this observation covers.
    public var samples: Range<Int>
    public let stepCount: Int
    public let capacity: Int
    public internal(set) var layers: [LayerRecord]
    public let recording: Recording
    public var membraneIsExact: Bool
    /// Emulated substrate time for these samples (seconds of chip time), when the substrate models it.
    public var substrateSeconds: Double?
    /// Emulated energy for these samples (joules), when the substrate models it.
    public var energyJoules: Double?

    /// Buffers for up to `capacity` samples of `network`, reused across runs.
    public init(network: Network, stepCount: Int, capacity: Int, recording: Recording) {
        self.samples = 0..<0
        self.stepCount = stepCount
        self.capacity = capacity
        self.recording = recording
        self.membraneIsExact = true
        let last = network.layers.count - 1
        self.layers = network.layers.enumerated().map { l, layer in
            LayerRecord(
                neuronCount: layer.neuronCount, stepCount: stepCount, capacity: capacity,
                recordMembrane: recording == .full || l == last, spiking: layer.isSpiking)
        }
    }

    /// The readout membrane `[local sample][step][stride]`.
    public var readout: LayerRecord { layers[layers.count - 1] }
}

extension Recording: Equatable {}
