import Foundation
import SpikeSubstrate
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
