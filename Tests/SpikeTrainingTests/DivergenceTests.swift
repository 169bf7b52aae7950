import Testing
import SpikeCore
import SpikeData
import SpikeTraining

@Suite struct DivergenceTests {
    static func trainer(_ net: Network, lr: Double, kind: OptimizerKind = .adam) throws -> Trainer {
        let objective = Objective(loss: ReadoutLoss(scale: 10), regularizers: Regularizers(burst: 5e-4), surrogate: .superSpike(beta: 50))
        return try Trainer(
            network: net, optimizer: Optimizer(config: OptimizerConfig(kind: kind, learningRate: lr, momentum: 0), network: net),
            objective: objective, substrate: SoftwareSubstrate(), stepCount: 20, seed: 3, workers: 1)
    }

    @Test("a non-finite loss stops training at that batch and leaves the weights untouched")
    func nanLossStops() throws {
        var (net, train, _) = TrainingTests.task()
        net.layers[1].weights[0] = .nan
        let t = try Self.trainer(net, lr: 1e-3)
        let before = t.network
        #expect(throws: TrainingError.self) { _ = try t.trainEpoch(train, epoch: 0, batchSize: 50) }
        do { _ = try t.trainEpoch(train, epoch: 0, batchSize: 50) } catch {
            #expect("\(error)".contains("diverged at epoch 1, batch 1"), "\(error)")
        }
        #expect(t.network.layers[0].weights == before.layers[0].weights, "no update may land")
        #expect(!t.hasDiverged)
    }

    @Test("an update that overflows the weights is reported and marks the trainer as diverged")
    func overflowingUpdateStops() throws {
        let (net, train, _) = TrainingTests.task()
        let t = try Self.trainer(net, lr: 1e38, kind: .sgd)
        #expect(throws: TrainingError.self) { _ = try t.trainEpoch(train, epoch: 0, batchSize: 50) }
        #expect(t.hasDiverged)
    }

    @Test("finite checks see NaN and infinity in every position, including vector tails")
    func finiteChecks() {
        for n in [0, 1, 7, 16, 17, 33] {
            var g = Gradients(zeroLike: Network(dt: 1e-3, layers: [
                Layer(kind: .leakyReadout, inputCount: 1, neuronCount: max(1, n), parameters: .paper)
            ]))
            #expect(g.allFinite)
            for bad: Float in [.nan, .infinity, -.infinity] {
                g.weights[0][g.weights[0].count - 1] = bad
                #expect(!g.allFinite, "n \(n), \(bad)")
                g.weights[0][g.weights[0].count - 1] = 0
            }
        }
    }
}
