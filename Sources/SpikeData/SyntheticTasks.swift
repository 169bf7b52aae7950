import SpikeCore
import SpikeModel

/// Seeded synthetic spike datasets: the SG-MLP16 benchmark input and a small learnable task.
public enum SyntheticTasks {
    /// The SG-MLP16 workload's input (core issue): 16×16 images where each pixel is "on" with probability
    /// 0.3 (intensity uniform in (0.2, 1]) else uniform in [0, 0.2]; an on-pixel spikes once at step
    /// `round((1 − x)·29)`. Labels are uniform random over 10 classes.
    public static func sgMLP16(samples: Int, stepCount: Int = 100, seed: UInt64) -> SpikeBatch {
        var rng = SeededRandom(seed: seed, stream: 0x5617)
        var batch = SpikeBatch(stepCount: stepCount, channelCount: 256, reservingEvents: samples * 80)
        var events: [(step: Int, channel: Int)] = []
        for _ in 0..<samples {
            events.removeAll(keepingCapacity: true)
            for ch in 0..<256 {
                let on = rng.nextUnitFloat() < 0.3
                if on {
                    let x = 0.2 + 0.8 * (1 - rng.nextUnitFloat())  // (0.2, 1]
                    events.append((Int(((1 - x) * 29).rounded()), ch))
                } else {
                    _ = rng.nextUnitFloat()
                }
            }
            batch.appendSample(events: events, label: Int32(rng.nextIndex(below: 10)))
        }
        return batch
    }

    /// Random input shaped like the paper's SHD setup (what `scripts/make-shd-shaped.py` writes, after its 700
    /// channels are subsampled to `channels` = 70): 6,000–10,000 spikes per 700-channel utterance, so a tenth of
    /// that on 70 channels, uniform over channels and steps; labels uniform over 20 classes. For throughput only.
    public static func shdShaped(samples: Int, stepCount: Int = 250, channels: Int = 70, seed: UInt64) -> SpikeBatch {
        var rng = SeededRandom(seed: seed, stream: 0x5D0)
        let perChannel = Double(channels) / 700
        var batch = SpikeBatch(stepCount: stepCount, channelCount: channels, reservingEvents: samples * Int(8000 * perChannel))
        for _ in 0..<samples {
            let k = Int((Double(6000 + rng.nextIndex(below: 4000)) * perChannel).rounded())
            let events = (0..<k).map { _ in (step: rng.nextIndex(below: stepCount), channel: rng.nextIndex(below: channels)) }
            batch.appendSample(events: events, label: Int32(rng.nextIndex(below: 20)))
        }
        return batch
    }

    /// The SG-MLP16 pixel statistics as intensities in [0, 1] (for encoding with `LatencyEncoder`).
    public static func sgMLP16Pixels(samples: Int, seed: UInt64) -> [Float] {
        var rng = SeededRandom(seed: seed, stream: 0x5618)
        return (0..<(samples * 256)).map { _ in
            rng.nextUnitFloat() < 0.3 ? 0.2 + 0.8 * (1 - rng.nextUnitFloat()) : 0.2 * rng.nextUnitFloat()
        }
    }

    /// A learnable latency-coded task: each class has a prototype (a random subset of channels with
    /// random latencies); a sample is its class prototype with jittered times, dropped and spurious spikes.
    /// Used by `make demo` before a dataset is installed, and by tests.
    public static func prototypes(
        samples: Int, classes: Int = 10, channels: Int = 64, stepCount: Int = 20, activeFraction: Double = 0.3,
        jitter: Int = 1, dropProbability: Double = 0.1, noiseSpikes: Int = 2, seed: UInt64, prototypeSeed: UInt64 = 42
    ) -> SpikeBatch {
        var prng = SeededRandom(seed: prototypeSeed, stream: 0xC1A55)
        var protos: [[(step: Int, channel: Int)]] = []
        for _ in 0..<classes {
            var p: [(step: Int, channel: Int)] = []
            for ch in 0..<channels where prng.nextUnitDouble() < activeFraction {
                p.append((prng.nextIndex(below: max(1, stepCount * 2 / 3)), ch))
            }
            protos.append(p)
        }
        var rng = SeededRandom(seed: seed, stream: 0xDA7A)
        var batch = SpikeBatch(stepCount: stepCount, channelCount: channels)
        for _ in 0..<samples {
            let label = rng.nextIndex(below: classes)
            var ev: [(step: Int, channel: Int)] = []
            for e in protos[label] where rng.nextUnitDouble() >= dropProbability {
                let dt = jitter > 0 ? rng.nextIndex(below: 2 * jitter + 1) - jitter : 0
                ev.append((min(stepCount - 1, max(0, e.step + dt)), e.channel))
            }
            for _ in 0..<noiseSpikes { ev.append((rng.nextIndex(below: stepCount), rng.nextIndex(below: channels))) }
            // at most one spike per channel (latency code): keep the earliest
            var seen = Set<Int>()
            ev.sort { $0.step < $1.step }
            ev = ev.filter { seen.insert($0.channel).inserted }
            batch.appendSample(events: ev, label: Int32(label))
        }
        return batch
    }
}
