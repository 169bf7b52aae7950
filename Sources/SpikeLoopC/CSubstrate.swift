import Foundation
import SpikeRun

/// A substrate and the spec it was made from.
final class SubstrateBox {
    let spec: SubstrateSpec
    let substrate: Substrate
    init(spec: SubstrateSpec, substrate: Substrate) {
        self.spec = spec
        self.substrate = substrate
    }
}

/// A batch of input spikes with labels.
final class BatchBox {
    let batch: SpikeBatch
    init(_ batch: SpikeBatch) { self.batch = batch }
}

/// Chip settings from JSON: `calibrated`, `mismatchScale`, `noise`, `decalibration`, `substeps`.
func chipSettings(_ dict: [String: Any]) throws -> ChipSettings {
    let known: Set<String> = ["calibrated", "mismatchScale", "noise", "decalibration", "substeps"]
    if let bad = dict.keys.first(where: { !known.contains($0) }) {
        throw RunError(
            .invalidSetting, subject: "chip",
            "unknown chip option '\(bad)' (known: \(known.sorted().joined(separator: ", ")))")
    }
    func number(_ key: String) throws -> Double? {
        guard let v = dict[key], !(v is NSNull) else { return nil }
        guard let n = v as? NSNumber else {
            throw RunError(.invalidSetting, subject: key, "expected a number, got \(v)")
        }
        return n.doubleValue
    }
    var s = ChipSettings()
    if let c = dict["calibrated"] as? Bool { s.calibrated = c }
    if let m = try number("mismatchScale") {
        guard m >= 0 else {
            throw RunError(.invalidSetting, subject: "mismatchScale", "must not be negative, got \(m)")
        }
        s.mismatchScale = m
    }
    s.noise = try number("noise")
    if let d = try number("decalibration") {
        guard d >= 0 else {
            throw RunError(.invalidSetting, subject: "decalibration", "must not be negative, got \(d)")
        }
        s.decalibration = d
    }
    if let n = try number("substeps") {
        guard n >= 1 else { throw RunError(.invalidSetting, subject: "substeps", "must be positive, got \(n)") }
        s.substeps = Int(n)
    }
    return s
}

/// Makes a substrate (`software`, `chip` or `chip:SEED`); a chip is calibrated to the first layer's time
/// constants of `network` (required for a chip, ignored otherwise); `chipJSON` holds the chip options.
@_cdecl("sl_substrate_create")
public func slSubstrateCreate(
    _ spec: UnsafePointer<CChar>, _ chipJSON: UnsafePointer<CChar>?, _ network: UnsafeMutableRawPointer?
) -> UnsafeMutableRawPointer? {
    guardedHandle {
        let parsed = try SubstrateSpec(parsing: String(cString: spec))
        let options = try chipSettings(try settings(chipJSON))
        guard let network else {
            guard !parsed.isChip else {
                throw ArgumentError("a chip is calibrated to a network's time constants: pass the network")
            }
            return SubstrateBox(spec: parsed, substrate: SoftwareSubstrate())
        }
        let model: ModelBox = object(network)
        let substrate = try parsed.makeSubstrate(for: model.network, chip: options)
        return SubstrateBox(spec: parsed, substrate: substrate)
    }
}

/// The substrate's name (`software`, `chip:3`), owned by the handle.
@_cdecl("sl_substrate_name")
public func slSubstrateName(_ handle: UnsafeMutableRawPointer) -> UnsafeMutablePointer<CChar>? {
    strdup((object(handle) as SubstrateBox).substrate.name)
}

/// A batch from `count` events `(samples[k], steps[k], channels[k])` of `sampleCount` samples of `stepCount`
/// steps over `channelCount` channels, with one label per sample (null: −1, unknown).
@_cdecl("sl_batch_create")
public func slBatchCreate(
    _ sampleCount: Int64, _ stepCount: Int64, _ channelCount: Int64, _ samples: UnsafePointer<Int32>?,
    _ steps: UnsafePointer<Int32>?, _ channels: UnsafePointer<Int32>?, _ count: Int64, _ labels: UnsafePointer<Int32>?
) -> UnsafeMutableRawPointer? {
    guardedHandle {
        guard sampleCount >= 0, stepCount > 0, channelCount > 0, count >= 0 else {
            throw ArgumentError(
                "batch shape [\(sampleCount), \(stepCount), \(channelCount)] with \(count) events is invalid")
        }
        guard count == 0 || (samples != nil && steps != nil && channels != nil) else {
            throw ArgumentError("\(count) events but no event arrays")
        }
        var events: [(sample: Int, step: Int, channel: Int)] = []
        events.reserveCapacity(Int(count))
        for k in 0..<Int(count) {
            let (s, t, c) = (Int(samples![k]), Int(steps![k]), Int(channels![k]))
            guard s >= 0 && s < sampleCount, t >= 0 && t < stepCount, c >= 0 && c < channelCount else {
                throw ArgumentError(
                    "event \(k) at (sample \(s), step \(t), channel \(c)) lies outside [\(sampleCount), \(stepCount), \(channelCount)]"
                )
            }
            events.append((s, t, c))
        }
        let labelArray = labels.map { Array(UnsafeBufferPointer(start: $0, count: Int(sampleCount))) }
        return BatchBox(
            SpikeBatch(
                sampleCount: Int(sampleCount), stepCount: Int(stepCount), channelCount: Int(channelCount),
                events: events, labels: labelArray))
    }
}

/// A split of a built-in dataset (0 train, 1 validation, 2 test) encoded as the JSON settings say.
@_cdecl("sl_dataset_load")
public func slDatasetLoad(_ json: UnsafePointer<CChar>?, _ split: Int32) -> UnsafeMutableRawPointer? {
    guardedHandle {
        guard (0...2).contains(split) else {
            throw ArgumentError("split must be 0 (train), 1 (validation) or 2 (test), got \(split)")
        }
        let data = try RunData.load(try runConfig(json), needTrain: split < 2)
        return BatchBox(split == 0 ? data.train : split == 1 ? data.validation : data.test)
    }
}

/// Shape of a batch: samples, steps, channels and event count.
@_cdecl("sl_batch_shape")
public func slBatchShape(_ handle: UnsafeMutableRawPointer, _ shape: UnsafeMutablePointer<Int64>) {
    let b = (object(handle) as BatchBox).batch
    shape[0] = Int64(b.sampleCount)
    shape[1] = Int64(b.stepCount)
    shape[2] = Int64(b.channelCount)
    shape[3] = Int64(b.eventCount)
}

/// Copies the events (sorted by sample, step, channel) and the labels out of a batch; buffers sized by `sl_batch_shape`.
@_cdecl("sl_batch_events")
public func slBatchEvents(
    _ handle: UnsafeMutableRawPointer, _ samples: UnsafeMutablePointer<Int32>, _ steps: UnsafeMutablePointer<Int32>,
    _ channels: UnsafeMutablePointer<Int32>, _ labels: UnsafeMutablePointer<Int32>
) {
    let b = (object(handle) as BatchBox).batch
    var k = 0
    for s in 0..<b.sampleCount {
        for t in 0..<b.stepCount {
            for e in Int(b.offsets[s * b.stepCount + t])..<Int(b.offsets[s * b.stepCount + t + 1]) {
                samples[k] = Int32(s)
                steps[k] = Int32(t)
                channels[k] = b.channels[e]
                k += 1
            }
        }
        labels[s] = b.labels[s]
    }
}
