import Foundation
import Testing
import SpikeCore
@testable import SpikeTraining
import _SpikeTestSupport

/// The factored online rules (presynaptic eligibility, readout filter moved onto the learning signals, block GEMMs)
/// against the per-synapse traces they replace: the same estimate, regrouped.
@Suite struct OnlineFactoredTests {
    static let cases: [(Fixtures.Variant, OnlineRule)] = Fixtures.variants.filter { $0.reset != .immediate }.flatMap { v in
        OnlineRule.allCases.map { (v, $0) }
    }

    @Test("the factored path gives the per-synapse traces' gradient (every rule, timing, loss, depth, recurrence, streaming)", arguments: cases)
    func factoredEqualsPerSynapse(_ c: (Fixtures.Variant, OnlineRule)) throws {
        let (v, rule) = c
        let net = Fixtures.network(v)
        let batch = Fixtures.batch(samples: 4, steps: 150)  // more than two GEMM blocks of 64 steps
        let objective = Objective(loss: ReadoutLoss(reduction: v.reduction, scale: 2, tieBreakNoise: 0), regularizers: Fixtures.regularizers, surrogate: .superSpike(beta: 10))
        let substrate = SoftwareSubstrate()
        try substrate.load(net)
        for streaming in [false, true] {
            func run(_ factoring: Bool) throws -> Gradients {
                let o = OnlineLearning(network: net, stepCount: batch.stepCount, workers: 2, chunk: 3, rule: rule, feedback: .symmetric, streaming: streaming)
                o.factoring = factoring
                return try o.gradients(network: net, batch: batch, substrate: substrate, objective: objective, noiseSeed: nil).0
            }
            let factored = try run(true), reference = try run(false)
            let uses = net.layers.dropLast().contains { OnlineLearning(network: net, stepCount: 1, workers: 1, chunk: 1, rule: rule, feedback: .symmetric).factorizes($0) }
            for l in net.layers.indices {
                let e = relativeError(factored.weights[l].map(Double.init), reference.weights[l].map(Double.init))
                #expect(e < 1e-5, "\(v) \(rule) streaming \(streaming) layer \(l) (factored: \(uses)): relative error \(e)")
                if net.layers[l].isRecurrent {
                    let r = relativeError(factored.recurrent[l].map(Double.init), reference.recurrent[l].map(Double.init))
                    #expect(r < 1e-5, "\(v) \(rule) recurrent layer \(l): relative error \(r)")
                }
            }
            // (the diagonal rule drops the delayed current's drive: its first-layer estimate is zero by definition)
            if !(rule == .diagonal && v.timing == .delayed) { #expect(reference.weights[0].contains { $0 != 0 }) }
        }
    }
}
