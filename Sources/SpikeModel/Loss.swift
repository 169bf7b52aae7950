import Foundation
import SpikeCore

/// How the readout traces become class scores for softmax cross-entropy.
public enum ReadoutReduction: String, Codable, Sendable, CaseIterable {
    /// `z_k = scale·max_t V_k[t]` (images; Cramer et al. 2022 use scale 10).
    case maxOverTime = "max"
    /// `z_k = scale·Σ_t V_k[t]` (speech, SHD).
    case sumOverTime = "sum"
    /// `z_k = scale·V_k[T−1]`.
    case lastStep = "last"
}

/// Softmax cross-entropy on a reduction of the readout membranes, averaged over the batch.
///
/// Gotcha (DESIGN §3): at the start every trace is 0, so max-over-time picks t = 0 where nothing depends on
/// the weights; as in the published code, `tieBreakNoise` adds tiny uniform noise to the traces when
/// choosing t* during training.
public struct ReadoutLoss: Codable, Equatable, Sendable {
    public var reduction: ReadoutReduction
    public var scale: Float
    public var tieBreakNoise: Float
    /// Multi-head readout (task-incremental continual learning, e.g. split MNIST): the outputs form heads of this
    /// many classes, and a sample labelled `y` is scored, predicted and trained on head `⌊y / headSize⌋` alone
    /// (the task is known at test time). nil: one head over all outputs.
    public var headSize: Int?

    public init(reduction: ReadoutReduction = .maxOverTime, scale: Float = 1, tieBreakNoise: Float = 1e-5, headSize: Int? = nil) {
        self.reduction = reduction
        self.scale = scale
        self.tieBreakNoise = tieBreakNoise
        self.headSize = headSize
    }

    /// The outputs that score a sample labelled `label` among `K` (all of them for one head or an unknown label).
    @inlinable
    public func head(of label: Int, outputs K: Int) -> Range<Int> {
        guard let h = headSize, h > 0, label >= 0 else { return 0..<K }
        let lo = min(K, (label / h) * h)
        return lo..<min(K, lo + h)
    }
}

/// Activity and weight regularizers, each with its strength (0 disables it). Counts are per sample.
///
/// ```
/// burst:      ρ_b·(1/N)·Σ_i c_i²                 c_i = Σ_t S_i[t] (Cramer et al. 2022, ρ_b = 5e-4)
/// amplitude:  ρ_a·(1/K)·Σ_k (max_t V_k)²
/// upper:      ρ_u·(1/N)·Σ_i max(0, c_i − ϑ_u)²    homeostatic bounds (Zenke & Vogels 2021)
/// lower:      ρ_l·(1/N)·Σ_i max(0, ϑ_l − c_i)²
/// L2:         λ_l·mean(W_l²) per layer (hidden layers 0.1 in the paper)
/// ```
/// The activity terms apply to every hidden layer and are averaged over the batch.
public struct Regularizers: Codable, Equatable, Sendable {
    public var burst: Float = 0
    public var readoutAmplitude: Float = 0
    public var upperBound: Float = 0
    public var upperThreshold: Float = 1
    public var lowerBound: Float = 0
    public var lowerThreshold: Float = 0
    public var hiddenL2: Float = 0
    public var readoutL2: Float = 0

    public init(
        burst: Float = 0, readoutAmplitude: Float = 0, upperBound: Float = 0, upperThreshold: Float = 1,
        lowerBound: Float = 0, lowerThreshold: Float = 0, hiddenL2: Float = 0, readoutL2: Float = 0
    ) {
        self.burst = burst
        self.readoutAmplitude = readoutAmplitude
        self.upperBound = upperBound
        self.upperThreshold = upperThreshold
        self.lowerBound = lowerBound
        self.lowerThreshold = lowerThreshold
        self.hiddenL2 = hiddenL2
        self.readoutL2 = readoutL2
    }

    package var actsOnCounts: Bool { burst != 0 || upperBound != 0 || lowerBound != 0 }

    /// Value of the count terms and `∂/∂S_i[t]` (the same for every t) for one sample's counts.
    package func countTerms(counts: UnsafePointer<Float>, n: Int, gradient: UnsafeMutablePointer<Float>?, weight: Float) -> Float {
        var value: Float = 0
        let invN = 1 / Float(n)
        for i in 0..<n {
            let c = counts[i]
            var g: Float = 0
            if burst != 0 {
                value += burst * invN * c * c
                g += 2 * burst * invN * c
            }
            if upperBound != 0, c > upperThreshold {
                let e = c - upperThreshold
                value += upperBound * invN * e * e
                g += 2 * upperBound * invN * e
            }
            if lowerBound != 0, c < lowerThreshold {
                let e = lowerThreshold - c
                value += lowerBound * invN * e * e
                g -= 2 * lowerBound * invN * e
            }
            gradient?[i] = g * weight
        }
        return value
    }
}

/// Deterministic tie-break noise in [0, 1): a 32-bit hash of (seed, step, lane), vectorized over 16 outputs.
///
/// Replaces a sequential RNG so that the noise costs a few integer ops per step and does not depend on
/// which worker handles a sample.
@inline(__always)
package func tieBreakNoise(seed: UInt32, step: Int) -> SIMD16<Float> {
    var h = SIMD16<UInt32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) &+ SIMD16(repeating: seed &+ UInt32(truncatingIfNeeded: step) &* 0x9E37_79B9)
    h = (h ^ (h &>> 16)) &* 0x7FEB_352D
    h = (h ^ (h &>> 15)) &* 0x846C_A68B
    h = h ^ (h &>> 16)
    return SIMD16<Float>(h &>> 8) * (1.0 / 16_777_216.0)
}

extension ReadoutLoss {
    /// Loss of one sample from its readout trace `[T][stride]`; writes `weight·dℓ/dV[t]` into `seed`.
    ///
    /// Returns the loss (cross-entropy plus the amplitude regularizer), the predicted class and the last
    /// step with a non-zero seed plus one (where the backward pass may start). `noiseSeed` (training only)
    /// adds `tieBreakNoise·u`, u ∈ [0, 1), to the traces when choosing t*.
    package func evaluate(
        trace: UnsafePointer<Float>, stepCount T: Int, outputs K: Int, stride: Int, label: Int,
        amplitude: Float, seed: UnsafeMutablePointer<Float>?, weight: Float, noiseSeed: UInt32?
    ) -> (loss: Float, predicted: Int, endStep: Int) {
        precondition(stride % 16 == 0 && K <= stride, "readout stride \(stride) must be a multiple of 16 covering \(K) outputs")
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * stride) { buf in
            let peak = buf.baseAddress!
            let p = peak + stride
            return withUnsafeTemporaryAllocation(of: Int32.self, capacity: stride) { atBuf in
                let at = atBuf.baseAddress!
                reduce(trace: trace, stepCount: T, stride: stride, noiseSeed: noiseSeed, peak: peak, at: at)
                return finish(
                    trace: trace, stepCount: T, outputs: K, stride: stride, label: label, amplitude: amplitude,
                    seed: seed, weight: weight, peak: peak, at: at, p: p)
            }
        }
    }

    /// The logits `z_k = scale·reduce_t V_k[t]` of one sample and the seed of the pullback `Σ_k v_k·∂z_k/∂V[t]`
    /// (no tie-break noise): what a Jacobian–vector product of the network's outputs needs (Neural Tangent
    /// Transfer). Writes `z` into `logits`; returns the last step with a non-zero seed plus one and a hash of the
    /// max-over-time steps (which change the Jacobian discontinuously).
    package func project(
        trace: UnsafePointer<Float>, stepCount T: Int, outputs K: Int, stride: Int, vector: UnsafePointer<Float>,
        seed: UnsafeMutablePointer<Float>, logits: UnsafeMutablePointer<Float>
    ) -> (endStep: Int, pattern: UInt64) {
        precondition(stride % 16 == 0 && K <= stride, "readout stride \(stride) must be a multiple of 16 covering \(K) outputs")
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: stride) { peak in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: stride) { atBuf in
                let at = atBuf.baseAddress!
                reduce(trace: trace, stepCount: T, stride: stride, noiseSeed: nil, peak: peak.baseAddress!, at: at)
                seed.update(repeating: 0, count: T * stride)
                var end = 0
                var hash: UInt64 = 0xCBF2_9CE4_8422_2325
                for k in 0..<K {
                    logits[k] = scale * peak[k]
                    let d = scale * vector[k]
                    switch reduction {
                    case .maxOverTime:
                        seed[Int(at[k]) * stride + k] = d
                        end = max(end, Int(at[k]) + 1)
                        hash = (hash ^ UInt64(at[k])) &* 0x100_0000_01B3
                    case .sumOverTime:
                        for t in 0..<T { seed[t * stride + k] = d }
                        end = T
                    case .lastStep:
                        seed[(T - 1) * stride + k] = d
                        end = T
                    }
                }
                return (end, hash)
            }
        }
    }

    /// Reduces the traces over time, 16 outputs at a time: `peak[k]` and, for max, its step `at[k]`.
    @inline(__always)
    private func reduce(
        trace: UnsafePointer<Float>, stepCount T: Int, stride: Int, noiseSeed: UInt32?,
        peak: UnsafeMutablePointer<Float>, at: UnsafeMutablePointer<Int32>
    ) {
        let rows = UnsafeRawPointer(trace).assumingMemoryBound(to: SIMD16<Float>.self)
        let C = stride / 16
        for c in 0..<C {
            var pk = SIMD16<Float>()
            var a = SIMD16<Int32>()
            switch reduction {
            case .maxOverTime:
                var best = SIMD16<Float>(repeating: -.infinity)
                if let ns = noiseSeed {
                    let eps = SIMD16<Float>(repeating: tieBreakNoise)
                    for t in 0..<T {
                        let v = rows[t * C + c] + eps * SpikeModel.tieBreakNoise(seed: ns &+ UInt32(c) &* 16, step: t)
                        let better = v .> best
                        best.replace(with: v, where: better)
                        a.replace(with: Int32(t), where: better)
                    }
                    for k in 0..<16 { pk[k] = trace[Int(a[k]) * stride + c * 16 + k] }
                } else {
                    for t in 0..<T {
                        let v = rows[t * C + c]
                        let better = v .> best
                        best.replace(with: v, where: better)
                        a.replace(with: Int32(t), where: better)
                    }
                    pk = best
                }
            case .sumOverTime:
                for t in 0..<T { pk += rows[t * C + c] }
            case .lastStep:
                pk = rows[(T - 1) * C + c]
            }
            for k in 0..<16 {
                peak[c * 16 + k] = pk[k]
                at[c * 16 + k] = a[k]
            }
        }
    }

    @inline(__always)
    private func finish(
        trace: UnsafePointer<Float>, stepCount T: Int, outputs K: Int, stride: Int, label: Int, amplitude: Float,
        seed: UnsafeMutablePointer<Float>?, weight: Float, peak: UnsafeMutablePointer<Float>,
        at: UnsafeMutablePointer<Int32>, p: UnsafeMutablePointer<Float>
    ) -> (loss: Float, predicted: Int, endStep: Int) {
        let active = head(of: label, outputs: K)
        var zmax = -Float.infinity
        var predicted = active.lowerBound
        for k in active where scale * peak[k] > zmax {
            zmax = scale * peak[k]
            predicted = k
        }
        var sum: Float = 0
        for k in active {
            p[k] = expf(scale * peak[k] - zmax)
            sum += p[k]
        }
        for k in active { p[k] /= sum }
        var loss: Float = 0
        if label >= 0 && label < K { loss = -logf(max(p[label], 1e-30)) }
        if amplitude != 0 {
            for k in active { loss += amplitude * peak[k] * peak[k] / Float(active.count) }
        }
        var end = 0
        if let seed = seed {
            seed.update(repeating: 0, count: T * stride)
            for k in active {
                let y: Float = k == label ? 1 : 0
                let dz = label >= 0 ? (p[k] - y) * scale : 0
                let dPeak = (dz + 2 * amplitude * peak[k] / Float(active.count)) * weight
                switch reduction {
                case .maxOverTime:
                    seed[Int(at[k]) * stride + k] += dPeak
                    end = max(end, Int(at[k]) + 1)
                case .sumOverTime:
                    for t in 0..<T { seed[t * stride + k] += dPeak }
                    end = T
                case .lastStep:
                    seed[(T - 1) * stride + k] += dPeak
                    end = T
                }
            }
        }
        return (loss, predicted, end)
    }
}
