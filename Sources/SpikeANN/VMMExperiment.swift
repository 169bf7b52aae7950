import Foundation
import SpikeCore
import SpikeData
import SpikeSubstrate

/// The published MNIST network on the VMM mode, trained in software, transferred, and trained in the loop.
///
/// Network (Weis et al. 2020; hxtorch's MNIST example): 28×28 → Conv2d 1→20 kernel 10 stride 5 padding 1 →
/// converting ReLU → flatten → Linear 500→128 → converting ReLU → Linear 128→10, no biases; pixels become inputs
/// `round(31·p)`. *Software* is hxtorch's mock model (global gain, Gaussian noise, hard clamp, 6-bit weights)
/// with the nominal gain in the backward pass; *transfer* evaluates those weights on an emulated chip instance;
/// *loop* calibrates that chip (global gain) and fine-tunes the software weights with the chip in the forward
/// pass, the backward pass scaled by the measured gain.
public enum VMMExperiment {
    public struct Settings: Sendable {
        public var dataDirectory: String
        public var softwareEpochs = 15
        public var loopEpochs = 5
        public var batchSize = 100
        /// Adam step size in chip weight units (±63), decayed by `learningRateDecay` per epoch.
        public var learningRate: Float = 1.5
        public var learningRateDecay: Float = 0.85
        /// Converting-ReLU shifts after the convolution and after the hidden layer.
        public var shifts = (1, 1)
        public var mismatchScales = [1.0, 2.0, 4.0]
        /// Seeds both the training (initialization, order) and the chip instance.
        public var seed: UInt64 = 1
        /// Use only the first `trainLimit` training images (nil: all 60,000).
        public var trainLimit: Int?
        public init(dataDirectory: String) { self.dataDirectory = dataDirectory }
    }

    /// One `results/vmm.jsonl` line.
    public struct Record: Codable, Sendable {
        public var job = "vmm-mnist"
        public var mode: String
        public var mismatch_scale: Double
        public var seed: UInt64
        public var test_accuracy: Double
        public var epochs: Int
        /// Chip time and energy per test image (inference, the batch's tile overheads shared).
        public var chip_seconds_per_image: Double
        public var joules_per_image: Double
        /// Host throughput of the forward pass on the test set, images per second.
        public var images_per_second: Double
        public var measured_gain: Double?
        public var measured_noise: Double?
    }

    /// MNIST 28×28 as VMM inputs `round(31·p)`, `[count][784]`, with labels.
    public static func loadMNIST(_ dir: String, training: Bool, limit: Int? = nil) throws -> (inputs: [Float], labels: [Int32]) {
        let prefix = training ? "train" : "t10k"
        func path(_ name: String) -> String {
            let p = (dir as NSString).appendingPathComponent(name)
            return FileManager.default.fileExists(atPath: p + ".gz") ? p + ".gz" : p
        }
        let images = try IDXFile.read(path("\(prefix)-images-idx3-ubyte"), expectedRank: 3)
        let labels = try IDXFile.read(path("\(prefix)-labels-idx1-ubyte"), expectedRank: 1)
        let n = min(limit ?? Int.max, labels.dimensions[0])
        let size = images.dimensions[1] * images.dimensions[2]
        let x = images.bytes[0..<(n * size)].map { (Float($0) * 31 / 255).rounded() }
        return (x, labels.bytes[0..<n].map { Int32($0) })
    }

    /// The published network with this seed's initialization.
    public static func network(shifts: (Int, Int), seed: UInt64) -> ANNNetwork {
        let conv = Conv2dGeometry(inChannels: 1, outChannels: 20, kernel: 10, stride: 5, padding: 1, inHeight: 28, inWidth: 28)
        return ANNNetwork(
            layers: [.conv2d(conv), .convertingReLU(shift: shifts.0), .flatten, .linear(inputs: 500, outputs: 128),
                     .convertingReLU(shift: shifts.1), .linear(inputs: 128, outputs: 10)],
            inputCount: 784, weightStd: [30, 20, 20], logitScale: 0.1, seed: seed)
    }

    /// Trains `epochs` epochs with a per-epoch decaying learning rate; logs one line per epoch.
    static func train(_ net: inout ANNNetwork, _ s: Settings, epochs: Int, learningRate: Float, backend: ANNBackend,
                      data: (inputs: [Float], labels: [Int32]), tag: String, log: (String) -> Void) throws {
        var adam = ANNAdam(learningRate: learningRate)
        for e in 0..<epochs {
            let start = monotonicSeconds()
            let r = try ANNTraining.epoch(&net, optimizer: &adam, images: data.inputs, labels: data.labels, batchSize: s.batchSize,
                                          backend: backend, seed: s.seed &* 1000 &+ UInt64(e) &+ (tag == "loop" ? 500 : 0))
            log("\(tag) epoch \(e + 1): " + String(format: "loss %.4f train accuracy %.4f (%.1f s)", r.loss, r.accuracy, monotonicSeconds() - start))
            adam.learningRate *= s.learningRateDecay
        }
    }

    /// Runs software training once, then transfer and loop at every mismatch scale; returns one record per run.
    public static func run(_ s: Settings, log: (String) -> Void = { _ in }) throws -> [Record] {
        let trainSet = try loadMNIST(s.dataDirectory, training: true, limit: s.trainLimit)
        let test = try loadMNIST(s.dataDirectory, training: false)
        log("MNIST: \(trainSet.labels.count) training, \(test.labels.count) test images")
        let instance = ChipInstance(seed: s.seed, config: ChipConfig(), tauMem: 6e-6, tauSyn: 6e-6)
        let mock = AnalogVMM(instance: instance, config: VMMConfig(), mode: .mock, noiseSeed: s.seed)
        let software = ANNBackend.vmm(mock, gradientGain: Float(VMMConfig().gain))
        var net = network(shifts: s.shifts, seed: s.seed)
        try train(&net, s, epochs: s.softwareEpochs, learningRate: s.learningRate, backend: software, data: trainSet, tag: "software", log: log)
        var records = [try record(net, "software", scale: 0, s, epochs: s.softwareEpochs, backend: software, test: test)]
        log("software: test accuracy \(records[0].test_accuracy)")
        for scale in s.mismatchScales {
            var cfg = VMMConfig()
            cfg.mismatchScale = scale
            let chip = AnalogVMM(instance: instance, config: cfg, mode: .emulated, noiseSeed: s.seed &+ 7)
            let calibration = try chip.calibrate()
            let backend = ANNBackend.vmm(chip, gradientGain: Float(calibration.gain))
            var transfer = try record(net, "transfer", scale: scale, s, epochs: s.softwareEpochs, backend: backend, test: test)
            transfer.measured_gain = calibration.gain
            transfer.measured_noise = calibration.noise
            log("transfer ×\(scale): test accuracy \(transfer.test_accuracy) (measured gain \(calibration.gain), σ \(calibration.noise))")
            var tuned = net
            let lr = s.learningRate * Foundation.pow(s.learningRateDecay, Float(s.softwareEpochs))
            try train(&tuned, s, epochs: s.loopEpochs, learningRate: lr, backend: backend, data: trainSet, tag: "loop", log: log)
            var loop = try record(tuned, "loop", scale: scale, s, epochs: s.softwareEpochs + s.loopEpochs, backend: backend, test: test)
            loop.measured_gain = calibration.gain
            loop.measured_noise = calibration.noise
            log("loop ×\(scale): test accuracy \(loop.test_accuracy)")
            records += [transfer, loop]
        }
        return records
    }

    static func record(_ net: ANNNetwork, _ mode: String, scale: Double, _ s: Settings, epochs: Int, backend: ANNBackend,
                       test: (inputs: [Float], labels: [Int32])) throws -> Record {
        let start = monotonicSeconds()
        let r = try ANNTraining.evaluate(net, images: test.inputs, labels: test.labels, batchSize: 500, backend: backend)
        let n = Double(test.labels.count)
        return Record(mode: mode, mismatch_scale: scale, seed: s.seed, test_accuracy: r.accuracy, epochs: epochs,
                      chip_seconds_per_image: r.chipSeconds / n, joules_per_image: r.energyJoules / n,
                      images_per_second: n / max(1e-9, monotonicSeconds() - start), measured_gain: nil, measured_noise: nil)
    }
}
