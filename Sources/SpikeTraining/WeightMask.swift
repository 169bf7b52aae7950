import Foundation
import SpikeCore

/// Which weights of a network exist: one 0/1 tensor per weight tensor (``Network/tensorNames`` order).
///
/// A masked weight is held at exactly zero: ``Optimizer`` (Adam and SGD) multiplies weights and moments by the
/// mask after every step, and a chip places no synapse for a weight that is zero (``EmulatedChip`` counts a
/// neuron's fan-in from its nonzero weights). Sparse initialisations (magnitude pruning, a random mask, Neural
/// Tangent Transfer) produce one.
public struct WeightMask: Codable, Equatable, Sendable {
    /// 0 or 1 per weight, tensor by tensor.
    public var tensors: [[Float]]

    public init(tensors: [[Float]]) {
        precondition(tensors.allSatisfy { $0.allSatisfy { $0 == 0 || $0 == 1 } }, "a mask holds only 0 and 1")
        self.tensors = tensors
    }

    /// Fraction of weights kept.
    public var density: Double {
        let n = tensors.reduce(0) { $0 + $1.count }
        return n == 0 ? 1 : Double(tensors.reduce(0) { $0 + $1.reduce(0, +) }) / Double(n)
    }

    /// `w ← w·m`, tensor by tensor.
    public func apply(to values: inout [[Float]]) {
        precondition(values.map(\.count) == tensors.map(\.count), "mask shapes \(tensors.map(\.count)) differ from \(values.map(\.count))")
        for k in values.indices { Self.multiply(&values[k], tensors[k]) }
    }

    /// Zeroes the masked weights of `network`.
    public func apply(to network: inout Network) {
        var t = network.weightTensors
        apply(to: &t)
        network.weightTensors = t
    }

    static func multiply(_ values: inout [Float], _ mask: [Float]) {
        values.withUnsafeMutableBufferPointer { v in
            mask.withUnsafeBufferPointer { m in for i in 0..<v.count { v[i] *= m[i] } }
        }
    }

    /// Keeps the `⌈density·n⌉` largest `|w|` of every tensor (the same density in every layer), among the weights
    /// that `eligible` allows (nil: all). Ties break towards the lower index, so the mask is deterministic.
    public static func magnitude(_ values: [[Float]], density: Double, eligible: [[Bool]]? = nil) -> WeightMask {
        magnitude(values, densities: values.map { _ in density }, eligible: eligible)
    }

    /// ``magnitude(_:density:eligible:)`` with a density per tensor.
    public static func magnitude(_ values: [[Float]], densities: [Double], eligible: [[Bool]]? = nil) -> WeightMask {
        precondition(densities.count == values.count && densities.allSatisfy { $0 > 0 && $0 <= 1 }, "need one density in (0, 1] per tensor, got \(densities)")
        return WeightMask(tensors: values.enumerated().map { k, w in
            let allowed = eligible?[k]
            let keep = Int((densities[k] * Double(w.count)).rounded(.up))
            let order = w.indices.filter { allowed?[$0] ?? true }.sorted { abs(w[$0]) > abs(w[$1]) || (abs(w[$0]) == abs(w[$1]) && $0 < $1) }
            var m = [Float](repeating: 0, count: w.count)
            for i in order.prefix(keep) { m[i] = 1 }
            return m
        })
    }

    /// A uniformly random mask with `⌈density·n⌉` weights per tensor (seeded), among the eligible ones.
    public static func random(sizes: [Int], density: Double, seed: UInt64, eligible: [[Bool]]? = nil) -> WeightMask {
        random(sizes: sizes, densities: sizes.map { _ in density }, seed: seed, eligible: eligible)
    }

    /// ``random(sizes:density:seed:eligible:)`` with a density per tensor.
    public static func random(sizes: [Int], densities: [Double], seed: UInt64, eligible: [[Bool]]? = nil) -> WeightMask {
        var rng = SeededRandom(seed: seed, stream: 0x5_9A25E)
        let scores = sizes.map { n in (0..<n).map { _ in rng.nextUnitFloat() + 1e-6 } }
        return magnitude(scores, densities: densities, eligible: eligible)
    }
}

extension Network {
    /// The weight tensors in ``tensorNames`` order (feed-forward, then recurrent, per layer).
    public var weightTensors: [[Float]] {
        get { layers.flatMap { $0.isRecurrent ? [$0.weights, $0.recurrentWeights] : [$0.weights] } }
        set {
            var k = 0
            for l in layers.indices {
                layers[l].weights = newValue[k]
                k += 1
                if layers[l].isRecurrent {
                    layers[l].recurrentWeights = newValue[k]
                    k += 1
                }
            }
            precondition(k == newValue.count, "network has \(k) weight tensors, got \(newValue.count)")
        }
    }
}

extension Gradients {
    /// The gradient tensors in ``Network/tensorNames`` order.
    public var tensors: [[Float]] {
        zip(weights, recurrent).flatMap { w, r in r.isEmpty ? [w] : [w, r] }
    }
}
