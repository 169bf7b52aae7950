import Foundation

/// Which update rule applies gradients.
public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
    case adam
    case sgd
}

/// Optimizer settings; the learning rate decays by `decayFactor` every `decayEvery` epochs (step decay).
public struct OptimizerConfig: Codable, Equatable, Sendable {
    public var kind: OptimizerKind = .adam
    public var learningRate: Double = 1.5e-3
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    public var epsilon: Double = 1e-8
    /// Coupled L2 weight decay added to the gradient (PyTorch `Adam(weight_decay=)`).
    public var weightDecay: Double = 0
    /// SGD momentum.
    public var momentum: Double = 0.9
    public var decayFactor: Double = 1
    public var decayEvery: Int = 1

    public init(
        kind: OptimizerKind = .adam, learningRate: Double = 1.5e-3, weightDecay: Double = 0, momentum: Double = 0.9,
        decayFactor: Double = 1, decayEvery: Int = 1
    ) {
        self.kind = kind
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.decayFactor = decayFactor
        self.decayEvery = decayEvery
    }

    /// Learning rate in effect during `epoch` (0-based).
    public func learningRate(epoch: Int) -> Double {
        learningRate * pow(decayFactor, Double(epoch / max(1, decayEvery)))
    }
}

/// Adam (Kingma & Ba 2015, arXiv:1412.6980) or SGD with momentum over all weight tensors.
///
/// State (moments, step count) is part of a checkpoint, so a resumed run continues bit-identically.
public struct Optimizer: Sendable {
    public var config: OptimizerConfig
    public internal(set) var step: Int = 0
    /// First moment (Adam) or velocity (SGD), one array per tensor, in `Network.tensorNames` order.
    public internal(set) var first: [[Float]]
    /// Second moment (Adam only).
    public internal(set) var second: [[Float]]

    public init(config: OptimizerConfig, network: Network) {
        self.config = config
        let sizes = network.tensorSizes
        first = sizes.map { [Float](repeating: 0, count: $0) }
        second = config.kind == .adam ? sizes.map { [Float](repeating: 0, count: $0) } : []
    }

    /// Applies one update with learning rate `lr`, then clips hidden weights to their `weightLimit`.
    public mutating func apply(_ grads: Gradients, to network: inout Network, learningRate lr: Double) {
        step += 1
        var index = 0
        let wd = Float(config.weightDecay)
        let b1 = Float(config.beta1)
        let b2 = Float(config.beta2)
        let eps = Float(config.epsilon)
        let bc1 = Float(1 - pow(config.beta1, Double(step)))
        let bc2 = Float(1 - pow(config.beta2, Double(step)))
        let lrF = Float(lr)
        let mom = Float(config.momentum)
        let kind = config.kind
        func update(_ w: inout [Float], _ g: [Float], _ k: Int) {
            let n = w.count
            w.withUnsafeMutableBufferPointer { wp in
                g.withUnsafeBufferPointer { gp in
                    first[k].withUnsafeMutableBufferPointer { m in
                        if kind == .adam {
                            second[k].withUnsafeMutableBufferPointer { v in
                                for i in 0..<n {
                                    let gi = gp[i] + wd * wp[i]
                                    m[i] = b1 * m[i] + (1 - b1) * gi
                                    v[i] = b2 * v[i] + (1 - b2) * gi * gi
                                    let mh = m[i] / bc1
                                    let vh = v[i] / bc2
                                    wp[i] -= lrF * mh / (vh.squareRoot() + eps)
                                }
                            }
                        } else {
                            for i in 0..<n {
                                let gi = gp[i] + wd * wp[i]
                                m[i] = mom * m[i] + gi
                                wp[i] -= lrF * m[i]
                            }
                        }
                    }
                }
            }
        }
        for l in network.layers.indices {
            update(&network.layers[l].weights, grads.weights[l], index)
            index += 1
            if network.layers[l].isRecurrent {
                update(&network.layers[l].recurrentWeights, grads.recurrent[l], index)
                index += 1
            }
            if let lim = network.layers[l].weightLimit {
                network.layers[l].weights.withUnsafeMutableBufferPointer { w in
                    for i in w.indices { w[i] = min(lim, max(-lim, w[i])) }
                }
                network.layers[l].recurrentWeights.withUnsafeMutableBufferPointer { w in
                    for i in w.indices { w[i] = min(lim, max(-lim, w[i])) }
                }
            }
        }
    }
}

extension Network {
    /// Names of the weight tensors in checkpoint order: `layers.{l}.weight` and `layers.{l}.recurrent_weight`.
    public var tensorNames: [String] {
        layers.enumerated().flatMap { l, layer in
            layer.isRecurrent ? ["layers.\(l).weight", "layers.\(l).recurrent_weight"] : ["layers.\(l).weight"]
        }
    }

    var tensorSizes: [Int] {
        layers.flatMap { $0.isRecurrent ? [$0.weights.count, $0.recurrentWeights.count] : [$0.weights.count] }
    }

    /// Adds the weight-L2 regularizer's gradient and returns its value: `λ·mean(W²)` per layer.
    public func addWeightL2(_ regs: Regularizers, to grads: inout Gradients) -> Double {
        var value = 0.0
        for (l, layer) in layers.enumerated() {
            let lambda = l == layers.count - 1 ? regs.readoutL2 : regs.hiddenL2
            guard lambda != 0 else { continue }
            let n = Float(layer.weights.count)
            var s: Float = 0
            for i in layer.weights.indices {
                let w = layer.weights[i]
                s += w * w
                grads.weights[l][i] += 2 * lambda * w / n
            }
            value += Double(lambda * s / n)
        }
        return value
    }
}
