import Testing
import SpikeCore
@testable import SpikeANN
import SpikeTraining

@Suite struct ANNMaskTests {
    @Test("ANNAdam keeps masked weights and their moments at exactly zero")
    func adamRespectsMask() {
        var net = ANNNetwork(layers: [.linear(inputs: 4, outputs: 5), .relu, .linear(inputs: 5, outputs: 2)], inputCount: 4, weightStd: [1, 1], seed: 1)
        let mask = WeightMask.random(sizes: [20, 0, 10], density: 0.5, seed: 3).tensors
        var adam = ANNAdam(learningRate: 0.1, weightLimit: nil)
        adam.mask = mask
        let before = net.weights
        var rng = SeededRandom(seed: 2)
        for _ in 0..<5 { adam.apply(net.weights.map { $0.map { _ in Float(rng.nextGaussian()) } }, to: &net) }
        for l in [0, 2] {
            for i in net.weights[l].indices {
                if mask[l][i] == 0 {
                    #expect(net.weights[l][i] == 0 && adam.m[l][i] == 0 && adam.v[l][i] == 0)
                } else {
                    #expect(net.weights[l][i] != before[l][i])
                }
            }
        }
    }
}
