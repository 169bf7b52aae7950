import Foundation
import Testing
import SpikeCore
@testable import SpikeTraining

/// The spiking network's tangent model: pullbacks of the readout logits by surrogate-gradient BPTT.
@Suite struct TangentModelTests {
    static func model() throws -> SNNTangentModel {
        let v = Fixtures.Variant(reset: .subtract, resetGradient: .detached, timing: .sameStep, recurrent: false, reduction: .maxOverTime)
        return SNNTangentModel(
            network: Fixtures.network(v), inputs: Fixtures.batch(samples: 4), substrate: SoftwareSubstrate(),
            objective: Objective(loss: ReadoutLoss(scale: 2, tieBreakNoise: 0)))
    }

    @Test("the readout block of the SNN's Jacobian equals finite differences of its logits")
    func readoutJacobian() throws {
        let m = try Self.model()
        let p = m.parameters, last = p.count - 1, K = m.outputCount
        var compared = 0
        for s in 0..<4 {
            for k in 0..<K {
                var e = [Float](repeating: 0, count: K)
                e[k] = 1
                let row = try m.pullback(samples: [s], vectors: e)
                let h: Float = 1e-3
                for i in p[last].indices {
                    var q = p
                    q[last][i] += h
                    m.parameters = q
                    let up = try m.pullback(samples: [s], vectors: e)
                    q[last][i] -= 2 * h
                    m.parameters = q
                    let down = try m.pullback(samples: [s], vectors: e)
                    m.parameters = p
                    guard up.patterns == down.patterns else { continue }
                    let fd = (up.outputs[k] - down.outputs[k]) / (2 * h)
                    compared += 1
                    #expect(abs(fd - row.gradient[last][i]) < 2e-2 * max(1, abs(fd)), "sample \(s) output \(k) weight \(i): \(fd) vs \(row.gradient[last][i])")
                }
            }
        }
        #expect(compared > 4 * K * p[last].count / 2, "only \(compared) weights compared")
    }

    @Test("a batched pullback is the sum of per-sample pullbacks, and hidden rows are nonzero")
    func batchedPullback() throws {
        let m = try Self.model()
        var rng = SeededRandom(seed: 4)
        let v = (0..<(4 * m.outputCount)).map { _ in Float(rng.nextGaussian()) }
        let all = try m.pullback(samples: [0, 1, 2, 3], vectors: v)
        var sum = m.parameters.map { [Float](repeating: 0, count: $0.count) }
        var outputs: [Float] = []
        for s in 0..<4 {
            let r = try m.pullback(samples: [s], vectors: Array(v[(s * m.outputCount)..<((s + 1) * m.outputCount)]))
            for k in sum.indices { for i in sum[k].indices { sum[k][i] += r.gradient[k][i] } }
            outputs += r.outputs
            #expect(r.patterns[0] == all.patterns[s])
        }
        #expect(outputs == all.outputs)
        for k in sum.indices { for i in sum[k].indices { #expect(abs(sum[k][i] - all.gradient[k][i]) < 1e-5 * max(1, abs(sum[k][i]))) } }
        #expect(all.gradient[0].contains { $0 != 0 })
    }
}
