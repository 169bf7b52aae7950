import Foundation
import Testing
import SpikeCore
import SpikeData
import SpikeSubstrate
import SpikeTraining

@Suite(.serialized) struct InTheLoopTests {
    @Test("BPTT on an ideal chip's observation gives the software gradients (one code path)")
    func idealChipGradients() throws {
        let (chip, sw, net, batch, objective) = try Self.idealSetup()
        let engine = BPTT(network: net, stepCount: 20, workers: 1, chunk: 4)
        let (gs, ss) = try engine.gradients(network: net, batch: batch, substrate: sw, objective: objective, noiseSeed: nil)
        let (gc, sc) = try engine.gradients(network: net, batch: batch, substrate: chip, objective: objective, noiseSeed: nil)
        #expect(ss.hiddenSpikes == sc.hiddenSpikes && ss.hiddenSpikes > 0)
        for l in 0..<2 {
            var d = 0.0, n = 0.0
            for i in gs.weights[l].indices {
                d += Double((gs.weights[l][i] - gc.weights[l][i]) * (gs.weights[l][i] - gc.weights[l][i]))
                n += Double(gs.weights[l][i] * gs.weights[l][i])
            }
            #expect((d / n).squareRoot() < 1e-3, "layer \(l): relative difference \((d / n).squareRoot())")
        }
    }

    @Test("online rules read the chip's recordings: on an ideal chip they give the software estimate")
    func onlineRuleInTheLoop() throws {
        let (chip, sw, net, batch, objective) = try Self.idealSetup()
        let online = OnlineLearning(network: net, stepCount: 20, workers: 1, chunk: 4, rule: .eprop, feedback: .symmetric)
        let (gs, _) = try online.gradients(network: net, batch: batch, substrate: sw, objective: objective, noiseSeed: nil)
        let (gc, _) = try online.gradients(network: net, batch: batch, substrate: chip, objective: objective, noiseSeed: nil)
        for l in 0..<2 {
            var d = 0.0, n = 0.0
            for i in gs.weights[l].indices {
                d += Double((gs.weights[l][i] - gc.weights[l][i]) * (gs.weights[l][i] - gc.weights[l][i]))
                n += Double(gs.weights[l][i] * gs.weights[l][i])
            }
            #expect(n > 0 && (d / n).squareRoot() < 1e-3, "layer \(l): relative difference \((d / n).squareRoot())")
        }
        // Streaming (membranes recomputed by the model) is refused on a chip: its membranes must be recorded.
        let streaming = OnlineLearning(network: net, stepCount: 20, workers: 1, chunk: 4, rule: .eprop, feedback: .symmetric, streaming: true)
        #expect(throws: TrainingError.self) { _ = try streaming.gradients(network: net, batch: batch, substrate: chip, objective: objective, noiseSeed: nil) }
    }

    @Test("training in the loop recovers accuracy that a mismatched chip loses on transfer")
    func loopBeatsTransfer() throws {
        let (net, train, test) = Self.task()
        let objective = Objective(loss: ReadoutLoss(scale: 10), regularizers: Regularizers(burst: 5e-4), surrogate: .superSpike(beta: 50))
        let sw = SoftwareSubstrate()
        let trainer = try Trainer(network: net, optimizer: Optimizer(config: OptimizerConfig(learningRate: 5e-3), network: net), objective: objective, substrate: sw, stepCount: 20, seed: 3, workers: 2)
        for e in 0..<8 { _ = try trainer.trainEpoch(train, epoch: e, batchSize: 50) }
        var cfg = ChipConfig()
        cfg.synapseGainSpread = 0.3
        cfg.thresholdSpread = 0.3
        let chip = EmulatedChip(seed: 5, config: cfg, calibrated: false)
        try chip.load(trainer.network)
        let inference = Inference(network: net, stepCount: 20, workers: 2)
        try sw.load(trainer.network)
        let software = try inference.evaluate(test, substrate: sw, loss: objective.loss, classes: 10).accuracy
        let transfer = try inference.evaluate(test, substrate: chip, loss: objective.loss, classes: 10).accuracy
        let loop = try Trainer(network: trainer.network, optimizer: Optimizer(config: OptimizerConfig(learningRate: 3e-3), network: net), objective: objective, substrate: chip, stepCount: 20, seed: 4, workers: 2)
        for e in 0..<6 { _ = try loop.trainEpoch(train, epoch: e, batchSize: 50) }
        try chip.load(loop.network)
        let after = try inference.evaluate(test, substrate: chip, loss: objective.loss, classes: 10).accuracy
        print("software \(software), transfer to an uncalibrated, strongly mismatched chip \(transfer), after in-the-loop training \(after)")
        #expect(transfer < software - 0.05, "the mismatched chip should lose accuracy on transfer")
        #expect(after > transfer + 0.05, "in-the-loop training should recover it")
    }

    /// An ideal chip (one substep, no mismatch or noise) with a fine ADC, which isolates the code path from the
    /// 8-bit readout's resolution, loaded with the small test network, plus the software substrate.
    static func idealSetup() throws -> (EmulatedChip, SoftwareSubstrate, Network, SpikeBatch, Objective) {
        var cfg = ChipConfig.ideal
        cfg.substeps = 1
        cfg.adcBits = 20
        cfg.adcLeakCode = 400_000
        cfg.adcThresholdCode = 800_000
        cfg.measuredNormalization = false
        let chip = EmulatedChip(seed: 1, config: cfg, calibrated: false)
        let net = EmulatedChipTests.smallNetwork()
        let batch = SyntheticTasks.prototypes(samples: 12, stepCount: 20, seed: 8)
        let objective = Objective(loss: ReadoutLoss(scale: 10, tieBreakNoise: 0), regularizers: Regularizers(burst: 1e-3), surrogate: .superSpike(beta: 10))
        let sw = SoftwareSubstrate()
        try sw.load(net)
        try chip.load(net)
        return (chip, sw, net, batch, objective)
    }

    static func task() -> (Network, SpikeBatch, SpikeBatch) {
        let p = LIFParameters(tauMem: 6e-6, tauSyn: 6e-6)
        let beta = exp(-1.7 / 6.0)
        let net = Network.feedForward(
            sizes: [64, 40, 10], dt: 1.7e-6, hidden: p, readout: p,
            initializers: [WeightInit.paper(inputCount: 64, beta: beta, scale: 3, mean: 0.01), WeightInit.paper(inputCount: 40, beta: beta, scale: 3)],
            weightLimit: 63.0 / 240.0, seed: 11)
        return (net, SyntheticTasks.prototypes(samples: 600, stepCount: 20, seed: 1), SyntheticTasks.prototypes(samples: 300, stepCount: 20, seed: 2))
    }
}
