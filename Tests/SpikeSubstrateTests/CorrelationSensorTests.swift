import Foundation
import SpikeCore
import SpikeData
import SpikeSubstrate
import SpikeTraining
import Testing

@Suite struct CorrelationSensorTests {
    @Test("single pairings follow the exponential model: causal for pre before post, anti-causal for post before pre")
    func singlePairings() throws {
        let c = CorrelationSensors.Config.ideal
        for dt in [0.0, 1e-6, 5e-6, 12e-6] {
            let s = CorrelationSensors(rows: 1, columns: 2, seed: 1, config: c)
            // neuron 0 spikes dt after the input, neuron 1 dt before it
            try s.accumulate(pre: [[20e-6]], post: [[20e-6 + dt], [20e-6 - dt]])
            let r = s.read(row: 0)
            let expected = c.amplitude * exp(-dt / c.tau)
            #expect(Double(r.causal[0]) == expected.rounded(), "Δt \(dt): \(r.causal[0]) vs \(expected)")
            #expect(r.anticausal[0] == 0)
            #expect(Double(r.anticausal[1]) == (dt > 0 ? expected.rounded() : 0), "Δt \(dt): anti-causal \(r.anticausal[1])")
            #expect(dt == 0 ? r.causal[1] == UInt8(c.amplitude) : r.causal[1] == 0)
        }
    }

    @Test("nearest-neighbour pairing, saturation at 8 bits, and a row reset clears only that row")
    func pairingSaturationReset() throws {
        var c = CorrelationSensors.Config.ideal
        c.amplitude = 10
        let s = CorrelationSensors(rows: 2, columns: 1, seed: 2, config: c)
        // two inputs before one post spike: only the latest (1 µs before) pairs
        try s.accumulate(pre: [[0, 9e-6], []], post: [[10e-6]])
        #expect(Double(s.read(row: 0).causal[0]) == (10 * exp(-1e-6 / c.tau)).rounded())
        for _ in 0..<40 { try s.accumulate(pre: [[0], [0]], post: [[0]]) }
        #expect(s.read(row: 0).causal[0] == 255 && s.read(row: 1).causal[0] == 255)
        s.reset(row: 0)
        #expect(s.read(row: 0).causal[0] == 0 && s.read(row: 1).causal[0] == 255)
        #expect(throws: SubstrateError.self) { try s.accumulate(pre: [[0]], post: [[0]]) }
    }

    @Test("mismatch: each synapse has its own amplitude and time constant, fixed by the chip seed")
    func mismatch() throws {
        func readings(_ seed: UInt64) throws -> [UInt8] {
            let s = CorrelationSensors(rows: 4, columns: 8, seed: seed)
            try s.accumulate(pre: (0..<4).map { _ in [0] }, post: (0..<8).map { _ in [3e-6] })
            return (0..<4).flatMap { s.read(row: $0).causal }
        }
        let a = try readings(7), b = try readings(7), c = try readings(8)
        #expect(a == b)
        #expect(a != c)
        #expect(Set(a).count > 4, "synapses differ: \(a)")
    }
}

@Suite struct CorrelationSensorChipTests {
    @Test("sensors fed with an emulated chip's recording equal a brute-force nearest-neighbour sum of its spikes")
    func fromChipRecording() throws {
        let net = EmulatedChipTests.smallNetwork()
        let chip = EmulatedChip(seed: 1, config: ChipConfig(), calibrated: false, tauMem: 6e-6, tauSyn: 6e-6)
        try chip.load(net)
        let batch = SyntheticTasks.prototypes(samples: 3, stepCount: 20, seed: 5)
        var obs = Observation(network: net, stepCount: 20, capacity: 3, recording: .full)
        try chip.run(batch, samples: 0..<3, into: &obs, worker: 0)
        let c = CorrelationSensors.Config.ideal
        let sensors = CorrelationSensors(rows: 64, columns: 40, seed: 1, config: c)
        for s in 0..<3 { try sensors.accumulate(obs, input: batch, sample: s, layer: 0, dt: net.dt) }
        var expected = [Double](repeating: 0, count: 64 * 40), pairs = 0
        for s in 0..<3 {
            let pre = batch.events(ofSample: s), post = obs.layers[0].spikes(sample: s)
            for p in post {
                for j in 0..<64 {
                    guard let latest = pre.filter({ $0.channel == j && $0.step <= p.step }).map(\.step).max() else { continue }
                    expected[j * 40 + p.neuron] = min(255, expected[j * 40 + p.neuron] + c.amplitude * exp(-Double(p.step - latest) * net.dt / c.tau))
                    pairs += 1
                }
            }
        }
        #expect(pairs > 50, "the run should pair inputs and spikes: \(pairs)")
        for j in 0..<64 { #expect(sensors.read(row: j).causal.map(Double.init) == (0..<40).map { expected[j * 40 + $0].rounded() }, "row \(j)") }
        #expect(throws: SubstrateError.self) { try sensors.accumulate(obs, input: batch, sample: 0, layer: 1, dt: net.dt) }
    }
}
