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
/// `stride = neuronCount` rounded up to 16, so that the backward kernels read whole vectors.
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
    /// Dropout (training only): per local sample `[capacity][stride]`, 1 where the neuron's spikes reach the
    /// next layer, 0 where they are dropped; nil without dropout.
    public let keep: FloatBuffer?
    /// The spikes that reached the next layer (those of dropped neurons removed), laid out like the spikes.
    let sentNeurons: Int32Buffer?
    let sentOffsets: Int32Buffer?

    init(neuronCount: Int, stepCount: Int, capacity: Int, recordMembrane: Bool, spiking: Bool, dropout: Bool = false) {
        self.neuronCount = neuronCount
        self.stride = neuronStride(neuronCount)
        self.stepCount = stepCount
        self.membrane = recordMembrane ? FloatBuffer(count: capacity * stepCount * stride) : nil
        self.isSpiking = spiking
        self.spikeCapacity = spiking ? stepCount * neuronCount + 16 : 0  // +16: vector stores past the end
        self.spikeNeurons = Int32Buffer(count: capacity * spikeCapacity, initialized: false)
        self.spikeOffsets = Int32Buffer(count: spiking ? capacity * (stepCount + 1) : 0)
        let withDropout = dropout && spiking
        keep = withDropout ? FloatBuffer(count: capacity * stride) : nil
        sentNeurons = withDropout ? Int32Buffer(count: capacity * spikeCapacity, initialized: false) : nil
        sentOffsets = withDropout ? Int32Buffer(count: capacity * (stepCount + 1)) : nil
    }

    /// Indices of the spikes the next layer received (all spikes without dropout).
    public func sentIndices(sample s: Int) -> UnsafeMutablePointer<Int32> {
        sentNeurons.map { $0.pointer + s * spikeCapacity } ?? spikeIndices(sample: s)
    }

    /// Offsets `[T+1]` of the spikes the next layer received.
    public func sentSteps(sample s: Int) -> UnsafeMutablePointer<Int32> {
        sentOffsets.map { $0.pointer + s * (stepCount + 1) } ?? spikeSteps(sample: s)
    }

    /// Fills `keep` and the sent lists of local sample `s`: each neuron is dropped with probability `p` for the
    /// whole sample (seeded hash of seed, global sample, layer and neuron), its spikes still reset it.
    func applyDropout(local s: Int, globalSample: Int, layer: Int, p: Float, seed: UInt64) {
        guard let keep = keep, let sn = sentNeurons, let so = sentOffsets else { return }
        let k = keep.pointer + s * stride
        for i in 0..<stride {
            var h = seed &+ UInt64(globalSample) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(layer) &* 0xBF58_476D_1CE4_E5B9 &+ UInt64(i) &* 0x94D0_49BB_1331_11EB
            h = (h ^ (h >> 31)) &* 0xD6E8_FEB8_6659_FD93
            h ^= h >> 32
            k[i] = i < neuronCount && Float(h >> 40) * (1.0 / 16_777_216.0) >= p ? 1 : 0
        }
        let src = spikeIndices(sample: s), off = spikeSteps(sample: s)
        let dst = sn.pointer + s * spikeCapacity, dOff = so.pointer + s * (stepCount + 1)
        var n: Int32 = 0
        for t in 0..<stepCount {
            dOff[t] = n
            for e in Int(off[t])..<Int(off[t + 1]) where k[Int(src[e])] != 0 {
                dst[Int(n)] = src[e]
                n += 1
            }
        }
        dOff[stepCount] = n
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
    /// Dropout probability for hidden neurons' outputs during this run (training only; software substrate).
    public var dropout: Float = 0
    /// Seed of the dropout masks for this run.
    public var dropoutSeed: UInt64 = 0

    /// - Parameter dropout: allocate the dropout buffers (masks, transmitted spikes) for training with dropout.
    public init(network: Network, stepCount: Int, capacity: Int, recording: Recording, dropout: Bool = false) {
        self.samples = 0..<0
        self.stepCount = stepCount
        self.capacity = capacity
        self.recording = recording
        self.membraneIsExact = true
        let last = network.layers.count - 1
        self.layers = network.layers.enumerated().map { l, layer in
            LayerRecord(
                neuronCount: layer.neuronCount, stepCount: stepCount, capacity: capacity,
                recordMembrane: recording == .full || l == last, spiking: layer.isSpiking, dropout: dropout && l < last)
        }
    }

    /// The readout membrane `[local sample][step][stride]`.
    public var readout: LayerRecord { layers[layers.count - 1] }
}

extension Recording: Equatable {}
