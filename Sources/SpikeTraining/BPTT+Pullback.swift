import SpikeCore

/// The readout seeds of a pullback: per sample a vector `v_s` over the outputs instead of a loss gradient.
struct OutputProjection {
    /// `[samples][outputs]`, read.
    let vectors: UnsafePointer<Float>
    /// `[samples][outputs]`, written: the logits `z`.
    let logits: UnsafeMutablePointer<Float>
    /// `[samples]`, written: a hash of the hidden spike raster and the readout's max-over-time steps.
    let patterns: UnsafeMutablePointer<UInt64>
    let outputs: Int

    func seed(
        sample s: Int, local: Int, trace: UnsafePointer<Float>, loss: ReadoutLoss, stepCount T: Int, outputs K: Int, stride: Int,
        seed: UnsafeMutablePointer<Float>, observation obs: Observation
    ) -> (loss: Float, predicted: Int, endStep: Int) {
        let r = loss.project(trace: trace, stepCount: T, outputs: K, stride: stride, vector: vectors + s * K, seed: seed, logits: logits + s * K)
        var h = r.pattern
        for layer in obs.layers.dropLast() {
            let offsets = layer.spikeSteps(sample: local), neurons = layer.spikeIndices(sample: local)
            for t in 0..<T {
                for k in Int(offsets[t])..<Int(offsets[t + 1]) { h = (h ^ (UInt64(t) << 32 | UInt64(UInt32(neurons[k])))) &* 0x100_0000_01B3 }
            }
        }
        patterns[s] = h
        return (0, -1, r.endStep)
    }
}

extension BPTT {
    /// The pullback of the readout logits `z(x_s)` (``ReadoutLoss``'s reduction times its scale) along per-sample
    /// vectors: `Σ_s v_sᵀ·∂z(x_s)/∂θ` by BPTT with the surrogate derivative, plus every sample's logits.
    ///
    /// With one sample and `v = e_k` this is row `k` of the surrogate-gradient Jacobian, from which the empirical
    /// neural tangent kernel is formed (``NeuralTangentTransfer``). `objective`'s regularizers are ignored.
    /// - Parameter vectors: `[samples][outputs]`.
    /// - Returns: the gradient, the logits `[samples][outputs]` and, per sample, a hash of its hidden spike raster and
    ///   max-over-time steps (equal hashes: the same piece of the piecewise-smooth network).
    public func pullback(
        network: Network, batch: SpikeBatch, substrate: Substrate, objective: Objective, vectors: [Float]
    ) throws -> (gradients: Gradients, logits: [Float], patterns: [UInt64]) {
        let K = network.outputCount
        precondition(vectors.count == batch.sampleCount * K, "vectors has \(vectors.count) values for \(batch.sampleCount) samples × \(K) outputs")
        var logits = [Float](repeating: 0, count: vectors.count)
        var patterns = [UInt64](repeating: 0, count: batch.sampleCount)
        var plain = objective
        plain.regularizers = Regularizers()
        let g = try vectors.withUnsafeBufferPointer { v in
            try logits.withUnsafeMutableBufferPointer { z in
                try patterns.withUnsafeMutableBufferPointer { p in
                    let pj = OutputProjection(vectors: v.baseAddress!, logits: z.baseAddress!, patterns: p.baseAddress!, outputs: K)
                    return try accumulate(network: network, batch: batch, substrate: substrate, objective: plain, noiseSeed: nil, projection: pj).0
                }
            }
        }
        return (g, logits, patterns)
    }
}
