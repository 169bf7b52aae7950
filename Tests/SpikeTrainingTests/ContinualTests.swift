import Foundation
import SpikeCore
import SpikeData
import SpikeTraining
import Testing

@Suite struct SynapticIntelligenceTests {
    /// One layer of `n` weights (its values set from `values`), the smallest network SI can hold.
    static func network(_ values: [Float]) -> Network {
        let p = LIFParameters(tauMem: 4e-3, tauSyn: 2e-3)
        return Network(dt: 1e-3, layers: [Layer(kind: .leakyReadout, inputCount: 1, neuronCount: values.count, parameters: p, weights: values)])
    }

    @Test("ω accumulates −Σ g·Δθ along gradient descent on a quadratic, and Σω approximates the loss decrease")
    func pathIntegral() {
        let a: [Double] = [2, 0.5, 1, 3], target: [Double] = [1, -1, 0.5, 0]
        var theta: [Float] = [0, 0, 0, 0]
        var si = SynapticIntelligence(network: Self.network(theta), strength: 1, damping: 0.1)
        var expected = [Double](repeating: 0, count: 4)
        func loss(_ t: [Float]) -> Double { (0..<4).map { 0.5 * a[$0] * pow(Double(t[$0]) - target[$0], 2) }.reduce(0, +) }
        let start = loss(theta)
        for _ in 0..<400 {
            let before = Self.network(theta)
            var g = Gradients(zeroLike: before)
            for i in 0..<4 { g.weights[0][i] = Float(a[i] * (Double(theta[i]) - target[i])) }
            for i in 0..<4 { theta[i] -= 0.01 * g.weights[0][i] }
            let after = Self.network(theta)
            for i in 0..<4 { expected[i] -= Double(g.weights[0][i]) * Double(after.layers[0].weights[i] - before.layers[0].weights[i]) }
            si.accumulate(taskGradient: g, before: before, after: after)
        }
        for i in 0..<4 { #expect(abs(Double(si.pathIntegral.weights[0][i]) - expected[i]) < 1e-5 * max(1, abs(expected[i]))) }
        // Small steps: the path integral of −g·dθ is the loss decrease (up to the step's second-order term).
        let decrease = start - loss(theta)
        let total = si.pathIntegral.weights[0].map(Double.init).reduce(0, +)
        #expect(abs(total - decrease) < 0.02 * decrease, "Σω \(total) vs loss decrease \(decrease)")
    }

    @Test("Ω = max(0, ω/(Δ² + ξ)) at the end of a task; the penalty's gradient equals finite differences")
    func consolidationAndPenalty() {
        let start: [Float] = [0.2, -0.4, 0.1, 0.3, 0]
        var si = SynapticIntelligence(network: Self.network(start), strength: 0.7, damping: 0.05)
        let moved: [Float] = [0.5, -0.1, 0.1, 0.35, -0.2]
        var g = Gradients(zeroLike: Self.network(start))
        g.weights[0] = [-1.5, -2, 0.3, 0.8, 1]  // ω = −g·Δθ: 0.45, 0.6, 0, −0.04, 0.2
        si.accumulate(taskGradient: g, before: Self.network(start), after: Self.network(moved))
        let omega = si.pathIntegral.weights[0]
        si.consolidate(Self.network(moved))
        for i in 0..<5 {
            let d = moved[i] - start[i]
            #expect(abs(si.importance.weights[0][i] - max(0, omega[i] / (d * d + 0.05))) < 1e-6)
        }
        #expect(si.importance.weights[0][3] == 0, "negative ω gives no importance")
        #expect(si.pathIntegral.weights[0].allSatisfy { $0 == 0 } && si.anchor.layers[0].weights == moved)
        // Penalty c·Σ Ω (θ − θ̃)² around the anchor, and its gradient against central differences.
        let theta: [Float] = [0.8, 0.3, -0.2, 0.1, 0.4]
        var grads = Gradients(zeroLike: Self.network(theta))
        let p = si.addPenalty(of: Self.network(theta), to: &grads)
        let direct = (0..<5).map { Double(0.7 * si.importance.weights[0][$0]) * pow(Double(theta[$0] - moved[$0]), 2) }.reduce(0, +)
        #expect(abs(p - direct) < 1e-6 * max(1, direct))
        for i in 0..<5 {
            let h: Float = 1e-3
            var plus = theta, minus = theta
            plus[i] += h
            minus[i] -= h
            var scratch = Gradients(zeroLike: Self.network(theta))
            let fd = (si.addPenalty(of: Self.network(plus), to: &scratch) - si.addPenalty(of: Self.network(minus), to: &scratch)) / Double(2 * h)
            #expect(abs(Double(grads.weights[0][i]) - fd) < 1e-3 * max(1, abs(fd)), "weight \(i): \(grads.weights[0][i]) vs \(fd)")
        }
    }

    @Test("a trainer with SI of strength 0 trains bit-identically to one without; with strength the loss carries the penalty")
    func trainerIntegration() throws {
        let (net, all, _) = TrainingTests.task()
        let train = all.subset(Array(0..<120))
        func trainer(_ si: SynapticIntelligence?) throws -> Trainer {
            let t = try Trainer(
                network: net, optimizer: Optimizer(config: OptimizerConfig(), network: net), objective: Objective(loss: ReadoutLoss(scale: 10)),
                substrate: SoftwareSubstrate(), stepCount: 20, seed: 5, workers: 2)
            t.synapticIntelligence = si
            return t
        }
        let plain = try trainer(nil), zero = try trainer(SynapticIntelligence(network: net, strength: 0, damping: 0.1))
        for t in [plain, zero] { _ = try t.trainEpoch(train, epoch: 0, batchSize: 40) }
        #expect(plain.network == zero.network)
        // After consolidating, moving away from the anchor costs c·Σ Ω Δ², which the step's loss reports.
        let si = try trainer(SynapticIntelligence(network: net, strength: 50, damping: 0.1))
        _ = try si.trainEpoch(train, epoch: 0, batchSize: 40)
        si.synapticIntelligence!.consolidate(si.network)
        #expect(si.synapticIntelligence!.importance.weights.joined().contains { $0 > 0 })
        let reference = try trainer(nil)
        reference.network = si.network
        let other = SyntheticTasks.prototypes(samples: 40, stepCount: 20, seed: 9)
        let a = try si.step(other, epoch: 1, batchIndex: 0), b = try reference.step(other, epoch: 1, batchIndex: 0)
        #expect(abs(a.meanLoss - b.meanLoss) < 1e-9, "at the anchor the penalty is 0")
        // One step later the weights have left the anchor: the loss is the task loss plus c·Σ Ω Δ² > 0.
        reference.network = si.network
        var scratch = Gradients(zeroLike: si.network)
        let penalty = si.synapticIntelligence!.addPenalty(of: si.network, to: &scratch)
        #expect(penalty > 0)
        let c = try si.step(other, epoch: 1, batchIndex: 1), d = try reference.step(other, epoch: 1, batchIndex: 1)
        #expect(abs(c.meanLoss - (d.meanLoss + penalty)) < 1e-6 * max(1, penalty), "\(c.meanLoss) vs \(d.meanLoss) + \(penalty)")
    }
}

@Suite struct TaskSequenceTests {
    @Test("a multi-head readout scores, predicts and trains only the sample's head")
    func multiHead() {
        let loss = ReadoutLoss(reduction: .maxOverTime, scale: 1, tieBreakNoise: 0, headSize: 2)
        #expect(loss.head(of: 5, outputs: 10) == 4..<6 && loss.head(of: -1, outputs: 10) == 0..<10)
        #expect(ReadoutLoss().head(of: 5, outputs: 10) == 0..<10)
        let T = 3, stride = 16
        var trace = [Float](repeating: 0, count: T * stride)
        for k in 0..<10 { trace[stride + k] = Float(k) }  // output 9 is the largest overall
        var seed = [Float](repeating: 0, count: T * stride)
        let r = trace.withUnsafeBufferPointer { t in
            seed.withUnsafeMutableBufferPointer { s in
                loss.evaluate(
                    trace: t.baseAddress!, stepCount: T, outputs: 10, stride: stride, label: 2, amplitude: 0,
                    seed: s.baseAddress!, weight: 1, noiseSeed: nil)
            }
        }
        #expect(r.predicted == 3, "the head of label 2 is outputs 2 and 3")
        let p2 = 1 / (1 + expf(1))
        #expect(abs(r.loss + logf(p2)) < 1e-5)
        for k in 0..<10 where k != 2 && k != 3 { #expect(seed[stride + k] == 0) }
        #expect(abs(seed[stride + 2] - (p2 - 1)) < 1e-6 && abs(seed[stride + 3] - (1 - p2)) < 1e-6)
    }

    @Test("permuting channels moves every spike and keeps each step's events ascending; append and label filters keep samples")
    func permutationAndSubsets() {
        let b = SpikeBatch(
            sampleCount: 2, stepCount: 3, channelCount: 4,
            events: [(0, 0, 0), (0, 0, 3), (0, 2, 1), (1, 1, 2), (1, 1, 0)], labels: [3, 7])
        let perm = [2, 0, 3, 1]
        let p = b.permutingChannels(perm)
        for s in 0..<2 {
            let original = b.events(ofSample: s).map { "\($0.step):\(perm[$0.channel])" }.sorted()
            #expect(p.events(ofSample: s).map { "\($0.step):\($0.channel)" }.sorted() == original)
            for t in 0..<3 {
                let step = p.events(ofSample: s).filter { $0.step == t }.map(\.channel)
                #expect(step == step.sorted())
            }
        }
        #expect(p.labels == b.labels)
        let both = b.appending(p)
        #expect(both.sampleCount == 4 && both.labels == [3, 7, 3, 7] && both.events(ofSample: 2).count == 3)
        #expect(both.samples(withLabels: [7]).sampleCount == 2)
    }
}
