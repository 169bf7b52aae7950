import Foundation
import SpikeCore

extension NeuralTangentTransfer {
    /// The projection vectors of one iteration: `√K·e_k` for every output (exact trace kernel), or R standard
    /// normal vectors (an unbiased estimate of it: `E[vvᵀ] = I`).
    public func projectionVectors(_ rng: inout SeededRandom) -> [[Float]] {
        let K = student.outputCount
        guard let R = settings.projections else {
            return (0..<K).map { k in (0..<K).map { $0 == k ? Float(K).squareRoot() : 0 } }
        }
        return (0..<R).map { _ in (0..<K).map { _ in Float(rng.nextGaussian()) } }
    }

    /// Runs ``NTTSettings/iterations`` Adam steps on random batches of `sampleCount` inputs; `progress` sees every
    /// iteration's loss (before its step). Returns the student's final weights `θ⊙m` and the mask.
    public func run(sampleCount: Int, progress: (Int, Evaluation) -> Void = { _, _ in }) throws -> (weights: [[Float]], mask: WeightMask) {
        precondition(sampleCount >= settings.batchSize, "NTT batch \(settings.batchSize) exceeds the \(sampleCount) inputs")
        var optimizer = Optimizer(config: OptimizerConfig(kind: .adam, learningRate: settings.learningRate), sizes: parameters.map(\.count))
        var rng = SeededRandom(seed: settings.seed, stream: 0x4E77)
        for it in 0..<settings.iterations {
            var chosen = Set<Int>(), batch: [Int] = []
            while batch.count < settings.batchSize {
                let i = rng.nextIndex(below: sampleCount)
                if chosen.insert(i).inserted { batch.append(i) }
            }
            let ev = try evaluate(batch: batch, vectors: projectionVectors(&rng))
            progress(it, ev)
            guard ev.gradient.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
                throw TrainingError.diverged(epoch: 1, batch: it + 1, reason: "the NTT gradient is not finite")
            }
            var p = parameters
            optimizer.apply(ev.gradient, to: &p, learningRate: settings.learningRate, limits: student.parameterLimits)
            setParameters(p)
            if (it + 1) % settings.maskUpdateEvery == 0 { remask() }
        }
        return (masked(parameters), mask)
    }

    /// The mask by magnitude of the current θ.
    func remask() {
        setMask(WeightMask.magnitude(
            parameters, densities: settings.tensorDensities ?? parameters.map { _ in settings.density }, eligible: eligible?(parameters)))
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count, "dot of \(a.count) and \(b.count) values")
        return a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                var acc = SIMD8<Double>(), i = 0
                while i + 8 <= x.count {
                    for k in 0..<8 { acc[k] += Double(x[i + k]) * Double(y[i + k]) }
                    i += 8
                }
                var s = acc.sum()
                while i < x.count { s += Double(x[i]) * Double(y[i]); i += 1 }
                return s
            }
        }
    }

    /// `y += a·x`.
    static func axpy(_ a: Float, _ x: [Float], _ y: inout [Float]) {
        precondition(x.count == y.count, "axpy of \(x.count) and \(y.count) values")
        guard a != 0 else { return }
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in for i in 0..<yp.count { yp[i] += a * xp[i] } } }
    }

    static func multiply(_ x: inout [Float], _ m: [Float]) { WeightMask.multiply(&x, m) }

    static func unflatten(_ flat: [Float], _ sizes: [Int]) -> [[Float]] {
        var out: [[Float]] = [], o = 0
        for n in sizes {
            out.append(Array(flat[o..<(o + n)]))
            o += n
        }
        return out
    }
}
