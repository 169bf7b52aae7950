import Foundation
import Testing
@testable import SpikeANN
import SpikeCore
import SpikeData
import SpikeSubstrate
import SpikeTraining

/// ANN→SNN conversion (rates follow activations on an ideal chip) and the in-the-loop gradient (straight-through
/// backward through the ANN with recorded activations).
@Suite struct ConversionTests {
    /// linear 16→8 → ReLU → linear 8→6 → ReLU → linear 6→3, bias-free.
    static func tinyANN(seed: UInt64 = 5) -> ANNNetwork {
        ANNNetwork(layers: [.linear(inputs: 16, outputs: 8), .relu, .linear(inputs: 8, outputs: 6), .relu, .linear(inputs: 6, outputs: 3)],
                   inputCount: 16, weightStd: [0.35, 0.5, 0.6], logitScale: 1, seed: seed)
    }

    static func images(_ count: Int, seed: UInt64 = 9) -> [Float] {
        var rng = SeededRandom(seed: seed)
        return (0..<(count * 16)).map { _ in Float(rng.nextUnitDouble()) }
    }

    @Test("on a chip without mismatch or noise, hidden spike rates are proportional to the ANN's activations")
    func ratesFollowActivations() throws {
        let ann = Self.tinyANN()
        let x = Self.images(40)
        var settings = SpikingConversion.Settings()
        settings.stepCount = 200
        let conversion = try SpikingConversion(ann: ann, images: x, settings: settings)
        let p = settings.profile
        let chip = EmulatedChip(seed: 1, config: .ideal, calibrated: false, tauMem: p.tauMem, tauSyn: p.tauSyn)
        let rec = try conversion.record(ann, on: chip, images: x, labels: [Int32](repeating: 0, count: 40), seed: 1, workers: 1)
        let trace = try ann.forward(x, batch: 40, backend: .float(gain: 1))
        for (k, recorded) in rec.hidden.enumerated() {
            let a = trace.activations[2 * k + 2], lambda = conversion.lambdas[k]
            // least-squares slope of recorded on ANN activations, and the scatter around it (relative to λ)
            let slope = zip(a, recorded).map { $0 * $1 }.reduce(0, +) / a.map { $0 * $0 }.reduce(0, +)
            let rms = (zip(a, recorded).map { ($1 - slope * $0) * ($1 - slope * $0) }.reduce(0, +) / Float(a.count)).squareRoot()
            #expect(slope > 0.75 && slope < 1.1, "layer \(k): recorded/ANN slope \(slope)")
            #expect(rms < 0.08 * lambda, "layer \(k): scatter \(rms) of λ \(lambda)")
            // silent ANN units stay silent
            for (ai, ri) in zip(a, recorded) where ai == 0 { #expect(ri == 0, "layer \(k): a silent ReLU fired at \(ri)") }
        }
        // the readout's mean membrane follows the logits (the ADC clips far below rest, so positive ones only; weak
        // drives stay below the leaky neurons' threshold, the dead zone that fine-tuning has to fix)
        let pairs: [(Float, Float)] = zip(trace.output, rec.output).filter { $0.0 > 0 }
        let xy: Float = pairs.map { $0.0 * $0.1 }.reduce(0, +), xx: Float = pairs.map { $0.0 * $0.0 }.reduce(0, +)
        let slope = xy / xx
        #expect(slope > 0.75 && slope < 1.1, "readout/logit slope \(slope)")
    }

    @Test("the straight-through backward equals the ANN's analytic backward when the recorded activations are the ANN's")
    func straightThroughMatchesAnalytic() throws {
        let ann = Self.tinyANN()
        let x = Self.images(7)
        let labels: [Int32] = [0, 1, 2, 0, 1, 2, 1]
        let conversion = try SpikingConversion(ann: ann, images: x, settings: SpikingConversion.Settings())
        let trace = try ann.forward(x, batch: 7, backend: .float(gain: 1))
        let gradient = ann.softmaxCrossEntropy(trace.output, labels: labels).gradient
        let analytic = ann.backward(trace, outputGradient: gradient, backend: .float(gain: 1))
        var rec = SpikingConversion.Recording(hidden: [trace.activations[2], trace.activations[4]], output: trace.output, chipSeconds: 0)
        let substituted = ann.backward(conversion.substitutedTrace(ann, inputs: x, recording: rec), outputGradient: gradient, backend: .float(gain: 1))
        #expect(substituted == analytic)
        #expect(analytic.joined().contains { $0 != 0 })
        // and the recorded activity is what the gradient reads: silencing one active unit changes it
        let active = try #require(rec.hidden[0].firstIndex { $0 > 0 })
        rec.hidden[0][active] = 0
        #expect(ann.backward(conversion.substitutedTrace(ann, inputs: x, recording: rec), outputGradient: gradient, backend: .float(gain: 1)) != analytic)
    }

    @Test("an ANN that is not linear–ReLU–linear is refused, naming the layer")
    func refusesOtherLayers() throws {
        let ann = ANNNetwork(layers: [.linear(inputs: 16, outputs: 4), .convertingReLU(shift: 1), .linear(inputs: 4, outputs: 3)],
                             inputCount: 16, weightStd: [0.5, 0.5], seed: 1)
        #expect { try SpikingConversion(ann: ann, images: Self.images(4), settings: SpikingConversion.Settings()) } throws: { error in
            "\(error)".contains("ANN layer 1")
        }
    }

    @Test("regular trains fire x·maxRate·T spikes (±1); Poisson trains the same on average", arguments: [0.0, 0.13, 0.5, 1.0])
    func rateEncoding(x: Float) {
        let T = 200, rate = 0.6
        let regular = RateEncoder(kind: .regular, maxRate: rate, stepCount: T).encode(images: [x, x, x], pixels: 3, labels: [0])
        for c in 0..<3 {
            let n = regular.events(ofSample: 0).filter { $0.channel == c }.count
            #expect(abs(Double(n) - Double(x) * rate * Double(T)) <= 1, "channel \(c): \(n) spikes")
        }
        let images = [Float](repeating: x, count: 50 * 3)
        let poisson = RateEncoder(kind: .poisson, maxRate: rate, stepCount: T, seed: 4).encode(images: images, pixels: 3, labels: [Int32](repeating: 0, count: 50))
        let mean = Double(poisson.eventCount) / 150
        #expect(abs(mean - Double(x) * rate * Double(T)) <= 1.5, "Poisson mean \(mean)")
    }

    @Test("the BrainScaleS-1 profile has 4-bit weights, 10× shorter times and more mismatch than BrainScaleS-2")
    func profiles() {
        let (one, two) = (ChipProfile.bss1, ChipProfile.bss2)
        #expect(one.config.weightMax == 15 && two.config.weightMax == 63)
        #expect(one.config.code(1, scale: one.config.hiddenWeightScale) == 15)
        #expect(abs(one.tauMem * 10 - two.tauMem) < 1e-12 && abs(one.dt * 10 - two.dt) < 1e-12)
        #expect(one.config.tauMemSpread > two.config.tauMemSpread)
        #expect(two.config.scalingMismatch(by: 3).thresholdSpread == 3 * two.config.thresholdSpread)
    }
}

/// Reading a PyTorch `nn.Sequential` state dict from safetensors.
@Suite struct ANNSafetensorsTests {
    /// A safetensors file of `tensors` (name, [out, in] shape, values), written as PyTorch's `save_file` does.
    static func write(_ tensors: [(String, [Int], [Float])]) throws -> String {
        var header: [String: Any] = [:], body = Data(), offset = 0
        for (name, shape, values) in tensors {
            header[name] = ["dtype": "F32", "shape": shape, "data_offsets": [offset, offset + 4 * values.count]]
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
            offset += 4 * values.count
        }
        let json = try JSONSerialization.data(withJSONObject: header)
        var data = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        data.append(body)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ann-\(UUID().uuidString).safetensors").path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("nn.Linear weights [out, in] become the same function")
    func readsSequential() throws {
        // 3 → 2 → 2: y = W2 relu(W1 x)
        let w1: [Float] = [1, 2, 3, -1, 0.5, 0], w2: [Float] = [1, -1, 2, 0.25]
        let path = try Self.write([("0.weight", [2, 3], w1), ("2.weight", [2, 2], w2), ("0.bias", [2], [0, 0])])
        let ann = try ANNNetwork(safetensors: path)
        let x: [Float] = [0.5, -1, 2]
        let h = (0..<2).map { o in max(0, (0..<3).map { w1[o * 3 + $0] * x[$0] }.reduce(0, +)) }
        let y = (0..<2).map { o in (0..<2).map { w2[o * 2 + $0] * h[$0] }.reduce(0, +) }
        let out = try ann.forward(x, batch: 1, backend: .float(gain: 1)).output
        #expect(out == y, "\(out) vs \(y)")
    }

    @Test("a nonzero bias or a shape that does not chain is an error naming the tensor", arguments: [
        ([("0.weight", [2, 3], [Float](repeating: 1, count: 6)), ("2.weight", [2, 2], [Float](repeating: 1, count: 4)), ("0.bias", [2], [0, 1])], "0.bias"),
        ([("0.weight", [2, 3], [Float](repeating: 1, count: 6)), ("2.weight", [2, 3], [Float](repeating: 1, count: 6))], "2.weight"),
    ])
    func refusesBadTensors(tensors: [(String, [Int], [Float])], name: String) throws {
        let path = try Self.write(tensors)
        #expect { try ANNNetwork(safetensors: path) } throws: { "\($0)".contains(name) }
    }
}
