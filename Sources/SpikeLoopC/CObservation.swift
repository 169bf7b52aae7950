import Foundation
import SpikeRun

/// What a substrate recorded of a batch, as dense arrays per layer: spikes and membranes `[B, T, n]`.
final class ObservationBox {
    let sampleCount: Int
    let stepCount: Int
    let neuronCounts: [Int]
    var spikes: [[Float]]
    var membranes: [[Float]]
    var substrateSeconds = 0.0
    var energyJoules = 0.0

    init(sampleCount: Int, stepCount: Int, neuronCounts: [Int]) {
        self.sampleCount = sampleCount
        self.stepCount = stepCount
        self.neuronCounts = neuronCounts
        spikes = neuronCounts.map { [Float](repeating: 0, count: sampleCount * stepCount * $0) }
        membranes = spikes
    }

    /// Copies chunk `obs` (samples `obs.samples` of the batch) into the dense arrays.
    func record(_ obs: Observation) {
        let steps = stepCount
        for (l, rec) in obs.layers.enumerated() {
            let n = neuronCounts[l]
            for s in obs.samples {
                let local = s - obs.samples.lowerBound
                let base = s * steps * n
                if let m = rec.membrane {
                    for t in 0..<steps {
                        let row = m.pointer + (local * steps + t) * rec.stride
                        for i in 0..<n { membranes[l][base + t * n + i] = row[i] }
                    }
                }
                guard rec.isSpiking else { continue }
                for (t, i) in rec.spikes(sample: local) { spikes[l][base + t * n + i] = 1 }
            }
        }
    }
}

/// Checks that `batch` fits `network` (channels) and, when `labelled`, that every label names an output.
func check(_ batch: SpikeBatch, fits network: Network, labelled: Bool) throws {
    guard batch.channelCount == network.inputCount else {
        throw ArgumentError("batch has \(batch.channelCount) channels, the network has \(network.inputCount) inputs")
    }
    guard batch.sampleCount > 0 else { throw ArgumentError("batch has no samples") }
    if labelled, let bad = batch.labels.first(where: { $0 < 0 || Int($0) >= network.outputCount }) {
        throw ArgumentError("label \(bad) out of 0..<\(network.outputCount) (every sample needs a class)")
    }
}

/// Runs `batch` on `substrate` with `network` loaded and records every layer (spikes, membranes).
///
/// Membranes are in the substrate's normalized units (leak 0, threshold 1); a chip's are its ADC samples
/// interpolated onto the model grid. The readout layer has no spikes (zeros).
@_cdecl("sl_run")
public func slRun(
    _ substrateHandle: UnsafeMutableRawPointer, _ networkHandle: UnsafeMutableRawPointer,
    _ batchHandle: UnsafeMutableRawPointer
) -> UnsafeMutableRawPointer? {
    guardedHandle {
        let substrate = (object(substrateHandle) as SubstrateBox).substrate
        let network = (object(networkHandle) as ModelBox).network
        let batch = (object(batchHandle) as BatchBox).batch
        try check(batch, fits: network, labelled: false)
        try substrate.load(network)
        let chunk = max(1, min(batch.sampleCount, substrate.preferredChunkSize))
        var obs = Observation(network: network, stepCount: batch.stepCount, capacity: chunk, recording: .full)
        let out = ObservationBox(
            sampleCount: batch.sampleCount, stepCount: batch.stepCount, neuronCounts: network.layers.map(\.neuronCount))
        var lo = 0
        while lo < batch.sampleCount {
            let hi = min(batch.sampleCount, lo + chunk)
            try substrate.run(batch, samples: lo..<hi, into: &obs, worker: 0)
            out.record(obs)
            out.substrateSeconds += obs.substrateSeconds ?? 0
            out.energyJoules += obs.energyJoules ?? 0
            lo = hi
        }
        return out
    }
}

/// Copies layer `l`'s spikes and membranes (`[B, T, n]` each, `count` floats) into the two buffers.
@_cdecl("sl_observation_layer")
public func slObservationLayer(
    _ handle: UnsafeMutableRawPointer, _ l: Int32, _ spikes: UnsafeMutablePointer<Float>,
    _ membranes: UnsafeMutablePointer<Float>, _ count: Int64
) -> Int32 {
    guarded {
        let o: ObservationBox = object(handle)
        guard l >= 0 && Int(l) < o.neuronCounts.count else {
            throw ArgumentError("layer \(l) out of 0..<\(o.neuronCounts.count)")
        }
        let n = o.sampleCount * o.stepCount * o.neuronCounts[Int(l)]
        guard n == Int(count) else {
            throw ArgumentError("layer \(l) holds \(n) values per array, buffers hold \(count)")
        }
        o.spikes[Int(l)].withUnsafeBufferPointer { spikes.update(from: $0.baseAddress!, count: n) }
        o.membranes[Int(l)].withUnsafeBufferPointer { membranes.update(from: $0.baseAddress!, count: n) }
    }
}

/// Emulated substrate time (s) and energy (J) of the observed run (0 on the software substrate).
@_cdecl("sl_observation_cost")
public func slObservationCost(_ handle: UnsafeMutableRawPointer, _ out: UnsafeMutablePointer<Double>) {
    let o: ObservationBox = object(handle)
    out[0] = o.substrateSeconds
    out[1] = o.energyJoules
}
