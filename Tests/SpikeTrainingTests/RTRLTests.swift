import Testing
import SpikeCore
import SpikeTraining
import _SpikeTestSupport

@Suite struct RTRLTests {
    /// Forward-in-time exact RTRL equals reverse-mode BPTT (Double) for every reset mode, update order and loss.
    @Test("exact RTRL equals BPTT", arguments: Fixtures.variants.filter { $0.hidden <= 5 && $0.reset != .immediate })
    func rtrlEqualsBPTT(_ v: Fixtures.Variant) {
        let net = Fixtures.network(v)
        let batch = Fixtures.batch()
        let objective = Objective(
            loss: ReadoutLoss(reduction: v.reduction, scale: 2, tieBreakNoise: 0), regularizers: Fixtures.regularizers,
            surrogate: .superSpike(beta: 10))
        let bptt = DenseReference(network: net, spike: .heaviside(objective.surrogate)).gradients(batch, objective: objective)
        let rtrl = ExactRTRL(network: net, surrogate: objective.surrogate).gradients(batch, objective: objective)
        for l in net.layers.indices {
            let e = relativeError(rtrl.weights[l], bptt.weights[l])
            #expect(e < 1e-5, "layer \(l): relative error \(e)")
            if net.layers[l].isRecurrent {
                let er = relativeError(rtrl.recurrent[l], bptt.recurrent[l])
                #expect(er < 1e-5, "layer \(l) recurrent: relative error \(er)")
            }
        }
    }
}
