import Foundation
import SpikeModel

/// Time-to-first-spike code: brighter pixels spike earlier, each pixel at most once (Cramer et al. 2022).
///
/// ```
/// t = τ_in · ln(x / (x − ϑ_in))    for x > ϑ_in, no spike otherwise
/// ```
/// then shifted so the earliest *possible* spike (x = 1) is at 0 and binned to `floor(t/Δt)`; spikes beyond
/// the window are dropped. The published code subtracts the minimum over each batch instead, which is the
/// same whenever a batch holds a saturated pixel (essentially every MNIST / Fashion-MNIST batch), and a fixed
/// shift keeps a sample's code independent of its batch. Defaults: τ_in = 8 µs, ϑ_in = 0.2 (seconds).
public struct LatencyEncoder: Codable, Equatable, Sendable {
    public var tauIn: Double
    public var thresholdIn: Double
    public var dt: Double
    public var stepCount: Int
    /// Shift so that a pixel of intensity 1 spikes at step 0.
    public var shiftToEarliest: Bool

    public init(tauIn: Double = 8e-6, thresholdIn: Double = 0.2, dt: Double = 1.7e-6, stepCount: Int = 20, shiftToEarliest: Bool = true) {
        self.tauIn = tauIn
        self.thresholdIn = thresholdIn
        self.dt = dt
        self.stepCount = stepCount
        self.shiftToEarliest = shiftToEarliest
    }

    /// Spike time in seconds of a pixel of intensity `x` in [0, 1], or nil.
    @inline(__always)
    public func spikeTime(_ x: Float) -> Double? {
        let v = Double(x)
        guard v > thresholdIn else { return nil }
        return tauIn * log(v / (v - thresholdIn))
    }

    /// Intensity thresholds of the step boundaries: a pixel spikes at step `k` iff `x` lies in
    /// `(bounds[k+1], bounds[k]]`, because the spike time falls monotonically with intensity. This replaces a
    /// logarithm per pixel with a few comparisons.
    func stepBounds() -> [Float] {
        let shift = shiftToEarliest ? (spikeTime(1) ?? 0) : 0
        // t(x) = shift + k·dt  ⇔  x = ϑ / (1 − exp(−(shift + k·dt)/τ))
        return (0...stepCount).map { k in
            let t = shift + Double(k) * dt
            return t <= 0 ? .infinity : Float(thresholdIn / (1 - exp(-t / tauIn)))
        }
    }

    /// Encodes images (`pixels` per image, values in [0, 1]) into a batch.
    public func encode(images: [Float], pixels: Int, labels: [Int32]) -> SpikeBatch {
        let n = labels.count
        precondition(images.count == n * pixels, "need \(n)x\(pixels) pixels, got \(images.count)")
        let bounds = stepBounds()
        let floor = Float(thresholdIn)
        var batch = SpikeBatch(stepCount: stepCount, channelCount: pixels, reservingEvents: images.count / 3)
        var buckets = [[Int32]](repeating: [], count: stepCount)
        for k in 0..<stepCount { buckets[k].reserveCapacity(pixels) }
        images.withUnsafeBufferPointer { px in
            for s in 0..<n {
                for k in 0..<stepCount { buckets[k].removeAll(keepingCapacity: true) }
                for p in 0..<pixels {
                    let x = px[s * pixels + p]
                    guard x > floor, x > bounds[stepCount] else { continue }
                    // largest k with x <= bounds[k] (bounds fall with k; bounds[0] is +inf or ≥ 1)
                    var lo = 0, hi = stepCount  // invariant: x <= bounds[lo], x > bounds[hi]
                    while hi - lo > 1 {
                        let mid = (lo + hi) / 2
                        if x <= bounds[mid] { lo = mid } else { hi = mid }
                    }
                    buckets[lo].append(Int32(p))
                }
                batch.appendSample(sortedBuckets: buckets, label: labels[s])
            }
        }
        return batch
    }
}
