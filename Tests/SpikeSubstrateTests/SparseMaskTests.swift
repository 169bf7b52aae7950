import Foundation
import Testing
import SpikeCore
import SpikeData
@testable import SpikeSubstrate
import SpikeTraining

/// Masks are respected by every optimizer and by the chip's weight writes; sparse layers wider than the chip's rows.
@Suite struct SparseMaskTests {
    static func masked(_ net: Network, density: Double) -> (Network, WeightMask) {
        var n = net
        let mask = WeightMask.random(sizes: net.weightTensors.map(\.count), density: density, seed: 11)
        mask.apply(to: &n)
        return (n, mask)
    }

    @Test("Adam and SGD keep masked weights and their moments exactly zero", arguments: OptimizerKind.allCases)
    func optimizersRespectMask(kind: OptimizerKind) {
        let (start, mask) = Self.masked(EmulatedChipTests.smallNetwork(), density: 0.2)
        var net = start
        var opt = Optimizer(config: OptimizerConfig(kind: kind, learningRate: 1e-2, weightDecay: 1e-3), network: net, mask: mask)
        var rng = SeededRandom(seed: 3)
        for _ in 0..<4 {
            var g = Gradients(zeroLike: net)
            for l in g.weights.indices { g.weights[l] = g.weights[l].map { _ in Float(rng.nextGaussian()) } }
            opt.apply(g, to: &net, learningRate: 1e-2)
        }
        let w = net.weightTensors, w0 = start.weightTensors
        var changed = 0
        for k in w.indices {
            for i in w[k].indices {
                if mask.tensors[k][i] == 0 {
                    #expect(w[k][i] == 0 && opt.first[k][i] == 0 && (opt.second.isEmpty || opt.second[k][i] == 0))
                } else if w[k][i] != w0[k][i] {
                    changed += 1
                }
            }
        }
        #expect(changed > 0)
        #expect(abs(mask.density - 0.2) < 0.01)
    }

    @Test("in-the-loop training keeps masked weights zero in the network and in the chip's synapses")
    func chipRespectsMask() throws {
        let (start, mask) = Self.masked(EmulatedChipTests.smallNetwork(), density: 0.3)
        let chip = EmulatedChip(seed: 1, config: .ideal, calibrated: false)
        let objective = Objective(loss: ReadoutLoss(scale: 10), surrogate: .superSpike(beta: 10))
        let trainer = try Trainer(
            network: start, optimizer: Optimizer(config: OptimizerConfig(learningRate: 1e-2), network: start, mask: mask),
            objective: objective, substrate: chip, stepCount: 20, seed: 1, workers: 1)
        let batch = SyntheticTasks.prototypes(samples: 16, stepCount: 20, seed: 8)
        for b in 0..<3 { _ = try trainer.step(batch, epoch: 0, batchIndex: b) }
        try chip.load(trainer.network)
        let codes = ChipWeights(network: trainer.network)
        for (l, layer) in trainer.network.layers.enumerated() {
            let n = layer.neuronCount, c = chip.layers[l]
            for j in 0..<layer.inputCount {
                for i in 0..<n where mask.tensors[l][j * n + i] == 0 {
                    #expect(layer.weights[j * n + i] == 0 && codes.layers[l].codes[j * n + i] == 0)
                    #expect(c.weights.pointer[j * c.stride + i] == 0)
                }
            }
        }
        #expect(trainer.network != start)
    }

    @Test("a layer with more sources than rows loads when each neuron has one nonzero source per row slot")
    func wideSparseLayer() throws {
        let p = LIFParameters(tauMem: 6e-6, tauSyn: 6e-6)
        var net = Network.feedForward(
            sizes: [600, 20, 5], dt: 1.7e-6, hidden: p, readout: p, initializers: [WeightInit(std: 0.05), WeightInit(std: 0.1)], seed: 2)
        let chip = EmulatedChip(seed: 1, config: .ideal, calibrated: false)
        // Dense, it loads as compound neurons of 3 slots (ChipMapping); sparse and routable, of one slot.
        #expect(ChipMapping.slotsPerNeuron(net.layers[0], index: 0, config: .ideal) == 3)
        try chip.load(net)
        let eligible = SynapseRows.eligible(net, rows: 256)
        WeightMask.magnitude(net.weightTensors, density: 0.3, eligible: eligible).apply(to: &net)
        for i in 0..<20 {
            let fanIn = (0..<600).filter { net.layers[0].weights[$0 * 20 + i] != 0 }.count
            #expect(fanIn <= 256)
        }
        #expect(ChipMapping.slotsPerNeuron(net.layers[0], index: 0, config: .ideal) == 1)
        try chip.load(net)
        var events: [(sample: Int, step: Int, channel: Int)] = []
        for c in stride(from: 0, to: 600, by: 3) { events.append((0, c % 10, c)) }
        let batch = SpikeBatch(sampleCount: 1, stepCount: 20, channelCount: 600, events: events, labels: [0])
        let ev = try Inference(network: net, stepCount: 20, workers: 1).evaluate(batch, substrate: chip, loss: ReadoutLoss(), classes: 5)
        #expect(ev.samples == 1)
        // a second nonzero source on a taken row slot cannot be routed (the check names neuron and row); the layer
        // then falls back to compound neurons
        net.layers[0].weights[0 * 20 + 3] = 0.1
        net.layers[0].weights[256 * 20 + 3] = 0.1
        do {
            try SynapseRows.check(net.layers[0], index: 0, rows: 256)
            Issue.record("two sources on one row accepted")
        } catch { #expect("\(error)".contains("neuron 3") && "\(error)".contains("row 0"), "\(error)") }
        #expect(ChipMapping.slotsPerNeuron(net.layers[0], index: 0, config: .ideal) == 3)
        try chip.load(net)
    }
}
