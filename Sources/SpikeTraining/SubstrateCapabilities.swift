/// What a substrate can do, declared by the substrate itself, so that training code asks instead of
/// checking concrete types: a new substrate (a remote chip, several chips, a GPU) needs no edit in
/// `SpikeTraining`.
public struct SubstrateCapabilities: Sendable, Equatable {
    /// Recordings equal the model's discrete-time trajectory exactly (the software simulator). Engines that
    /// recompute membranes from the model instead of reading them (streaming online rules, exact RTRL) need it.
    public var exactMembranes: Bool
    /// Hidden neurons' outputs can be dropped per sample during a run (`RunOptions.dropout`).
    public var dropout: Bool
    /// A run can record only spikes and the readout's membrane (`Recording.readout`), so that memory does
    /// not grow with the hidden layers' membranes.
    public var streamingWithoutMembranes: Bool
    /// The device runs a learning rule itself (on-chip plasticity); the host then does no backward pass.
    public var onDeviceLearning: Bool
    /// Largest number of inputs one neuron can take (nil: unlimited).
    public var maxFanIn: Int?
    /// Largest number of neurons of all layers together (nil: unlimited).
    public var maxNeurons: Int?
    /// How many `run` calls may proceed at once (1 for a single physical device).
    public var maxConcurrentRuns: Int
    /// Samples per `run` call that keep the work hot in cache (or fit the device's memory).
    public var preferredChunkSize: Int

    public init(
        exactMembranes: Bool, dropout: Bool = false, streamingWithoutMembranes: Bool = true, onDeviceLearning: Bool = false,
        maxFanIn: Int? = nil, maxNeurons: Int? = nil, maxConcurrentRuns: Int = 1, preferredChunkSize: Int = 1
    ) {
        self.exactMembranes = exactMembranes
        self.dropout = dropout
        self.streamingWithoutMembranes = streamingWithoutMembranes
        self.onDeviceLearning = onDeviceLearning
        self.maxFanIn = maxFanIn
        self.maxNeurons = maxNeurons
        self.maxConcurrentRuns = maxConcurrentRuns
        self.preferredChunkSize = preferredChunkSize
    }
}

/// Settings of one `Substrate.run` that are not part of the network: training-time options the caller
/// chooses per batch. They travel into the run, never back through the `Observation`.
public struct RunOptions: Sendable, Equatable {
    /// Unit dropout on hidden spikes (training only), or nil.
    public var dropout: HiddenDropout?

    public init(dropout: HiddenDropout? = nil) {
        self.dropout = dropout
    }
}

/// Unit dropout on hidden spikes: each hidden neuron's output is dropped for a whole sample with probability
/// `probability`; the neuron still fires and resets, the next layer does not receive its spikes.
///
/// The mask is a pure function of (seed, global sample, layer, neuron), so the substrate that applies it and
/// the backward pass that differentiates through it agree without passing masks around.
public struct HiddenDropout: Sendable, Equatable {
    public var probability: Float
    public var seed: UInt64

    public init(probability: Float, seed: UInt64) {
        self.probability = probability
        self.seed = seed
    }

    /// Whether neuron `neuron` of layer `layer` transmits its spikes for global sample `sample`.
    @inline(__always)
    public func keeps(sample: Int, layer: Int, neuron: Int) -> Bool {
        var h = seed &+ UInt64(sample) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(layer) &* 0xBF58_476D_1CE4_E5B9
            &+ UInt64(neuron) &* 0x94D0_49BB_1331_11EB
        h = (h ^ (h >> 31)) &* 0xD6E8_FEB8_6659_FD93
        h ^= h >> 32
        return Float(h >> 40) * (1.0 / 16_777_216.0) >= probability
    }

    /// Writes the keep mask `[stride]` (1 kept, 0 dropped; padding lanes 0) of one sample and layer.
    public func fillMask(sample: Int, layer: Int, neuronCount: Int, stride: Int, into mask: UnsafeMutablePointer<Float>) {
        for i in 0..<stride { mask[i] = i < neuronCount && keeps(sample: sample, layer: layer, neuron: i) ? 1 : 0 }
    }

    /// Copies the spikes of kept neurons (`offsets[T+1]`, `indices`) into `sentOffsets`/`sentIndices`.
    public static func filter(
        stepCount T: Int, offsets: UnsafePointer<Int32>, indices: UnsafePointer<Int32>, mask: UnsafePointer<Float>,
        sentOffsets: UnsafeMutablePointer<Int32>, sentIndices: UnsafeMutablePointer<Int32>
    ) {
        var n: Int32 = 0
        for t in 0..<T {
            sentOffsets[t] = n
            for e in Int(offsets[t])..<Int(offsets[t + 1]) where mask[Int(indices[e])] != 0 {
                sentIndices[Int(n)] = indices[e]
                n += 1
            }
        }
        sentOffsets[T] = n
    }
}
