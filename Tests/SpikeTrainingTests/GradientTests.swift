import Testing
import SpikeCore
import SpikeTraining
import _SpikeTestSupport

@Suite struct GradientTests {
    /// Reference BPTT on a smooth-spike network equals central finite differences in Double.
    @Test("reference BPTT matches finite differences (smooth spikes)", arguments: Fixtures.variants)
    func referenceMatchesFiniteDifferences(_ v: Fixtures.Variant) {
        let net = Fixtures.network(v)
        let batch = Fixtures.batch()
        let objective = Objective(
            loss: ReadoutLoss(reduction: v.reduction, scale: 2, tieBreakNoise: 0), regularizers: Fixtures.regularizers,
            surrogate: .superSpike(beta: 10))
        let ref = DenseReference(network: net, spike: .smooth(steepness: 4))
        let analytic = ref.gradients(batch, objective: objective)
        // Detached reset: the gradient of the function whose reset spikes are frozen at their base values.
        let frozen: [[[[Double]]]]? =
            v.resetGradient == .detached
            ? (0..<batch.sampleCount).map { s in ref.forward(DenseReference.denseInput(batch, sample: s)).map(\.resetSpikes) } : nil
        let h = 1e-6
        var worst = 0.0
        for l in net.layers.indices {
            var fd = [Double](repeating: 0, count: ref.weights[l].count)
            for i in fd.indices {
                var plus = ref
                plus.weights[l][i] += h
                var minus = ref
                minus.weights[l][i] -= h
                fd[i] = (plus.batchLoss(batch, objective: objective, frozenReset: frozen) - minus.batchLoss(batch, objective: objective, frozenReset: frozen)) / (2 * h)
            }
            let e = relativeError(analytic.weights[l], fd)
            worst = max(worst, e)
            #expect(e < 1e-4, "layer \(l) weights: relative error \(e)")
            if net.layers[l].isRecurrent {
                var fdr = [Double](repeating: 0, count: ref.recurrent[l].count)
                for i in fdr.indices {
                    var plus = ref
                    plus.recurrent[l][i] += h
                    var minus = ref
                    minus.recurrent[l][i] -= h
                    fdr[i] = (plus.batchLoss(batch, objective: objective, frozenReset: frozen) - minus.batchLoss(batch, objective: objective, frozenReset: frozen)) / (2 * h)
                }
                let er = relativeError(analytic.recurrent[l], fdr)
                #expect(er < 1e-4, "layer \(l) recurrent: relative error \(er)")
            }
        }
    }

    /// The event-driven Float kernels give the reference's spikes and gradients (Heaviside spikes, surrogate).
    @Test("event-driven kernels match the dense reference", arguments: Fixtures.variants)
    func kernelsMatchReference(_ v: Fixtures.Variant) throws {
        let net = Fixtures.network(v)
        let batch = Fixtures.batch()
        for surrogate in [Surrogate.superSpike(beta: 10), .triangle(beta: 0.5), .sigmoid(beta: 4), .exponential(beta: 2)] {
            let objective = Objective(
                loss: ReadoutLoss(reduction: v.reduction, scale: 2, tieBreakNoise: 0), regularizers: Fixtures.regularizers,
                surrogate: surrogate)
            let ref = DenseReference(network: net, spike: .heaviside(surrogate))
            let expected = ref.gradients(batch, objective: objective)
            let substrate = SoftwareSubstrate()
            try substrate.load(net)
            let engine = BPTT(network: net, stepCount: batch.stepCount, workers: 2, chunk: 2)
            var (grads, _) = try engine.gradients(network: net, batch: batch, substrate: substrate, objective: objective, noiseSeed: nil)
            _ = net.addWeightL2(objective.regularizers, to: &grads)
            for l in net.layers.indices {
                let e = relativeError(grads.weights[l].map(Double.init), expected.weights[l])
                #expect(e < 1e-4, "\(surrogate.name) layer \(l): relative error \(e)")
                if net.layers[l].isRecurrent {
                    let er = relativeError(grads.recurrent[l].map(Double.init), expected.recurrent[l])
                    #expect(er < 1e-4, "\(surrogate.name) layer \(l) recurrent: relative error \(er)")
                }
            }
            // spikes
            var obs = Observation(network: net, stepCount: batch.stepCount, capacity: batch.sampleCount, recording: .full)
            try substrate.run(batch, samples: 0..<batch.sampleCount, into: &obs, worker: 0)
            var total = 0
            for s in 0..<batch.sampleCount {
                let tapes = ref.forward(DenseReference.denseInput(batch, sample: s))
                for l in 0..<(net.layers.count - 1) {
                    var refSpikes: [String] = []
                    for t in 0..<batch.stepCount {
                        for i in 0..<net.layers[l].neuronCount where tapes[l].S[t][i] > 0 { refSpikes.append("\(t):\(i)") }
                    }
                    let got = obs.layers[l].spikes(sample: s).map { "\($0.step):\($0.neuron)" }
                    #expect(got == refSpikes, "sample \(s) layer \(l)")
                    total += got.count
                }
            }
            #expect(total > 0, "the fixture must spike to test anything")
        }
    }
}
