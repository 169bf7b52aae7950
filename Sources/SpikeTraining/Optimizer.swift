import Foundation
import SpikeCore

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
    /// Sparse networks: after every step, weights and moments are multiplied by the mask, so a masked weight stays
    /// exactly zero whatever the gradient, weight decay or momentum (Adam and SGD alike).
    public var mask: WeightMask? {
        didSet {
            precondition(mask.map { $0.tensors.map(\.count) == first.map(\.count) } ?? true, "mask shapes differ from the optimizer's tensors")
        }
    }

    public init(config: OptimizerConfig, network: Network, mask: WeightMask? = nil) {
        self.init(config: config, sizes: network.tensorSizes, mask: mask)
    }

    /// An optimizer over tensors of these sizes (``apply(_:to:learningRate:limits:workers:)``).
    public init(config: OptimizerConfig, sizes: [Int], mask: WeightMask? = nil) {
        self.config = config
        first = sizes.map { [Float](repeating: 0, count: $0) }
        second = config.kind == .adam ? sizes.map { [Float](repeating: 0, count: $0) } : []
        self.mask = mask
    }

    /// One update of plain tensors (any model's parameters, e.g. Neural Tangent Transfer's student); `limits[k]`
    /// clips tensor `k` (nil: none).
    public mutating func apply(_ grads: [[Float]], to tensors: inout [[Float]], learningRate lr: Double, limits: [Float?]? = nil, workers: Int = 1) {
        precondition(grads.map(\.count) == first.map(\.count) && tensors.map(\.count) == first.map(\.count), "tensor shapes differ from the optimizer's")
        step += 1
        let hyper = stepConstants(lr)
        var none: [Float] = []
        for k in tensors.indices {
            if hyper.adam {
                Self.update(&tensors[k], grads[k], &first[k], &second[k], hyper, limits?[k], workers)
            } else {
                Self.update(&tensors[k], grads[k], &first[k], &none, hyper, limits?[k], workers)
            }
        }
        if let mask { mask.apply(to: &tensors) }
        applyMaskToMoments()
    }

    private func stepConstants(_ lr: Double) -> AdamStep {
        AdamStep(
            lr: Float(lr), b1: Float(config.beta1), b2: Float(config.beta2), eps: Float(config.epsilon),
            bc1: Float(1 - pow(config.beta1, Double(step))), bc2: Float(1 - pow(config.beta2, Double(step))),
            wd: Float(config.weightDecay), momentum: Float(config.momentum), adam: config.kind == .adam)
    }

    private mutating func applyMaskToMoments() {
        guard let mask else { return }
        mask.apply(to: &first)
        if !second.isEmpty { mask.apply(to: &second) }
    }

    /// Applies one update with learning rate `lr`, then clips weights to their layer's `weightLimit` (and applies ``mask``).
    ///
    /// Vectorized (SIMD16) and split over `workers` threads: at batch 100 a scalar Adam over the 65k weights of
    /// the MNIST network cost as much as the forward pass.
    public mutating func apply(_ grads: Gradients, to network: inout Network, learningRate lr: Double, workers: Int = 1) {
        step += 1
        var index = 0
        let hyper = stepConstants(lr)
        var none: [Float] = []
        for l in network.layers.indices {
            let limit = network.layers[l].weightLimit
            if hyper.adam {
                Self.update(&network.layers[l].weights, grads.weights[l], &first[index], &second[index], hyper, limit, workers)
            } else {
                Self.update(&network.layers[l].weights, grads.weights[l], &first[index], &none, hyper, limit, workers)
            }
            index += 1
            if network.layers[l].isRecurrent {
                if hyper.adam {
                    Self.update(&network.layers[l].recurrentWeights, grads.recurrent[l], &first[index], &second[index], hyper, limit, workers)
                } else {
                    Self.update(&network.layers[l].recurrentWeights, grads.recurrent[l], &first[index], &none, hyper, limit, workers)
                }
                index += 1
            }
        }
        if let mask { mask.apply(to: &network) }
        applyMaskToMoments()
    }

    struct AdamStep {
        var lr, b1, b2, eps, bc1, bc2, wd, momentum: Float
        var adam: Bool
    }

    private static func update(
        _ w: inout [Float], _ g: [Float], _ m: inout [Float], _ v: inout [Float], _ h: AdamStep,
        _ limit: Float?, _ workers: Int
    ) {
        let n = w.count
        w.withUnsafeMutableBufferPointer { wb in
            g.withUnsafeBufferPointer { gb in
                m.withUnsafeMutableBufferPointer { mb in
                    v.withUnsafeMutableBufferPointer { vb in
                        let W = wb.baseAddress!, G = gb.baseAddress!, M = mb.baseAddress!
                        let VP = vb.baseAddress
                        let adam = h.adam
                        parallelChunks(count: (n + 15) / 16, workers: n > 16_384 ? workers : 1) { _, range in
                            let lo = range.lowerBound * 16
                            let hi = min(n, range.upperBound * 16)
                            if adam {
                                Self.adamRange(W, G, M, VP!, lo, hi, h, limit)
                            } else {
                                for i in lo..<hi { Self.step1(W + i, G + i, M + i, nil, h, limit) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adam over `lo..<hi`, 16 lanes at a time, with the bias corrections folded into one step size:
    /// `w −= lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε·√(1−β₂ᵗ))` (one square root and one division per weight).
    @inline(__always)
    private static func adamRange(
        _ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
        _ v: UnsafeMutablePointer<Float>, _ lo: Int, _ hi: Int, _ h: AdamStep, _ limit: Float?
    ) {
        typealias V = SIMD16<Float>
        let b1 = V(repeating: h.b1), nb1 = V(repeating: 1 - h.b1), b2 = V(repeating: h.b2), nb2 = V(repeating: 1 - h.b2)
        let wd = V(repeating: h.wd)
        let sq = h.bc2.squareRoot()
        let stepSize = V(repeating: h.lr * sq / h.bc1)
        let eps = V(repeating: h.eps * sq)
        let lim = V(repeating: limit ?? .greatestFiniteMagnitude)
        var i = lo
        while i + 16 <= hi {
            let W = UnsafeMutableRawPointer(w + i), M = UnsafeMutableRawPointer(m + i), VV = UnsafeMutableRawPointer(v + i)
            var wv = W.loadUnaligned(as: V.self)
            let gv = UnsafeRawPointer(g + i).loadUnaligned(as: V.self) + wd * wv
            let mv = b1 * M.loadUnaligned(as: V.self) + nb1 * gv
            let vv = b2 * VV.loadUnaligned(as: V.self) + nb2 * gv * gv
            wv -= stepSize * mv / (vv.squareRoot() + eps)
            // (SIMD `clamped` compiles to a per-lane loop with branches; masked replaces stay vectorized)
            wv.replace(with: lim, where: wv .> lim)
            wv.replace(with: -lim, where: wv .< -lim)
            M.storeBytes(of: mv, as: V.self)
            VV.storeBytes(of: vv, as: V.self)
            W.storeBytes(of: wv, as: V.self)
            i += 16
        }
        while i < hi {
            step1(w + i, g + i, m + i, v + i, h, limit)
            i += 1
        }
    }

    @inline(__always)
    private static func step1(
        _ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
        _ v: UnsafeMutablePointer<Float>?, _ h: AdamStep, _ limit: Float?
    ) {
        let gi = g.pointee + h.wd * w.pointee
        if let v = v {
            m.pointee = h.b1 * m.pointee + (1 - h.b1) * gi
            v.pointee = h.b2 * v.pointee + (1 - h.b2) * gi * gi
            w.pointee -= h.lr * (m.pointee / h.bc1) / ((v.pointee / h.bc2).squareRoot() + h.eps)
        } else {
            m.pointee = h.momentum * m.pointee + gi
            w.pointee -= h.lr * m.pointee
        }
        if let lim = limit { w.pointee = min(lim, max(-lim, w.pointee)) }
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
            let n = layer.weights.count
            let k = 2 * lambda / Float(n)
            var acc = SIMD16<Float>()
            var tail: Float = 0
            layer.weights.withUnsafeBufferPointer { w in
                grads.weights[l].withUnsafeMutableBufferPointer { g in
                    let full = n / 16 * 16
                    var i = 0
                    while i < full {
                        let wv = UnsafeRawPointer(w.baseAddress! + i).loadUnaligned(as: SIMD16<Float>.self)
                        let gp = UnsafeMutableRawPointer(g.baseAddress! + i)
                        gp.storeBytes(of: gp.loadUnaligned(as: SIMD16<Float>.self) + k * wv, as: SIMD16<Float>.self)
                        acc += wv * wv
                        i += 16
                    }
                    while i < n {
                        tail += w[i] * w[i]
                        g[i] += k * w[i]
                        i += 1
                    }
                }
            }
            value += Double(lambda * (acc.sum() + tail) / Float(n))
        }
        return value
    }
}
