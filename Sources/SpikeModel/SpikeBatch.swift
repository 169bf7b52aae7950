/// A batch of input spike trains as events, grouped by sample and step.
///
/// Latency-coded images spike at most once per channel, so events (not dense rasters) are what the
/// kernels consume: each event adds one weight row. Events of sample `s` at step `t` are
/// `channels[offsets[s*stepCount + t] ..< offsets[s*stepCount + t + 1]]`.
public struct SpikeBatch: Sendable {
    public private(set) var sampleCount: Int
    public let stepCount: Int
    public let channelCount: Int
    /// Channel index of each event, ordered by (sample, step).
    public private(set) var channels: [Int32]
    /// `sampleCount·stepCount + 1` prefix offsets into `channels`.
    public private(set) var offsets: [Int32]
    /// Class label per sample (−1 where unknown).
    public var labels: [Int32]
    /// Index of sample 0 within the global minibatch this batch was cut from (a data-parallel rank's share): the
    /// per-sample tie-break noise and dropout masks are seeded by the global index, so a batch split over ranks
    /// draws exactly what the whole batch draws in one process.
    public var firstSampleIndex = 0

    /// Builds a batch from unordered `(sample, step, channel)` events; events outside the window are dropped.
    public init(
        sampleCount: Int, stepCount: Int, channelCount: Int,
        events: [(sample: Int, step: Int, channel: Int)], labels: [Int32]? = nil
    ) {
        precondition(sampleCount >= 0 && stepCount > 0 && channelCount > 0, "bad batch shape")
        self.sampleCount = sampleCount
        self.stepCount = stepCount
        self.channelCount = channelCount
        let cells = sampleCount * stepCount
        var counts = [Int32](repeating: 0, count: cells + 1)
        for e in events where e.step >= 0 && e.step < stepCount {
            precondition(e.sample >= 0 && e.sample < sampleCount, "event sample \(e.sample) out of 0..<\(sampleCount)")
            precondition(e.channel >= 0 && e.channel < channelCount, "event channel \(e.channel) out of 0..<\(channelCount)")
            counts[e.sample * stepCount + e.step + 1] += 1
        }
        for i in 0..<cells { counts[i + 1] += counts[i] }
        var fill = counts
        var ch = [Int32](repeating: 0, count: Int(counts[cells]))
        for e in events where e.step >= 0 && e.step < stepCount {
            let cell = e.sample * stepCount + e.step
            ch[Int(fill[cell])] = Int32(e.channel)
            fill[cell] += 1
        }
        // Sort channels within each cell so the order never depends on how events were listed.
        for c in 0..<cells where counts[c + 1] - counts[c] > 1 {
            ch[Int(counts[c])..<Int(counts[c + 1])].sort()
        }
        self.channels = ch
        self.offsets = counts
        self.labels = labels ?? [Int32](repeating: -1, count: sampleCount)
        precondition(self.labels.count == sampleCount, "need \(sampleCount) labels, got \(self.labels.count)")
    }

    /// An empty batch to be filled with `append`, for building batches without intermediate tuples.
    public init(stepCount: Int, channelCount: Int, reservingEvents: Int = 0) {
        self.sampleCount = 0
        self.stepCount = stepCount
        self.channelCount = channelCount
        self.channels = []
        self.channels.reserveCapacity(reservingEvents)
        self.offsets = [0]
        self.labels = []
    }

    public var eventCount: Int { channels.count }

    /// Events of one sample as `(step, channel)` pairs, for reports and tests.
    public func events(ofSample s: Int) -> [(step: Int, channel: Int)] {
        var out: [(Int, Int)] = []
        for t in 0..<stepCount {
            for k in Int(offsets[s * stepCount + t])..<Int(offsets[s * stepCount + t + 1]) {
                out.append((t, Int(channels[k])))
            }
        }
        return out
    }

    /// A batch made of the given samples of this one (in that order).
    public func subset(_ samples: [Int]) -> SpikeBatch {
        // (reserve what the chosen samples hold: one-sample subsets of a large set are taken in hot loops)
        let events = samples.reduce(0) { $0 + Int(offsets[($1 + 1) * stepCount] - offsets[$1 * stepCount]) }
        var b = SpikeBatch(stepCount: stepCount, channelCount: channelCount, reservingEvents: events)
        for s in samples {
            b.appendSample(from: self, sample: s)
        }
        return b
    }

    /// The batch with every spike of sample `s` moved `shifts[s]` channels up (down if negative); spikes shifted
    /// off either edge are dropped. Channel-shift augmentation for tonotopic inputs (a speaker's formants move).
    public func shiftingChannels(by shifts: [Int]) -> SpikeBatch {
        precondition(shifts.count == sampleCount, "need one shift per sample")
        var b = SpikeBatch(stepCount: stepCount, channelCount: channelCount, reservingEvents: eventCount)
        for s in 0..<sampleCount {
            let d = Int32(shifts[s])
            for t in 0..<stepCount {
                for k in Int(offsets[s * stepCount + t])..<Int(offsets[s * stepCount + t + 1]) {
                    let c = channels[k] + d
                    if c >= 0 && c < Int32(channelCount) { b.channels.append(c) }
                }
                b.offsets.append(Int32(b.channels.count))
            }
            b.labels.append(labels[s])
            b.sampleCount += 1
        }
        return b
    }

    mutating func appendSample(from other: SpikeBatch, sample s: Int) {
        let base = s * other.stepCount
        for t in 0..<stepCount {
            let lo = Int(other.offsets[base + t])
            let hi = Int(other.offsets[base + t + 1])
            channels.append(contentsOf: other.channels[lo..<hi])
            offsets.append(Int32(channels.count))
        }
        labels.append(other.labels[s])
        sampleCount += 1
    }

    /// Appends one sample given as per-step lists of channels (each list ascending), `buckets.count == stepCount`.
    public mutating func appendSample(sortedBuckets buckets: [[Int32]], label: Int32) {
        precondition(buckets.count == stepCount, "need \(stepCount) step buckets, got \(buckets.count)")
        for t in 0..<stepCount {
            channels.append(contentsOf: buckets[t])
            offsets.append(Int32(channels.count))
        }
        labels.append(label)
        sampleCount += 1
    }

    /// Appends one sample given as `(step, channel)` events (any order; out-of-window steps dropped).
    public mutating func appendSample(events: [(step: Int, channel: Int)], label: Int32) {
        var sorted = events.filter { $0.step >= 0 && $0.step < stepCount }
        sorted.sort { ($0.step, $0.channel) < ($1.step, $1.channel) }
        var k = 0
        for t in 0..<stepCount {
            while k < sorted.count && sorted[k].step == t {
                precondition(sorted[k].channel >= 0 && sorted[k].channel < channelCount, "channel \(sorted[k].channel) out of range")
                channels.append(Int32(sorted[k].channel))
                k += 1
            }
            offsets.append(Int32(channels.count))
        }
        labels.append(label)
        sampleCount += 1
    }
}
