import Foundation
import SpikeCore
import SpikeModel

/// Rate coding: a value `x ∈ [0, 1]` becomes a spike train of `x · maxRate` spikes per step, at most one per step.
///
/// Converted ANNs (Diehl et al. 2015, doi:10.1109/IJCNN.2015.7280696; Schmitt et al. 2017, arXiv:1703.01909) read
/// activations as firing rates, so the input layer fires in proportion to the pixel value:
/// ```
/// regular:  channel c spikes at step t  ⇔  ⌊(t+1)·ρ + φ_c⌋ > ⌊t·ρ + φ_c⌋,   ρ = x·maxRate, φ_c = frac(c·0.618…)
/// Poisson:  channel c spikes at step t with probability ρ, independently (seeded per sample)
/// ```
/// The golden-ratio phases keep regular trains of different channels from arriving in lock-step.
public struct RateEncoder: Sendable {
    public enum Kind: String, CaseIterable, Codable, Sendable { case regular, poisson }

    public var kind: Kind
    /// Spikes per step of a value of 1 (≤ 1: one spike per step at most).
    public var maxRate: Double
    public var stepCount: Int
    /// Seed of the Poisson trains (sample `s` of a call draws from seed `seed + s`; vary it between calls).
    public var seed: UInt64

    public init(kind: Kind, maxRate: Double, stepCount: Int, seed: UInt64 = 0) {
        precondition(maxRate > 0 && maxRate <= 1, "maxRate must be in (0, 1] spikes per step, got \(maxRate)")
        precondition(stepCount > 0, "stepCount must be positive, got \(stepCount)")
        (self.kind, self.maxRate, self.stepCount, self.seed) = (kind, maxRate, stepCount, seed)
    }

    /// Encodes `images` (`[count][pixels]`, values clamped to [0, 1]) into one batch.
    public func encode(images: [Float], pixels: Int, labels: [Int32]) -> SpikeBatch {
        precondition(pixels > 0 && images.count == labels.count * pixels, "images has \(images.count) values for \(labels.count) × \(pixels)")
        var batch = SpikeBatch(stepCount: stepCount, channelCount: pixels)
        let phases = (0..<pixels).map { (Double($0) * 0.618_033_988_749_895).truncatingRemainder(dividingBy: 1) }
        var buckets = [[Int32]](repeating: [], count: stepCount)
        for s in 0..<labels.count {
            for t in 0..<stepCount { buckets[t].removeAll(keepingCapacity: true) }
            var rng = SeededRandom(seed: seed &+ UInt64(s), stream: 0x8A7E)
            for c in 0..<pixels {
                let rho = Double(min(1, max(0, images[s * pixels + c]))) * maxRate
                guard rho > 0 else { continue }
                for t in 0..<stepCount {
                    let fires: Bool
                    switch kind {
                    case .regular: fires = ((Double(t + 1) * rho + phases[c]).rounded(.down) > (Double(t) * rho + phases[c]).rounded(.down))
                    case .poisson: fires = rng.nextUnitDouble() < rho
                    }
                    if fires { buckets[t].append(Int32(c)) }
                }
            }
            batch.appendSample(sortedBuckets: buckets, label: labels[s])
        }
        return batch
    }
}
