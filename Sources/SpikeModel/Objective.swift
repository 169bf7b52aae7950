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

extension Gradients {
    /// Whether every gradient value is finite (a NaN or ±∞ means the batch diverged).
    public var allFinite: Bool { (weights + recurrent).allSatisfy(allFinite(_:)) }
}

extension Network {
    /// Whether every weight is finite.
    public var allWeightsFinite: Bool { layers.allSatisfy { allFinite($0.weights) && allFinite($0.recurrentWeights) } }
}

/// True when no value of `values` is NaN or infinite (vectorized: `x − x` is 0 only for finite x).
func allFinite(_ values: [Float]) -> Bool {
    values.withUnsafeBufferPointer { p in
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= p.count {
            let x = UnsafeRawPointer(p.baseAddress! + i).loadUnaligned(as: SIMD16<Float>.self)
            acc += x - x
            i += 16
        }
        var tail: Float = 0
        while i < p.count {
            tail += p[i] - p[i]
            i += 1
        }
        return acc.sum() + tail == 0
    }
}
