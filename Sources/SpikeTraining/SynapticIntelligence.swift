/// Synaptic Intelligence (Zenke, Poole & Ganguli 2017, arXiv:1703.04200): a per-weight importance measured along
/// the training trajectory, and a quadratic penalty that keeps important weights near their values after earlier
/// tasks, so that a network trained on a sequence of tasks does not forget the first ones.
///
/// ```
/// during a task:   ω_k += −g_k·Δθ_k          g: gradient of the task loss alone, Δθ: the applied update
/// end of a task:   Ω_k += max(0, ω_k / ((θ_k − θ̃_k)² + ξ)),   θ̃ ← θ,   ω ← 0
/// later tasks:     loss += c·Σ_k Ω_k·(θ_k − θ̃_k)²
/// ```
/// θ are the host's float weights — also in the loop on an emulated chip, where the chip runs their 6-bit
/// quantization: the path integral is taken over what the optimizer changes, and the quantization error of the
/// chip enters only through the gradients it produced.
public struct SynapticIntelligence: Sendable {
    /// Penalty strength `c` (published: 1 for split MNIST, 0.1 for permuted MNIST).
    public var strength: Float
    /// Damping `ξ` (published: 1e-3 split, 0.1 permuted).
    public var damping: Float
    /// `ω`: this task's path integral, per weight (network layout: `[layer][input·neurons]`).
    public private(set) var pathIntegral: Gradients
    /// `Ω`: the importance consolidated at the end of every earlier task.
    public private(set) var importance: Gradients
    /// `θ̃`: the weights at the end of the previous task (the start of this one).
    public private(set) var anchor: Network

    public init(network: Network, strength: Float, damping: Float) {
        self.strength = strength
        self.damping = damping
        pathIntegral = Gradients(zeroLike: network)
        importance = Gradients(zeroLike: network)
        anchor = network
    }

    /// Adds the penalty's gradient `2c·Ω·(θ − θ̃)` to `grads` and returns the penalty `c·Σ Ω·(θ − θ̃)²`.
    public func addPenalty(of network: Network, to grads: inout Gradients) -> Double {
        var penalty = 0.0
        for l in network.layers.indices {
            penalty += Self.penalty(network.layers[l].weights, anchor.layers[l].weights, importance.weights[l], strength, &grads.weights[l])
            penalty += Self.penalty(
                network.layers[l].recurrentWeights, anchor.layers[l].recurrentWeights, importance.recurrent[l], strength,
                &grads.recurrent[l])
        }
        return penalty
    }

    private static func penalty(_ w: [Float], _ a: [Float], _ omega: [Float], _ c: Float, _ g: inout [Float]) -> Double {
        var sum = 0.0
        for i in w.indices where omega[i] != 0 {
            let d = w[i] - a[i]
            g[i] += 2 * c * omega[i] * d
            sum += Double(omega[i] * d * d)
        }
        return Double(c) * sum
    }

    /// `ω += −g·(θ_after − θ_before)` for one optimizer step, `g` the task loss's gradient alone.
    public mutating func accumulate(taskGradient g: Gradients, before: Network, after: Network) {
        for l in after.layers.indices {
            Self.accumulate(&pathIntegral.weights[l], g.weights[l], before.layers[l].weights, after.layers[l].weights)
            Self.accumulate(
                &pathIntegral.recurrent[l], g.recurrent[l], before.layers[l].recurrentWeights, after.layers[l].recurrentWeights)
        }
    }

    private static func accumulate(_ omega: inout [Float], _ g: [Float], _ before: [Float], _ after: [Float]) {
        for i in omega.indices { omega[i] -= g[i] * (after[i] - before[i]) }
    }

    /// Ends a task: `Ω += max(0, ω / ((θ − θ̃)² + ξ))`, then `θ̃ ← θ` and `ω ← 0`.
    public mutating func consolidate(_ network: Network) {
        for l in network.layers.indices {
            Self.consolidate(&importance.weights[l], &pathIntegral.weights[l], network.layers[l].weights, anchor.layers[l].weights, damping)
            Self.consolidate(
                &importance.recurrent[l], &pathIntegral.recurrent[l], network.layers[l].recurrentWeights,
                anchor.layers[l].recurrentWeights, damping)
        }
        anchor = network
    }

    private static func consolidate(_ big: inout [Float], _ omega: inout [Float], _ w: [Float], _ a: [Float], _ xi: Float) {
        for i in big.indices {
            let d = w[i] - a[i]
            big[i] += max(0, omega[i] / (d * d + xi))
            omega[i] = 0
        }
    }
}
