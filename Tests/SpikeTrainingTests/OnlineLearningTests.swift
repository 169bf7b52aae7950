import Foundation
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
    @Test("e-prop equals BPTT when no cross-neuron coupling exists", arguments: Fixtures.variants.filter { !$0.recurrent && $0.depth == 1 && $0.reset != .immediate })
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
    @Test("approximate rules align with BPTT on deeper and recurrent networks", arguments: Fixtures.variants.filter { ($0.recurrent || $0.depth > 1) && $0.reset != .immediate })
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

extension OnlineLearningTests {
    /// The same exactness on the paper's 256-246-10 network (latency-coded synthetic images, max-over-time ×10,
    /// burst regularizer): what training with `--learning eprop` relies on.
    @Test("e-prop equals BPTT on the paper's network")
    func epropExactOnPaperNetwork() throws {
        let p = LIFParameters.paper
        let beta = exp(-1.7 / 6.0)
        let net = Network.feedForward(
            sizes: [256, 246, 10], dt: 1.7e-6, hidden: p, readout: p,
            initializers: [WeightInit.paper(inputCount: 256, beta: beta, scale: 4, mean: 0.01), WeightInit.paper(inputCount: 246, beta: beta, scale: 4)],
            weightLimit: 63.0 / 240.0, seed: 5)
        var rng = SeededRandom(seed: 9)
        var events: [(sample: Int, step: Int, channel: Int)] = []
        for s in 0..<8 { for c in 0..<256 where rng.nextUnitFloat() < 0.3 { events.append((s, rng.nextIndex(below: 12), c)) } }
        let batch = SpikeBatch(sampleCount: 8, stepCount: 20, channelCount: 256, events: events, labels: (0..<8).map { Int32($0 % 10) })
        let objective = Objective(loss: ReadoutLoss(scale: 10, tieBreakNoise: 1e-5), regularizers: Regularizers(burst: 5e-4), surrogate: .superSpike(beta: 50))
        let substrate = SoftwareSubstrate()
        try substrate.load(net)
        let (exact, st) = try BPTT(network: net, stepCount: 20, workers: 2, chunk: 4).gradients(network: net, batch: batch, substrate: substrate, objective: objective, noiseSeed: 77)
        #expect(st.hiddenSpikes > 100)
        let (approx, _) = try OnlineLearning(network: net, stepCount: 20, workers: 2, chunk: 4, rule: .eprop, feedback: .symmetric, streaming: true).gradients(network: net, batch: batch, substrate: substrate, objective: objective, noiseSeed: 77)
        for l in 0..<2 {
            let e = relativeError(approx.weights[l].map(Double.init), exact.weights[l].map(Double.init))
            #expect(e < 1e-3, "layer \(l): relative error \(e)")
        }
    }
}
