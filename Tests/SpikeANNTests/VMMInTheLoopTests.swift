import Foundation
import Testing
import SpikeANN
import SpikeCore
import SpikeSubstrate

/// Training with the emulated VMM in the loop on a tiny synthetic task (debug-build sized).
@Suite struct VMMInTheLoopTests {
    /// 4 classes of 64 inputs in 0…31: a random prototype per class, each input resampled with probability 0.3.
    static func task(samples: Int, seed: UInt64) -> (inputs: [Float], labels: [Int32]) {
        var proto = SeededRandom(seed: 99)
        let prototypes = (0..<4).map { _ in (0..<64).map { _ in Float(proto.nextIndex(below: 32)) } }
        var rng = SeededRandom(seed: seed)
        var x = [Float](), y = [Int32]()
        for s in 0..<samples {
            let c = s % 4
            y.append(Int32(c))
            x += prototypes[c].map { rng.nextUnitDouble() < 0.3 ? Float(rng.nextIndex(below: 32)) : $0 }
        }
        return (x, y)
    }

    @Test("fine-tuning in the loop on a strongly mismatched chip recovers the accuracy lost in transfer")
    func loopRecoversTransfer() throws {
        let train = Self.task(samples: 400, seed: 1), test = Self.task(samples: 400, seed: 2)
        var net = ANNNetwork(layers: [.linear(inputs: 64, outputs: 32), .convertingReLU(shift: 1), .linear(inputs: 32, outputs: 4)],
                             inputCount: 64, weightStd: [20, 20], seed: 3)
        let instance = ChipInstance(seed: 5, config: ChipConfig(), tauMem: 6e-6, tauSyn: 6e-6)
        let software = ANNBackend.vmm(AnalogVMM(instance: instance, mode: .mock), gradientGain: 0.002)
        var adam = ANNAdam(learningRate: 1.5)
        for e in 0..<8 {
            _ = try ANNTraining.epoch(&net, optimizer: &adam, images: train.inputs, labels: train.labels, batchSize: 50, backend: software, seed: UInt64(e))
        }
        var cfg = VMMConfig()
        cfg.mismatchScale = 6
        let chipVMM = AnalogVMM(instance: instance, config: cfg)
        let chip = ANNBackend.vmm(chipVMM, gradientGain: Float(try chipVMM.calibrate(repeats: 8).gain))
        let sw = try ANNTraining.evaluate(net, images: test.inputs, labels: test.labels, backend: software).accuracy
        let transfer = try ANNTraining.evaluate(net, images: test.inputs, labels: test.labels, backend: chip).accuracy
        adam.learningRate = 0.3
        for e in 0..<4 {
            _ = try ANNTraining.epoch(&net, optimizer: &adam, images: train.inputs, labels: train.labels, batchSize: 50, backend: chip, seed: UInt64(10 + e))
        }
        let loop = try ANNTraining.evaluate(net, images: test.inputs, labels: test.labels, backend: chip)
        #expect(sw > 0.9, "software accuracy \(sw)")
        #expect(loop.accuracy > transfer + 0.1, "loop \(loop.accuracy) vs transfer \(transfer)")
        #expect(loop.chipSeconds > 0 && loop.energyJoules > 0)
    }
}
