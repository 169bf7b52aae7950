import Foundation
import Testing
import SpikeCore
import SpikeTraining

@Suite struct NeuronModelTests {
    /// One sample with a single input event on channel 0 at step `at`.
    static func kick(steps: Int, at: Int) -> SpikeBatch {
        var b = SpikeBatch(stepCount: steps, channelCount: 1)
        b.appendSample(events: [(at, 0)], label: 0)
        return b
    }

    static func membrane(_ p: NeuronParameters, weight: Float, steps: Int = 12, at: Int = 2) throws -> [Float] {
        let net = Network(dt: 1e-3, layers: [
            Layer(kind: .lif, inputCount: 1, neuronCount: 1, parameters: p, weights: [weight]),
            Layer(kind: .leakyReadout, inputCount: 1, neuronCount: 1, parameters: p, weights: [0]),
        ])
        let sw = SoftwareSubstrate()
        try sw.load(net)
        var obs = Observation(network: net, stepCount: steps, capacity: 1, recording: .full)
        try sw.run(kick(steps: steps, at: at), samples: 0..<1, into: &obs, worker: 0)
        return (0..<steps).map { obs.layers[0].membrane(sample: 0, step: $0, neuron: 0) }
    }

    @Test("a neuron rests at v_leak and relaxes back to it after a kick (LIF: V − v_leak decays by β)")
    func restsAtLeak() throws {
        let p = NeuronParameters(family: .lif, tauMem: 4e-3, tauSyn: 1e-3, vThreshold: 10, vLeak: 0.5)
        let v = try Self.membrane(p, weight: 1)
        #expect(v[0] == 0.5 && v[2] == 0.5)
        let beta = exp(-1e-3 / 4e-3)
        #expect(abs(Double(v[3]) - 1.5) < 1e-6, "jump by r·w at the event: \(v[3])")
        #expect(abs(Double(v[6]) - (0.5 + pow(beta, 3))) < 1e-5, "relaxation: \(v[6])")
    }

    @Test("integrate-and-fire keeps its charge, then resets to v_reset")
    func integrateAndFire() throws {
        let keep = try Self.membrane(NeuronParameters(family: .integrateAndFire, tauMem: 1, tauSyn: 1, vThreshold: 5), weight: 0.75)
        #expect(keep[3...].allSatisfy { $0 == 0.75 }, "\(keep)")
        let fire = try Self.membrane(
            NeuronParameters(family: .integrateAndFire, tauMem: 1, tauSyn: 1, vThreshold: 0.5, vReset: -0.25, reset: .zero), weight: 0.75)
        #expect(fire[3] == 0.75 && fire[4] == -0.25, "\(fire)")
        let sub = try Self.membrane(
            NeuronParameters(family: .integrateAndFire, tauMem: 1, tauSyn: 1, vThreshold: 0.5, vReset: -0.25, reset: .subtract), weight: 0.75)
        #expect(sub[4] == 0.75 - 0.75, "subtract moves by ϑ − v_reset: \(sub)")
    }

    @Test("parameters saved before the families existed decode as CUBA-LIF at leak 0, reset 0, r 1")
    func decodesOldParameters() throws {
        let old = #"{"tauMem":6e-06,"tauSyn":6e-06,"vThreshold":1,"reset":"subtract","resetGradient":"detached","currentTiming":"same-step","inputScaling":"unit"}"#
        let p = try JSONDecoder().decode(NeuronParameters.self, from: Data(old.utf8))
        #expect(p == NeuronParameters.paper)
        let round = try JSONDecoder().decode(NeuronParameters.self, from: JSONEncoder().encode(NeuronParameters(family: .lif, tauMem: 1e-3, tauSyn: 2e-3, vLeak: 0.1, vReset: -0.2, r: 2)))
        #expect(round.family == .lif && round.vLeak == 0.1 && round.vReset == -0.2 && round.r == 2)
    }

    @Test("Euler discretization gives 1 − dt/τ decays; the default stays exact and encodes as before")
    func eulerDiscretization() throws {
        var p = NeuronParameters(tauMem: 1e-2, tauSyn: 5e-3, inputScaling: .oneMinusBeta)
        let exact = p.discretized(dt: 1e-3)
        #expect(exact.alpha == exp(-1e-3 / 5e-3) && exact.beta == exp(-1e-3 / 1e-2))
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let before = String(decoding: try enc.encode(p), as: UTF8.self)
        #expect(!before.contains("discretization"), "default parameters must encode without the new key: \(before)")
        p.discretization = .euler
        let euler = p.discretized(dt: 1e-3)
        #expect(euler.alpha == 1 - 1e-3 / 5e-3 && euler.beta == 1 - 1e-3 / 1e-2 && abs(euler.gain - 1e-3 / 1e-2) < 1e-15)
        let round = try JSONDecoder().decode(NeuronParameters.self, from: enc.encode(p))
        #expect(round == p && round.discretization == .euler)
        #expect(try JSONDecoder().decode(NeuronParameters.self, from: Data(before.utf8)).discretization == .exact)
    }
}
