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

    public init(reduction: ReadoutReduction = .maxOverTime, scale: Float = 1, tieBreakNoise: Float = 1e-5) {
        self.reduction = reduction
        self.scale = scale
        self.tieBreakNoise = tieBreakNoise
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

    var actsOnCounts: Bool { burst != 0 || upperBound != 0 || lowerBound != 0 }

    /// Value of the count terms and `∂/∂S_i[t]` (the same for every t) for one sample's counts.
    func countTerms(counts: UnsafePointer<Float>, n: Int, gradient: UnsafeMutablePointer<Float>?, weight: Float) -> Float {
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

extension ReadoutLoss {
    /// Loss of one sample from its readout trace `[T][stride]`; writes `weight·dℓ/dV[t]` into `seed`.
    ///
    /// Returns the loss (cross-entropy plus the amplitude regularizer), the predicted class and the last
    /// step with a non-zero seed plus one (where the backward pass may start).
    func evaluate(
        trace: UnsafePointer<Float>, stepCount T: Int, outputs K: Int, stride: Int, label: Int,
        amplitude: Float, seed: UnsafeMutablePointer<Float>?, weight: Float, noise: inout SeededRandom?
    ) -> (loss: Float, predicted: Int, endStep: Int) {
        var z = [Float](repeating: 0, count: K)
        var peak = [Float](repeating: 0, count: K)
        var at = [Int](repeating: 0, count: K)
        switch reduction {
        case .maxOverTime:
            for k in 0..<K {
                var best = -Float.infinity
                var bestT = 0
                for t in 0..<T {
                    var v = trace[t * stride + k]
                    if noise != nil { v += tieBreakNoise * noise!.nextUnitFloat() }
                    if v > best {
                        best = v
                        bestT = t
                    }
                }
                at[k] = bestT
                peak[k] = trace[bestT * stride + k]
                z[k] = scale * peak[k]
            }
        case .sumOverTime:
            for t in 0..<T { for k in 0..<K { z[k] += trace[t * stride + k] } }
            for k in 0..<K {
                peak[k] = z[k]
                z[k] *= scale
            }
        case .lastStep:
            for k in 0..<K {
                peak[k] = trace[(T - 1) * stride + k]
                z[k] = scale * peak[k]
            }
        }
        var zmax = -Float.infinity
        var predicted = 0
        for k in 0..<K where z[k] > zmax {
            zmax = z[k]
            predicted = k
        }
        var sum: Float = 0
        var p = [Float](repeating: 0, count: K)
        for k in 0..<K {
            p[k] = expf(z[k] - zmax)
            sum += p[k]
        }
        for k in 0..<K { p[k] /= sum }
        var loss: Float = 0
        if label >= 0 && label < K { loss = -logf(max(p[label], 1e-30)) }
        var ampValue: Float = 0
        if amplitude != 0 {
            // amplitude acts on the per-output peak (max reduction) or the reduced value
            for k in 0..<K { ampValue += amplitude * peak[k] * peak[k] / Float(K) }
        }
        var end = 0
        if let seed = seed {
            seed.update(repeating: 0, count: T * stride)
            for k in 0..<K {
                let y: Float = k == label ? 1 : 0
                let dz = label >= 0 ? (p[k] - y) * scale : 0
                let dPeak = dz + 2 * amplitude * peak[k] / Float(K)
                switch reduction {
                case .maxOverTime:
                    seed[at[k] * stride + k] += dPeak * weight
                    end = max(end, at[k] + 1)
                case .sumOverTime:
                    for t in 0..<T { seed[t * stride + k] += dPeak * weight }
                    end = T
                case .lastStep:
                    seed[(T - 1) * stride + k] += dPeak * weight
                    end = T
                }
            }
        }
        return (loss + ampValue, predicted, end)
    }
}
