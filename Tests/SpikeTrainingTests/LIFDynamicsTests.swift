import Foundation
import Testing
import SpikeCore
import SpikeData
import SpikeTraining

@Suite struct LIFDynamicsTests {
    /// One input spike at t = 0 into a neuron whose synapse never decays (τ_s → ∞) is a step current of size
    /// w; with `c = 1 − β` the membrane follows v(t) = w·(1 − exp(−t/τ_m)) exactly at the sample times.
    @Test("membrane under constant current follows the analytic solution", arguments: CurrentTiming.allCases)
    func constantCurrent(_ timing: CurrentTiming) throws {
        let tauMem = 10e-3, dt = 1e-3
        let w: Float = 2.5
        let p = LIFParameters(tauMem: tauMem, tauSyn: 1e12, vThreshold: 100, reset: .subtract, currentTiming: timing, inputScaling: .oneMinusBeta)
        let net = Network(dt: dt, layers: [
            Layer(kind: .lif, inputCount: 1, neuronCount: 1, parameters: p, weights: [w]),
            Layer(kind: .leakyReadout, inputCount: 1, neuronCount: 1, parameters: p, weights: [1]),
        ])
        let T = 60
        let batch = SpikeBatch(sampleCount: 1, stepCount: T, channelCount: 1, events: [(0, 0, 0)], labels: [0])
        let substrate = SoftwareSubstrate()
        try substrate.load(net)
        var obs = Observation(network: net, stepCount: T, capacity: 1, recording: .full)
        try substrate.run(batch, samples: 0..<1, into: &obs, worker: 0)
        // The current is on from step 1 (same-step: it drives V[1]; delayed: V[2]).
        let onset = timing == .sameStep ? 0.0 : 1.0
        var worst = 0.0
        for t in 0..<T {
            let time = (Double(t) - onset) * dt
            let expected = time > 0 ? Double(w) * (1 - exp(-time / tauMem)) : 0
            let got = Double(obs.layers[0].membrane(sample: 0, step: t, neuron: 0))
            worst = max(worst, abs(got - expected))
        }
        #expect(worst < 1e-5, "max deviation \(worst)")
        #expect(obs.layers[0].spikeCount(sample: 0) == 0)
    }

    @Test("the first spike comes at the analytic crossing time, then the reset acts", arguments: ResetMode.allCases)
    func firstSpike(_ reset: ResetMode) throws {
        let tauMem = 10e-3, dt = 1e-3
        let w: Float = 2, theta: Float = 1
        let p = LIFParameters(tauMem: tauMem, tauSyn: 1e12, vThreshold: theta, reset: reset, currentTiming: .sameStep, inputScaling: .oneMinusBeta)
        let net = Network(dt: dt, layers: [
            Layer(kind: .lif, inputCount: 1, neuronCount: 1, parameters: p, weights: [w]),
            Layer(kind: .leakyReadout, inputCount: 1, neuronCount: 1, parameters: p, weights: [1]),
        ])
        let T = 40
        let batch = SpikeBatch(sampleCount: 1, stepCount: T, channelCount: 1, events: [(0, 0, 0)], labels: [0])
        let substrate = SoftwareSubstrate()
        try substrate.load(net)
        var obs = Observation(network: net, stepCount: T, capacity: 1, recording: .full)
        try substrate.run(batch, samples: 0..<1, into: &obs, worker: 0)
        // v(t) = w(1 − e^{−t/τ}) > ϑ first at t* = −τ ln(1 − ϑ/w); S[t] reads V[t] at the sample after.
        let tStar = -tauMem * log(1 - Double(theta / w))
        let expectedStep = Int((tStar / dt).rounded(.up))
        let spikes = obs.layers[0].spikes(sample: 0)
        #expect(spikes.first?.step == expectedStep, "spikes \(spikes.map(\.step)), expected first at \(expectedStep)")
        let v = obs.layers[0].membrane(sample: 0, step: expectedStep + 1, neuron: 0)
        let before = obs.layers[0].membrane(sample: 0, step: expectedStep, neuron: 0)
        let beta = Float(exp(-dt / tauMem))
        let u = beta * before + (1 - beta) * w
        // immediate (NIR): integrate this step from v_reset = 0, the current (τ_s → ∞) still w.
        let expected: Float = reset == .subtract ? u - theta : reset == .zero ? 0 : (1 - beta) * w
        #expect(abs(v - expected) < 1e-5)
    }

    @Test("the exact quiescence exit of inference changes no spike and no prediction")
    func quiescenceIsExact() throws {
        let batch = SyntheticTasks.sgMLP16(samples: 40, seed: 5)
        let p = LIFParameters(tauMem: 10e-3, tauSyn: 5e-3, reset: .zero, currentTiming: .delayed, inputScaling: .oneMinusBeta)
        let net = Network.feedForward(
            sizes: [256, 246, 10], dt: 1e-3, hidden: p, readout: p,
            initializers: [WeightInit(std: 14.0 / 16.0), WeightInit(std: Float(7.0 / 246.0.squareRoot()))], seed: 3)
        let substrate = SoftwareSubstrate()
        try substrate.load(net)
        var full = Observation(network: net, stepCount: 100, capacity: 40, recording: .full)
        var fast = Observation(network: net, stepCount: 100, capacity: 40, recording: .readout)
        try substrate.run(batch, samples: 0..<40, into: &full, worker: 0)
        try substrate.run(batch, samples: 0..<40, into: &fast, worker: 0)
        var total = 0
        for s in 0..<40 {
            let a = full.layers[0].spikes(sample: s).map { "\($0.step):\($0.neuron)" }
            let b = fast.layers[0].spikes(sample: s).map { "\($0.step):\($0.neuron)" }
            #expect(a == b, "sample \(s)")
            total += a.count
            for t in 0..<100 {
                for k in 0..<10 {
                    #expect(full.readout.membrane(sample: s, step: t, neuron: k) == fast.readout.membrane(sample: s, step: t, neuron: k))
                }
            }
        }
        #expect(total > 40 * 100, "the workload must be active (got \(total) spikes)")
    }
}
