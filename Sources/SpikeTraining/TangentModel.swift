import SpikeCore

/// A model seen through its outputs on a fixed set of unlabeled inputs: what ``NeuralTangentTransfer`` needs.
///
/// Conformances: ``SNNTangentModel`` (surrogate-gradient BPTT) and SpikeANN's `ANNTangentModel` (ReLU networks).
public protocol TangentModel {
    /// The trainable tensors (a ``WeightMask`` has the same layout).
    var parameters: [[Float]] { get set }
    var outputCount: Int { get }
    /// Per tensor, the range `±limit` the parameters are clipped to after each step (nil: none).
    var parameterLimits: [Float?] { get }
    /// The outputs `z(x_s)` of `samples` and the pullback `Σ_s v_sᵀ·∂z(x_s)/∂θ`.
    /// - Parameter vectors: `[samples.count][outputCount]`.
    func pullback(samples: [Int], vectors: [Float]) throws -> TangentPullback
}

extension TangentModel {
    public var parameterLimits: [Float?] { parameters.map { _ in nil } }
}

/// What ``TangentModel/pullback(samples:vectors:)`` returns.
public struct TangentPullback: Sendable {
    /// `Σ_s v_sᵀ·∂z(x_s)/∂θ`, in ``TangentModel/parameters`` layout.
    public var gradient: [[Float]]
    /// `[samples][outputs]`.
    public var outputs: [Float]
    /// Per sample, a hash of the discrete state that selects the smooth piece the sample is on (ReLU signs; spike
    /// raster and max-over-time steps): equal hashes mean the Jacobian moved smoothly between two evaluations.
    public var patterns: [UInt64]

    public init(gradient: [[Float]], outputs: [Float], patterns: [UInt64]) {
        (self.gradient, self.outputs, self.patterns) = (gradient, outputs, patterns)
    }
}

/// A spiking network on unlabeled input spikes, differentiated by BPTT with the surrogate derivative.
///
/// Its outputs are the readout logits `z_k = scale·max_t V_k[t]` (the loss's reduction), so the tangent kernel
/// `Θ(x, x') = Σ_k ∂z_k(x)/∂θ · ∂z_k(x')/∂θ` is the surrogate-gradient network's: the Jacobian rows are per-sample
/// BPTT pullbacks of unit (or random) vectors, exactly the gradients training follows.
public final class SNNTangentModel: TangentModel, @unchecked Sendable {
    public var network: Network
    public let inputs: SpikeBatch
    public let substrate: Substrate
    public let objective: Objective
    private let engine: BPTT

    public init(network: Network, inputs: SpikeBatch, substrate: Substrate, objective: Objective, workers: Int = 1) {
        self.network = network
        self.inputs = inputs
        self.substrate = substrate
        self.objective = objective
        engine = BPTT(network: network, stepCount: inputs.stepCount, workers: workers, chunk: max(1, substrate.preferredChunkSize))
    }

    public var parameters: [[Float]] {
        get { network.weightTensors }
        set { network.weightTensors = newValue }
    }

    public var outputCount: Int { network.outputCount }

    /// The layers' weight limits (the chip's range), so that NTT ends where training can start.
    public var parameterLimits: [Float?] { network.layers.flatMap { $0.isRecurrent ? [$0.weightLimit, $0.weightLimit] : [$0.weightLimit] } }

    public func pullback(samples: [Int], vectors: [Float]) throws -> TangentPullback {
        try substrate.load(network)
        let r = try engine.pullback(network: network, batch: inputs.subset(samples), substrate: substrate, objective: objective, vectors: vectors)
        return TangentPullback(gradient: r.gradients.tensors, outputs: r.logits, patterns: r.patterns)
    }
}
