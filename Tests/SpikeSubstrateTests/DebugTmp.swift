import Foundation
import SpikeCore
@testable import SpikeSubstrate
import SpikeTraining
import Testing
import _SpikeTestSupport

@Suite struct DebugTmp {
    @Test func learner() throws {
        var net = EmulatedChipTests.smallNetwork(reset: .subtract)
        for i in net.layers[0].weights.indices { net.layers[0].weights[i] += 0.02 }
        let chip = EmulatedChip(seed: 1, config: ChipConfig(), calibrated: true)
        try chip.load(net)
        var s = OnChipLearningConfig(); s.learningRate = 1e-5; s.readoutLearningRate = 1e-5
        let learner = try OnChipLearner(chip: chip, network: net, stepCount: 20, objective: OnChipLearningTests.objective(), config: s, seed: 1)
        for k in 0..<5 {
            let batch = OnChipLearningTests.latencyBatch(channels: 64, steps: 20, label: Int32(k % 10), seed: UInt64(k))
            let st = try learner.learn(batch, objective: OnChipLearningTests.objective(), learningRateFactor: 1)
            print("sample", k, st.hiddenSpikes, st.lossSum)
        }
    }
}
