import Foundation
import SpikeCore
import SpikeModel

/// Documented transforms from SHD samples to a `SpikeBatch` on the model's grid.
public struct SHDBinning: Equatable, Sendable {
    /// Model time step, seconds (after `timeScale`).
    public var dt: Double
    public var stepCount: Int
    /// Multiplies spike times first (the paper fed the chip SHD ÷ 2000: 1 s → 500 µs).
    public var timeScale: Double
    /// Channel subsampling: drop the first `channelOffset` channels, then keep every `channelStride`-th
    /// (the paper: 70 and 9 → 70 channels of 700).
    public var channelOffset: Int
    public var channelStride: Int
    public var sourceChannels: Int

    public init(dt: Double, stepCount: Int, timeScale: Double = 1, channelOffset: Int = 0, channelStride: Int = 1, sourceChannels: Int = 700) {
        self.dt = dt
        self.stepCount = stepCount
        self.timeScale = timeScale
        self.channelOffset = channelOffset
        self.channelStride = channelStride
        self.sourceChannels = sourceChannels
    }

    /// Checks the settings against their ranges (a zero stride would divide by zero, a zero `dt` makes every
    /// step infinite); `source` names the flag or config file they came from.
    public func validate(source: String = "SHD binning") throws {
        let check = InputCheck(source: source)
        try datasetChecks {
            try check.finite(dt, in: Double.leastNormalMagnitude...1e3, field: "dt", unit: " s")
            try check.inRange(stepCount, 1...1_000_000, field: "stepCount")
            try check.finite(timeScale, in: Double.leastNormalMagnitude...1e9, field: "timeScale")
            try check.inRange(sourceChannels, 1...65_536, field: "sourceChannels")
            try check.inRange(channelOffset, 0...(sourceChannels - 1), field: "channelOffset")
            try check.inRange(channelStride, 1...sourceChannels, field: "channelStride")
        }
    }

    /// The paper's chip setup: 70 channels (drop 70, every 9th), time ÷ 2000.
    public static func paperChip(dt: Double, stepCount: Int) -> SHDBinning {
        SHDBinning(dt: dt, stepCount: stepCount, timeScale: 1.0 / 2000, channelOffset: 70, channelStride: 9)
    }

    public var channelCount: Int { (sourceChannels - channelOffset + channelStride - 1) / channelStride }

    /// Bins a sample: step `floor(t·scale/dt)` (dropped beyond the window); duplicates in a bin are kept.
    public func events(_ s: SHDSample) -> [(step: Int, channel: Int)] {
        var out: [(step: Int, channel: Int)] = []
        for k in s.times.indices {
            let u = Int(s.units[k]) - channelOffset
            guard u >= 0, u % channelStride == 0 else { continue }
            // Compare in floating point first: a time of 1e20 s must drop out, not trap in the Int conversion.
            let x = (s.times[k] * timeScale / dt).rounded(.down)
            guard x >= 0, x < Double(stepCount) else { continue }
            out.append((Int(x), u / channelStride))
        }
        return out
    }

    /// A batch from samples `indices` of `file`, read one at a time.
    public func batch(_ file: SHDFile, indices: [Int]) throws -> SpikeBatch {
        var b = SpikeBatch(stepCount: stepCount, channelCount: channelCount)
        for i in indices {
            let s = try file.sample(i)
            b.appendSample(events: events(s), label: s.label)
        }
        return b
    }
}
