import Testing
import SpikeCore
import SpikeData
import SpikeModel

/// Spike-domain augmentation: seeded and deterministic, and each transformation does what it says.
@Suite struct SpikeAugmentationTests {
    /// Every channel spikes at every step (so masks and shifts are visible in the counts).
    static func dense(samples: Int = 6, steps: Int = 30, channels: Int = 20) -> SpikeBatch {
        let events = (0..<samples).flatMap { s in (0..<steps).flatMap { t in (0..<channels).map { c in (s, t, c) } } }
        return SpikeBatch(sampleCount: samples, stepCount: steps, channelCount: channels, events: events.map { (sample: $0.0, step: $0.1, channel: $0.2) }, labels: (0..<samples).map { Int32($0) })
    }

    static func cells(_ b: SpikeBatch, sample s: Int) -> Set<[Int]> {
        var out = Set<[Int]>()
        for t in 0..<b.stepCount {
            for k in Int(b.offsets[s * b.stepCount + t])..<Int(b.offsets[s * b.stepCount + t + 1]) { out.insert([t, Int(b.channels[k])]) }
        }
        return out
    }

    @Test("each augmentation is seeded and deterministic: same seed and epoch, same batch; another epoch, another")
    func deterministic() {
        let b = Self.dense()
        let all = SpikeAugmentation(channelJitter: 2, onsetShift: 3, channelMask: 4, timeMask: 5, spikeDrop: 0.1)
        for aug in [SpikeAugmentation(onsetShift: 3), SpikeAugmentation(channelMask: 4), SpikeAugmentation(timeMask: 5),
                    SpikeAugmentation(spikeDrop: 0.2), SpikeAugmentation(channelJitter: 2), all] {
            let x = aug.apply(to: b, seed: 7, epoch: 1), y = aug.apply(to: b, seed: 7, epoch: 1), z = aug.apply(to: b, seed: 7, epoch: 2)
            #expect(x.channels == y.channels && x.offsets == y.offsets && x.labels == b.labels)
            #expect(x.channels != z.channels || x.offsets != z.offsets, "\(aug)")
        }
        #expect(SpikeAugmentation().apply(to: b, seed: 1, epoch: 0).channels == b.channels)
    }

    @Test("masks silence one band of channels and one span of steps; an onset shift moves the whole sample in time")
    func transformations() {
        let b = Self.dense(samples: 8)
        let masked = SpikeAugmentation(channelMask: 5, timeMask: 6).apply(to: b, seed: 3, epoch: 0)
        for s in 0..<8 {
            let kept = Self.cells(masked, sample: s)
            let silentChannels = (0..<20).filter { c in !kept.contains { $0[1] == c } }
            let silentSteps = (0..<30).filter { t in !kept.contains { $0[0] == t } }
            #expect(silentChannels.count <= 5 && silentSteps.count <= 6)
            if let lo = silentChannels.first { #expect(silentChannels == Array(lo..<(lo + silentChannels.count))) }
            // everything outside the two bands survives
            #expect(kept.count == (20 - silentChannels.count) * (30 - silentSteps.count))
        }
        let shifted = SpikeAugmentation(onsetShift: 4).apply(to: b, seed: 3, epoch: 0)
        for s in 0..<8 {
            let steps = Set(Self.cells(shifted, sample: s).map { $0[0] })
            let d = steps.contains(0) ? -(30 - steps.count) : 30 - steps.count  // spikes shifted out are dropped
            #expect(abs(d) <= 4 && steps == Set(max(0, d)..<min(30, 30 + d)))
        }
        let dropped = SpikeAugmentation(spikeDrop: 0.25).apply(to: b, seed: 3, epoch: 0)
        let fraction = Double(dropped.eventCount) / Double(b.eventCount)
        #expect(abs(fraction - 0.75) < 0.03, "kept \(fraction)")
    }
}
