import Foundation
import SpikeModel
import SpikeTraining

/// The committed fixtures (written by scripts/make-nir-fixtures.py with the `nir` package).
func fixture(_ name: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
}

/// A reference simulation from the fixture script: input spikes and, per neuron node, spikes and membranes.
struct Reference: Decodable {
    struct LayerTrace: Decodable {
        var node: String
        var spikes: [[[Int]]]  // [T][B][n]
        var v: [[[Double]]]  // [T][B][n]
    }
    var dt: Double
    var producer: String
    var steps: Int
    var batch: Int
    var channels: Int
    var input: [[[Int]]]  // [T][B][C]
    var layers: [LayerTrace]

    static func load(_ name: String) throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: fixture(name)))
    }

    /// The input as a batch of `stepCount` steps (zeros after the reference's end).
    func batch(stepCount: Int) -> SpikeBatch {
        var events: [(sample: Int, step: Int, channel: Int)] = []
        for t in 0..<steps {
            for b in 0..<batch { for c in 0..<channels where input[t][b][c] != 0 { events.append((b, t, c)) } }
        }
        return SpikeBatch(sampleCount: batch, stepCount: stepCount, channelCount: channels, events: events)
    }
}

/// Spikes `[sample][step][neuron]` and membranes of every layer of `network` on `batch` (software substrate).
func simulate(_ network: Network, _ batch: SpikeBatch) throws -> [(spikes: [[[Int]]], v: [[[Float]]])] {
    let substrate = SoftwareSubstrate(maxConcurrentRuns: 1)
    try substrate.load(network)
    var obs = Observation(network: network, stepCount: batch.stepCount, capacity: batch.sampleCount, recording: .full)
    try substrate.run(batch, samples: 0..<batch.sampleCount, into: &obs, worker: 0)
    return obs.layers.map { rec in
        var spikes = [[[Int]]](
            repeating: [[Int]](repeating: [Int](repeating: 0, count: rec.neuronCount), count: batch.stepCount),
            count: batch.sampleCount)
        var v = [[[Float]]](
            repeating: [[Float]](repeating: [Float](repeating: 0, count: rec.neuronCount), count: batch.stepCount),
            count: batch.sampleCount)
        for s in 0..<batch.sampleCount {
            if rec.isSpiking { for e in rec.spikes(sample: s) { spikes[s][e.step][e.neuron] = 1 } }
            for t in 0..<batch.stepCount {
                for i in 0..<rec.neuronCount { v[s][t][i] = rec.membrane(sample: s, step: t, neuron: i) }
            }
        }
        return (spikes, v)
    }
}

/// A seeded random input batch with spike probability `rate`.
func randomBatch(samples: Int, steps: Int, channels: Int, rate: Double, seed: UInt64) -> SpikeBatch {
    var state = seed
    func next() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) / Double(1 << 53)
    }
    var events: [(sample: Int, step: Int, channel: Int)] = []
    for s in 0..<samples {
        for t in 0..<steps { for c in 0..<channels where next() < rate { events.append((s, t, c)) } }
    }
    return SpikeBatch(sampleCount: samples, stepCount: steps, channelCount: channels, events: events)
}
