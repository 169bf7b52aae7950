import Foundation
import SpikeCore

/// Adam over an ``ANNNetwork``'s weights, which are clipped to the chip's ±`weightLimit` after each step.
///
/// Kingma & Ba 2015, arXiv:1412.6980. Clipping keeps the float weights where rounding maps them (the chip
/// range), so the straight-through estimator of the weight clamp never drifts out of reach.
public struct ANNAdam: Sendable {
    public var learningRate: Float
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var weightLimit: Float?
    /// Sparse networks: 0/1 per weight (``ANNNetwork/weights`` layout, empty for layers without weights); masked
    /// weights and their moments are set to exactly zero after every step.
    public var mask: [[Float]]?
    var step = 0
    var m: [[Float]] = []
    var v: [[Float]] = []

    public init(learningRate: Float, weightLimit: Float? = 63) {
        self.learningRate = learningRate
        self.weightLimit = weightLimit
    }

    public mutating func apply(_ grads: [[Float]], to net: inout ANNNetwork) {
        if m.isEmpty {
            m = net.weights.map { [Float](repeating: 0, count: $0.count) }
            v = m
        }
        step += 1
        let c1 = 1 - Float(Foundation.pow(Double(beta1), Double(step))), c2 = 1 - Float(Foundation.pow(Double(beta2), Double(step)))
        for l in net.weights.indices where !grads[l].isEmpty {
            for i in net.weights[l].indices {
                let g = grads[l][i]
                m[l][i] = beta1 * m[l][i] + (1 - beta1) * g
                v[l][i] = beta2 * v[l][i] + (1 - beta2) * g * g
                var w = net.weights[l][i] - learningRate * (m[l][i] / c1) / ((v[l][i] / c2).squareRoot() + epsilon)
                if let limit = weightLimit { w = min(limit, max(-limit, w)) }
                net.weights[l][i] = w
            }
            if let mask, !mask[l].isEmpty {
                for i in net.weights[l].indices where mask[l][i] == 0 { (net.weights[l][i], m[l][i], v[l][i]) = (0, 0, 0) }
            }
        }
    }
}

/// Epochs of minibatch training and evaluation of an ``ANNNetwork`` on one backend.
public enum ANNTraining {
    /// Accuracy, mean loss and the chip's cost of one pass over a data set.
    public struct Summary: Sendable {
        public var loss = 0.0
        public var accuracy = 0.0
        public var chipSeconds = 0.0
        public var energyJoules = 0.0
    }

    /// One epoch over `images` (`[count][inputCount]`) in a seeded random order; `train: false` only evaluates.
    public static func epoch(
        _ net: inout ANNNetwork, optimizer: inout ANNAdam, images: [Float], labels: [Int32], batchSize: Int,
        backend: ANNBackend, seed: UInt64?, train: Bool = true
    ) throws -> Summary {
        let n = labels.count, width = net.inputCount
        precondition(images.count == n * width, "images has \(images.count) values for \(n) labels of \(width) inputs")
        var order = Array(0..<n)
        if let seed { var rng = SeededRandom(seed: seed, stream: 0x5A11); order.seededShuffle(&rng) }
        var summary = Summary()
        var correct = 0
        for start in stride(from: 0, to: n, by: batchSize) {
            let idx = order[start..<min(n, start + batchSize)]
            var x = [Float]()
            x.reserveCapacity(idx.count * width)
            for i in idx { x.append(contentsOf: images[(i * width)..<((i + 1) * width)]) }
            let y = idx.map { labels[$0] }
            let trace = try net.forward(x, batch: idx.count, backend: backend)
            let (loss, gradient, right) = net.softmaxCrossEntropy(trace.output, labels: y)
            summary.loss += loss * Double(idx.count)
            correct += right
            summary.chipSeconds += trace.chipSeconds
            summary.energyJoules += trace.energyJoules
            if train { optimizer.apply(net.backward(trace, outputGradient: gradient, backend: backend), to: &net) }
        }
        summary.loss /= Double(max(1, n))
        summary.accuracy = Double(correct) / Double(max(1, n))
        return summary
    }

    /// Accuracy and cost of `net` on a data set, without training.
    public static func evaluate(_ net: ANNNetwork, images: [Float], labels: [Int32], batchSize: Int = 500, backend: ANNBackend) throws -> Summary {
        var copy = net
        var unused = ANNAdam(learningRate: 0)
        return try epoch(&copy, optimizer: &unused, images: images, labels: labels, batchSize: batchSize, backend: backend, seed: nil, train: false)
    }
}
