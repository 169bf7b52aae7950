import SpikeCore
import SpikeModel

/// Spike-domain augmentation of a spike training set (cochlea spikes, SHD), redrawn every epoch: what a change of
/// voice, loudness or recording does to the spikes, applied so that a model cannot rely on exact channels and
/// times.
///
/// Per sample, in this order: a channel shift by up to ±``channelJitter`` (formants move with the speaker), an
/// onset shift by up to ±``onsetShift`` steps (the word starts at another time), one band of up to
/// ``channelMask`` channels silenced (SpecAugment's frequency mask), one span of up to ``timeMask`` steps
/// silenced (time mask), and every remaining spike deleted with probability ``spikeDrop`` (a quieter or noisier
/// recording drives fewer fibres). Spikes moved outside the window are dropped. Deterministic for a seed and epoch.
public struct SpikeAugmentation: Equatable, Sendable {
    public var channelJitter = 0
    public var onsetShift = 0
    public var channelMask = 0
    public var timeMask = 0
    public var spikeDrop = 0.0

    public init(channelJitter: Int = 0, onsetShift: Int = 0, channelMask: Int = 0, timeMask: Int = 0, spikeDrop: Double = 0) {
        (self.channelJitter, self.onsetShift, self.channelMask, self.timeMask, self.spikeDrop) =
            (channelJitter, onsetShift, channelMask, timeMask, spikeDrop)
    }

    /// Whether anything is changed.
    public var isActive: Bool { channelJitter > 0 || onsetShift > 0 || channelMask > 0 || timeMask > 0 || spikeDrop > 0 }

    /// `batch` augmented for `epoch` (the batch itself when nothing is active).
    public func apply(to batch: SpikeBatch, seed: UInt64, epoch: Int) -> SpikeBatch {
        var b = batch
        if channelJitter > 0 {  // (the draws of the channel-jitter-only augmentation of earlier versions)
            var rng = SeededRandom(seed: seed, stream: 0xC4A7 &+ UInt64(epoch))
            let j = channelJitter
            b = b.shiftingChannels(by: (0..<b.sampleCount).map { _ in rng.nextIndex(below: 2 * j + 1) - j })
        }
        guard onsetShift > 0 || channelMask > 0 || timeMask > 0 || spikeDrop > 0 else { return b }
        var rng = SeededRandom(seed: seed, stream: 0xA46_0000 &+ UInt64(epoch))
        let T = b.stepCount, C = b.channelCount
        var out = SpikeBatch(stepCount: T, channelCount: C, reservingEvents: b.eventCount)
        var events: [(step: Int, channel: Int)] = []
        for s in 0..<b.sampleCount {
            let shift = onsetShift > 0 ? rng.nextIndex(below: 2 * onsetShift + 1) - onsetShift : 0
            let channels = band(maxWidth: channelMask, extent: C, &rng)
            let steps = band(maxWidth: timeMask, extent: T, &rng)
            events.removeAll(keepingCapacity: true)
            for t in 0..<T {
                let u = t + shift
                for k in Int(b.offsets[s * T + t])..<Int(b.offsets[s * T + t + 1]) {
                    let c = Int(b.channels[k])
                    let dropped = spikeDrop > 0 && rng.nextUnitDouble() < spikeDrop
                    guard u >= 0, u < T, !channels.contains(c), !steps.contains(u), !dropped else { continue }
                    events.append((u, c))
                }
            }
            out.appendSample(events: events, label: b.labels[s])
        }
        return out
    }

    /// A random band of width 0…`maxWidth` within `0..<extent` (empty when `maxWidth` is 0).
    private func band(maxWidth: Int, extent: Int, _ rng: inout SeededRandom) -> Range<Int> {
        guard maxWidth > 0, extent > 0 else { return 0..<0 }
        let width = min(extent, rng.nextIndex(below: maxWidth + 1))
        let start = rng.nextIndex(below: extent - width + 1)
        return start..<(start + width)
    }
}
