import Testing
import SpikeCore
import SpikeTraining
import _SpikeTestSupport

@Suite struct OnlineLearningTests {
    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var ab = 0.0, aa = 0.0, bb = 0.0
        for i in a.indices {
            ab += Double(a[i]) * Double(b[i]); aa += Double(a[i]) * Double(a[i]); bb += Double(b[i]) * Double(b[i])
        }
        return ab / max((aa * bb).squareRoot(), 1e-30)
    }

    /// With one feed-forward hidden layer nothing couples neurons, so the block-diagonal rule with symmetric
    /// feedback and readout-filtered eligibilities is the exact gradient — for every reset mode and loss.
    @Test("e-prop equals BPTT when no cross-neuron coupling exists", arguments: Fixtures.variants.filter { !$0.recurrent && $0.depth == 1 })
    func epropExactForSingleLayer(_ v: Fixtures.Variant) throws {
        let net = Fixtures.network(v)
        let batch = Fixtures.batch()
        let objective = Objective(loss: ReadoutLoss(reduction: v.reduction, scale: 2, tieBreakNoise: 0), regularizers: Fixtures.regularizers, surrogate: .superSpike(beta: 10))
        let substrate = SoftwareSubstrate()
        try substrate.load(net)
        let (exact, _) = try BPTT(network: net, stepCount: batch.stepCount, workers: 1, chunk: 3).gradients(network: net, batch: batch, substrate: substrate, objective: objective, noiseSeed: nil)
        let online = OnlineLearning(network: net, stepCount: batch.stepCount, workers: 1, chunk: 3, rule: .eprop, feedback: .symmetric)
        let (approx, _) = try online.gradients(network: net, batch: batch, substrate: substrate, objective: objective, noiseSeed: nil)
        let streaming = OnlineLearning(network: net, stepCount: batch.stepCount, workers: 1, chunk: 3, rule: .eprop, feedback: .symmetric, streaming: true)
        let (streamed, _) = try streaming.gradients(network: net, batch: batch, substrate: substrate, objective: objective, noiseSeed: nil)
        for l in net.layers.indices {
            let e = relativeError(approx.weights[l].map(Double.init), exact.weights[l].map(Double.init))
            #expect(e < 1e-4, "layer \(l): relative error \(e)")
            let es = relativeError(streamed.weights[l].map(Double.init), exact.weights[l].map(Double.init))
            #expect(es < 1e-4, "streaming, layer \(l): relative error \(es)")
        }
    }

    /// Deeper and recurrent networks drop cross-neuron terms: report how well each rule aligns with BPTT.
    @Test("approximate rules align with BPTT on deeper and recurrent networks", arguments: Fixtures.variants.filter { $0.recurrent || $0.depth > 1 })
    func alignment(_ v: Fixtures.Variant) throws {
        let net = Fixtures.network(v)
        let batch = Fixtures.batch(samples: 6)
        let objective = Objective(loss: ReadoutLoss(reduction: v.reduction, scale: 2, tieBreakNoise: 0), regularizers: Regularizers(), surrogate: .superSpike(beta: 10))
        let substrate = SoftwareSubstrate()
        try substrate.load(net)
        let (exact, _) = try BPTT(network: net, stepCount: batch.stepCount, workers: 1, chunk: 3).gradients(network: net, batch: batch, substrate: substrate, objective: objective, noiseSeed: nil)
        var line = "\(v):"
        for rule in OnlineRule.allCases {
            let (g, _) = try OnlineLearning(network: net, stepCount: batch.stepCount, workers: 1, chunk: 3, rule: rule, feedback: .symmetric).gradients(network: net, batch: batch, substrate: substrate, objective: objective, noiseSeed: nil)
            let cs = net.layers.indices.map { Self.cosine(g.weights[$0], exact.weights[$0]) }
            line += " \(rule.rawValue) cos=" + cs.map { String(format: "%.3f", $0) }.joined(separator: "/")
            // the readout layer's gradient is exact in every rule
            #expect(cs.last! > 0.9999, "\(rule) readout cosine \(cs.last!)")
        }
        print(line)
    }
}
