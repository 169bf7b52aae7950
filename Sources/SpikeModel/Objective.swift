/// What training minimizes: the readout loss, the regularizers, and the surrogate used for H'.
public struct Objective: Codable, Equatable, Sendable {
    public var loss: ReadoutLoss
    public var regularizers: Regularizers
    public var surrogate: Surrogate

    public init(loss: ReadoutLoss = ReadoutLoss(), regularizers: Regularizers = Regularizers(), surrogate: Surrogate = .superSpike(beta: 50)) {
        self.loss = loss
        self.regularizers = regularizers
        self.surrogate = surrogate
    }
}

/// Gradients with the network's shapes: `weights[l]` is `[inputCount, neuronCount]`.
public struct Gradients: Sendable {
    public var weights: [[Float]]
    public var recurrent: [[Float]]

    public init(zeroLike network: Network) {
        weights = network.layers.map { [Float](repeating: 0, count: $0.weights.count) }
        recurrent = network.layers.map { [Float](repeating: 0, count: $0.recurrentWeights.count) }
    }
}
