extension SpikeBatch {
    /// The batch with every spike of channel `c` moved to channel `permutation[c]` (events of a step kept in
    /// ascending channel order): the tasks of permuted MNIST, where each task sees the pixels in its own fixed order.
    public func permutingChannels(_ permutation: [Int]) -> SpikeBatch {
        precondition(
            permutation.count == channelCount && Set(permutation) == Set(0..<channelCount),
            "need a permutation of 0..<\(channelCount)")
        var b = SpikeBatch(stepCount: stepCount, channelCount: channelCount, reservingEvents: eventCount)
        for s in 0..<sampleCount {
            let buckets = (0..<stepCount).map { t in
                channels[Int(offsets[s * stepCount + t])..<Int(offsets[s * stepCount + t + 1])]
                    .map { Int32(permutation[Int($0)]) }.sorted()
            }
            b.appendSample(sortedBuckets: buckets, label: labels[s])
        }
        return b
    }

    /// This batch's samples followed by `other`'s (same steps and channels): joint training on several tasks.
    public func appending(_ other: SpikeBatch) -> SpikeBatch {
        precondition(other.stepCount == stepCount && other.channelCount == channelCount, "batches differ in shape")
        var b = self
        for s in 0..<other.sampleCount { b.appendSample(from: other, sample: s) }
        return b
    }

    /// The samples whose label is in `classes`, in their order.
    public func samples(withLabels classes: Set<Int32>) -> SpikeBatch {
        subset(labels.indices.filter { classes.contains(labels[$0]) })
    }
}
