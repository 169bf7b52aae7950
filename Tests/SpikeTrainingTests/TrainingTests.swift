import Foundation
import Testing
import SpikeCore
import SpikeData
import SpikeTraining

@Suite struct TrainingTests {
    @Test("Adam and SGD follow their update formulas, with clipping and step decay")
    func optimizerFormulas() {
        var net = Network(dt: 1e-3, layers: [
            Layer(kind: .lif, inputCount: 3, neuronCount: 7, parameters: .paper, weights: (0..<21).map { Float($0) * 0.01 - 0.1 }, weightLimit: 0.15),
            Layer(kind: .leakyReadout, inputCount: 7, neuronCount: 3, parameters: .paper, weights: (0..<21).map { Float($0) * 0.02 }),
        ])
        let original = net
        var g = Gradients(zeroLike: net)
        for l in 0..<2 { for i in 0..<21 { g.weights[l][i] = Float(i % 5) - 2 + 0.5 * Float(l) } }
        var opt = Optimizer(config: OptimizerConfig(kind: .adam, learningRate: 0.01, weightDecay: 0.1), network: net)
        opt.apply(g, to: &net, learningRate: 0.01)
        opt.apply(g, to: &net, learningRate: 0.01)
        for l in 0..<2 {
            for i in 0..<21 {
                var w = Double(original.layers[l].weights[i]), m = 0.0, v = 0.0
                for step in 1...2 {
                    let gi = Double(g.weights[l][i]) + 0.1 * w
                    m = 0.9 * m + 0.1 * gi
                    v = 0.999 * v + 0.001 * gi * gi
                    w -= 0.01 * (m / (1 - pow(0.9, Double(step)))) / ((v / (1 - pow(0.999, Double(step)))).squareRoot() + 1e-8)
                    if l == 0 { w = min(0.15, max(-0.15, w)) }
                }
                #expect(abs(Double(net.layers[l].weights[i]) - w) < 1e-5, "layer \(l) weight \(i)")
            }
        }
        var sgdNet = original
        var sgd = Optimizer(config: OptimizerConfig(kind: .sgd, learningRate: 0.1, momentum: 0.5), network: sgdNet)
        sgd.apply(g, to: &sgdNet, learningRate: 0.1)
        sgd.apply(g, to: &sgdNet, learningRate: 0.1)
        let w0 = Double(original.layers[1].weights[4]), gi = Double(g.weights[1][4])
        #expect(abs(Double(sgdNet.layers[1].weights[4]) - (w0 - 0.1 * gi - 0.1 * (0.5 * gi + gi))) < 1e-5)
        let decay = OptimizerConfig(learningRate: 1, decayFactor: 0.5, decayEvery: 2)
        #expect(decay.learningRate(epoch: 0) == 1 && decay.learningRate(epoch: 1) == 1 && decay.learningRate(epoch: 2) == 0.5 && decay.learningRate(epoch: 5) == 0.25)
    }

    static func task() -> (Network, SpikeBatch, SpikeBatch) {
        let p = LIFParameters(tauMem: 6e-6, tauSyn: 6e-6)
        let beta = exp(-1.7 / 6.0)
        let net = Network.feedForward(
            sizes: [64, 40, 10], dt: 1.7e-6, hidden: p, readout: p,
            initializers: [WeightInit.paper(inputCount: 64, beta: beta, scale: 3, mean: 0.01), WeightInit.paper(inputCount: 40, beta: beta, scale: 3)],
            weightLimit: 63.0 / 240.0, seed: 11)
        let train = SyntheticTasks.prototypes(samples: 600, stepCount: 20, seed: 1)
        let test = SyntheticTasks.prototypes(samples: 300, stepCount: 20, seed: 2)
        return (net, train, test)
    }

    @Test("training on the synthetic task learns it, and is bit-reproducible for a seed and thread count")
    func learnsAndReproduces() throws {
        let (net, train, test) = Self.task()
        let objective = Objective(loss: ReadoutLoss(scale: 10), regularizers: Regularizers(burst: 5e-4), surrogate: .superSpike(beta: 50))
        func run() throws -> (Network, Double, Double) {
            let substrate = SoftwareSubstrate()
            let trainer = try Trainer(
                network: net, optimizer: Optimizer(config: OptimizerConfig(learningRate: 5e-3), network: net), objective: objective,
                substrate: substrate, stepCount: 20, seed: 9, workers: 2)
            let inference = Inference(network: net, stepCount: 20, workers: 2)
            try substrate.load(net)
            let before = try inference.evaluate(test, substrate: substrate, loss: objective.loss, classes: 10).accuracy
            for e in 0..<6 { _ = try trainer.trainEpoch(train, epoch: e, batchSize: 50) }
            try substrate.load(trainer.network)
            let after = try inference.evaluate(test, substrate: substrate, loss: objective.loss, classes: 10).accuracy
            return (trainer.network, before, after)
        }
        let a = try run()
        let b = try run()
        #expect(a.0 == b.0, "two runs with the same seed and threads must give identical weights")
        #expect(a.1 < 0.35, "untrained accuracy \(a.1)")
        #expect(a.2 > 0.8, "trained accuracy \(a.2)")
    }

    @Test("inference predictions equal the argmax of the recorded readout maxima")
    func inferenceMatchesObservation() throws {
        let (net, _, test) = Self.task()
        let substrate = SoftwareSubstrate()
        try substrate.load(net)
        let ev = try Inference(network: net, stepCount: 20, workers: 2, chunk: 7).evaluate(test, substrate: substrate, loss: ReadoutLoss(), classes: 10)
        var obs = Observation(network: net, stepCount: 20, capacity: test.sampleCount, recording: .full)
        try substrate.run(test, samples: 0..<test.sampleCount, into: &obs, worker: 0)
        var spikes = 0
        for s in 0..<test.sampleCount {
            var best = -Float.infinity, arg = 0
            for k in 0..<10 {
                let m = (0..<20).map { obs.readout.membrane(sample: s, step: $0, neuron: k) }.max()!
                if m > best { best = m; arg = k }
            }
            #expect(Int(ev.predictions[s]) == arg, "sample \(s)")
            spikes += obs.layers[0].spikeCount(sample: s)
        }
        #expect(ev.hiddenSpikes == spikes)
    }
}
