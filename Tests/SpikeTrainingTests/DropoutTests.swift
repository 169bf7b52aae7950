import Testing
import SpikeCore
import SpikeTraining
import _SpikeTestSupport

@Suite struct DropoutTests {
    /// Unit dropout on hidden spikes equals, for one sample, the network whose dropped neurons have no outgoing
    /// synapses — except that the dropped rows themselves receive no gradient (their spikes never arrived).
    @Test("dropout's gradient equals the reference network with the dropped neurons disconnected")
    func dropoutMatchesDisconnectedReference() throws {
        let v = Fixtures.Variant(reset: .subtract, resetGradient: .detached, timing: .sameStep, recurrent: false, reduction: .maxOverTime, depth: 1, hidden: 20)
        let net = Fixtures.network(v)
        let batch = Fixtures.batch(samples: 1)
        let objective = Objective(loss: ReadoutLoss(scale: 2, tieBreakNoise: 0), regularizers: Regularizers(burst: 0.01), surrogate: .superSpike(beta: 10))
        let substrate = SoftwareSubstrate()
        try substrate.load(net)
        let engine = BPTT(network: net, stepCount: batch.stepCount, workers: 1, chunk: 1, dropout: 0.5)
        let (g, _) = try engine.gradients(network: net, batch: batch, substrate: substrate, objective: objective, noiseSeed: 3)
        // recover the mask the run used (a pure function of the batch's seed)
        let mask = HiddenDropout(probability: 0.5, seed: 3 ^ 0xD209_0D7A)
        let keep: [Float] = (0..<20).map { mask.keeps(sample: 0, layer: 0, neuron: $0) ? 1 : 0 }
        #expect(keep.contains(0) && keep.contains(1), "the mask should drop some neurons and keep others: \(keep)")
        var cut = net
        for i in 0..<20 where keep[i] == 0 {
            for k in 0..<3 { cut.layers[1].weights[i * 3 + k] = 0 }
        }
        let ref = DenseReference(network: cut, spike: .heaviside(objective.surrogate)).gradients(batch, objective: objective)
        let e0 = relativeError(g.weights[0].map(Double.init), ref.weights[0])
        #expect(e0 < 1e-4, "hidden weights: relative error \(e0)")
        for i in 0..<20 {
            for k in 0..<3 {
                let got = Double(g.weights[1][i * 3 + k])
                if keep[i] == 0 {
                    #expect(got == 0, "dropped neuron \(i) must get no readout gradient")
                } else {
                    #expect(abs(got - ref.weights[1][i * 3 + k]) <= 1e-4 * max(1, abs(ref.weights[1][i * 3 + k])), "readout \(i),\(k)")
                }
            }
        }
    }
}

@Test("channel shift moves every spike and drops those off the edge")
func channelShift() {
    var b = SpikeBatch(stepCount: 3, channelCount: 5)
    b.appendSample(events: [(0, 0), (0, 4), (1, 2), (2, 3)], label: 1)
    b.appendSample(events: [(0, 1), (2, 0)], label: 2)
    let s = b.shiftingChannels(by: [1, -1])
    #expect(s.events(ofSample: 0).map { [$0.step, $0.channel] } == [[0, 1], [1, 3], [2, 4]])
    #expect(s.events(ofSample: 1).map { [$0.step, $0.channel] } == [[0, 0]])
    #expect(s.labels == [1, 2])
    #expect(b.shiftingChannels(by: [0, 0]).channels == b.channels)
}
