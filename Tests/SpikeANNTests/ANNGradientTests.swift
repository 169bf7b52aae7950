import Foundation
import Testing
@testable import SpikeANN
import SpikeCore
import SpikeSubstrate

/// Gradients of the ANN layers: analytic vs finite differences, and the chip's straight-through gradient.
@Suite struct ANNGradientTests {
    /// conv(1→2, k3, s2, p1) on 6×6 → ReLU → flatten → linear 18→4 → ReLU → linear 4→3.
    static func tinyNetwork(std: [Float] = [0.6, 0.4, 0.5], seed: UInt64 = 3) -> ANNNetwork {
        let conv = Conv2dGeometry(inChannels: 1, outChannels: 2, kernel: 3, stride: 2, padding: 1, inHeight: 6, inWidth: 6)
        return ANNNetwork(
            layers: [.conv2d(conv), .relu, .flatten, .linear(inputs: 18, outputs: 4), .relu, .linear(inputs: 4, outputs: 3)],
            inputCount: 36, weightStd: std, logitScale: 1, seed: seed)
    }

    static func loss(_ net: ANNNetwork, _ x: [Float], _ labels: [Int32], _ backend: ANNBackend) throws -> Double {
        let t = try net.forward(x, batch: labels.count, backend: backend)
        return net.softmaxCrossEntropy(t.output, labels: labels).loss
    }

    @Test("the ideal product's gradient equals central finite differences (float backend)")
    func analyticMatchesFiniteDifferences() throws {
        let net = Self.tinyNetwork()
        var rng = SeededRandom(seed: 8)
        let x = (0..<(3 * 36)).map { _ in Float(rng.nextUnitDouble()) }
        let labels: [Int32] = [0, 2, 1]
        let backend = ANNBackend.float(gain: 0.7)
        let trace = try net.forward(x, batch: 3, backend: backend)
        let grads = net.backward(trace, outputGradient: net.softmaxCrossEntropy(trace.output, labels: labels).gradient, backend: backend)
        // Small enough that no ReLU input crosses its kink (h = 1e-3 crosses one for this seed), large enough for Float.
        let h: Float = 2e-4
        var checked = 0, worst: Float = 0
        for l in net.weights.indices where !net.weights[l].isEmpty {
            for i in net.weights[l].indices {
                var plus = net, minus = net
                plus.weights[l][i] += h
                minus.weights[l][i] -= h
                let fd = Float((try Self.loss(plus, x, labels, backend) - Self.loss(minus, x, labels, backend)) / Double(2 * h))
                let err = abs(fd - grads[l][i]) / (2e-3 + 2e-2 * abs(fd))
                worst = max(worst, err)
                checked += 1
            }
        }
        #expect(checked == 18 + 72 + 12)
        #expect(worst <= 1, "worst scaled error \(worst)")
    }

    @Test("on an ideal chip the in-the-loop (straight-through) gradient equals the float gradient")
    func straightThroughEqualsAnalyticOnIdealChip() throws {
        // shift 0 converting ReLUs keep activations integer and in 0…31, as the chip needs.
        var net = ANNNetwork(layers: Self.tinyNetwork().layers.map { $0 == .relu ? .convertingReLU(shift: 0) : $0 }, inputCount: 36,
                             weightStd: [1, 1, 1], logitScale: 0.05, seed: 1)
        net.layers.indices.forEach { l in net.weights[l] = net.weights[l].map { ($0 * 3).rounded() } }
        var rng = SeededRandom(seed: 2)
        let x = (0..<(4 * 36)).map { _ in Float(rng.nextIndex(below: 4)) }
        let labels: [Int32] = [0, 1, 2, 1]
        var cfg = VMMConfig.ideal
        cfg.gain = 1  // integer products: flooring is exact, so both forward passes agree
        let chip = ANNBackend.vmm(AnalogVMM(instance: ChipInstance(seed: 1, config: .ideal, tauMem: 6e-6, tauSyn: 6e-6), config: cfg), gradientGain: 1)
        let float = ANNBackend.float(gain: 1)
        let a = try net.forward(x, batch: 4, backend: chip), b = try net.forward(x, batch: 4, backend: float)
        #expect(a.output == b.output)
        #expect(a.output.contains { $0 != 0 })
        let ga = net.backward(a, outputGradient: net.softmaxCrossEntropy(a.output, labels: labels).gradient, backend: chip)
        let gb = net.backward(b, outputGradient: net.softmaxCrossEntropy(b.output, labels: labels).gradient, backend: float)
        #expect(ga == gb)
        #expect(ga.joined().contains { $0 != 0 })
    }

    @Test("the converting ReLU maps to 0…31: floor(clamp(x, 0, 127) / 2^shift), capped at 31")
    func convertingReLU() throws {
        let net = ANNNetwork(layers: [.convertingReLU(shift: 1)], inputCount: 7, weightStd: [], seed: 0)
        let t = try net.forward([-5, 0, 1.9, 2, 61.9, 63, 200], batch: 1, backend: .float(gain: 1))
        #expect(t.output == [0, 0, 0, 1, 30, 31, 31])
        let g = net.backward(t, outputGradient: [Float](repeating: 1, count: 7), backend: .float(gain: 1))
        #expect(g == [[]])
    }

    @Test("im2col and col2im are adjoint: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩")
    func im2colAdjoint() throws {
        let geo = Conv2dGeometry(inChannels: 2, outChannels: 1, kernel: 3, stride: 2, padding: 1, inHeight: 5, inWidth: 7)
        #expect(geo.outHeight == 3 && geo.outWidth == 4)
        let mnist = Conv2dGeometry(inChannels: 1, outChannels: 20, kernel: 10, stride: 5, padding: 1, inHeight: 28, inWidth: 28)
        #expect(mnist.positions * mnist.outChannels == 500)
        var rng = SeededRandom(seed: 6)
        let x = (0..<(2 * 70)).map { _ in Float(rng.nextUnitDouble()) }
        let c = (0..<(2 * geo.positions * geo.patchSize)).map { _ in Float(rng.nextUnitDouble()) }
        let lhs = zip(geo.im2col(x, batch: 2), c).reduce(0.0) { $0 + Double($1.0 * $1.1) }
        let rhs = zip(x, geo.col2im(c, batch: 2)).reduce(0.0) { $0 + Double($1.0 * $1.1) }
        #expect(abs(lhs - rhs) < 1e-4 * abs(lhs), "\(lhs) vs \(rhs)")
    }
}
