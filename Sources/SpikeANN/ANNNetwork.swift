import Foundation
import SpikeCore
import SpikeSubstrate

/// Where a forward pass computes its matrix products.
public enum ANNBackend {
    /// Float arithmetic, `y = gain · x·W` with unquantized weights: the analytic reference (and float training).
    case float(gain: Float)
    /// The chip's VMM (emulated, mock or ideal): weights rounded and clipped to ±63, inputs integers 0…31. The
    /// backward pass is the ideal product's gradient scaled by `gradientGain`, the gain the calibration measured;
    /// rounding, clamping and noise pass straight through.
    case vmm(AnalogVMM, gradientGain: Float)

    var gradientGain: Float {
        switch self {
        case .float(let g): return g
        case .vmm(_, let g): return g
        }
    }
}

/// A feed-forward network of ``ANNLayer``s with weights in chip units (a weight of 63 is a full synapse).
public struct ANNNetwork: Codable, Sendable {
    public let layers: [ANNLayer]
    /// Per layer `[rows][columns]` row-major; empty for layers without weights.
    public var weights: [[Float]]
    /// Features of one input sample.
    public let inputCount: Int
    /// Logits are `logitScale · output` (outputs are ADC codes, ±127 per tile).
    public var logitScale: Float

    /// - Parameter weightStd: the initial normal SD per weighted layer, chip units.
    public init(layers: [ANNLayer], inputCount: Int, weightStd: [Float], logitScale: Float = 0.1, seed: UInt64) {
        let shapes = layers.compactMap(\.weightShape)
        precondition(weightStd.count == shapes.count, "weightStd has \(weightStd.count) values for \(shapes.count) weighted layers")
        var rng = SeededRandom(seed: seed, stream: 0xA22)
        var k = 0
        self.layers = layers
        self.inputCount = inputCount
        self.logitScale = logitScale
        weights = layers.map { layer in
            guard let (r, c) = layer.weightShape else { return [] }
            defer { k += 1 }
            return (0..<(r * c)).map { _ in Float(rng.nextGaussian()) * weightStd[k] }
        }
    }

    /// Everything a forward pass keeps for the backward pass, plus the chip's cost.
    public struct Trace {
        public var batch: Int
        /// The input of each layer, and the network output last.
        var activations: [[Float]] = []
        /// im2col matrices of convolution layers (empty elsewhere).
        var columns: [[Float]] = []
        /// The weights each product used (quantized on the chip).
        var used: [[Float]] = []
        public var output: [Float] { activations.last ?? [] }
        public var chipSeconds = 0.0
        public var energyJoules = 0.0
    }

    /// Runs `x` (`[batch][inputCount]`) through the network.
    /// - Throws: ``SubstrateError`` when a chip product gets inputs outside 0…31 (quantize the images first).
    public func forward(_ x: [Float], batch: Int, backend: ANNBackend) throws -> Trace {
        precondition(x.count == batch * inputCount, "input has \(x.count) values, expected \(batch) × \(inputCount)")
        var trace = Trace(batch: batch)
        var a = x
        for (l, layer) in layers.enumerated() {
            trace.activations.append(a)
            trace.columns.append([])
            trace.used.append([])
            switch layer {
            case .linear(_, let o):
                a = try product(a, rows: batch, weights: l, outputs: o, backend: backend, trace: &trace)
            case .conv2d(let g):
                let col = g.im2col(a, batch: batch)
                let y = try product(col, rows: batch * g.positions, weights: l, outputs: g.outChannels, backend: backend, trace: &trace)
                trace.columns[l] = col
                a = Self.positionsToChannels(y, batch: batch, positions: g.positions, channels: g.outChannels)
            case .relu:
                a = a.map { max(0, $0) }
            case .convertingReLU(let shift):
                let scale = 1 / Float(1 << shift)
                a = a.map { min(31, (min(127, max(0, $0)) * scale).rounded(.down)) }
            case .flatten:
                break
            }
        }
        trace.activations.append(a)
        return trace
    }

    /// `[rows][inputs] · W_l` on the backend; records the weights used.
    private func product(_ x: [Float], rows: Int, weights l: Int, outputs: Int, backend: ANNBackend, trace: inout Trace) throws -> [Float] {
        switch backend {
        case .float(let gain):
            trace.used[l] = weights[l]
            return Self.matmul(x, weights[l], rows: rows, inner: weights[l].count / outputs, columns: outputs, alpha: gain)
        case .vmm(let vmm, _):
            let limit = Float(vmm.config.weightMax)
            let q = weights[l].map { min(limit, max(-limit, $0.rounded())) }
            trace.used[l] = q
            let r = try vmm.multiply(x, batch: rows, weights: q, outputCount: outputs)
            trace.chipSeconds += r.chipSeconds
            trace.energyJoules += r.energyJoules
            return r.outputs
        }
    }

    /// `alpha · A[m×k] · B[k×n]` (optionally transposed operands, shapes after transposition).
    static func matmul(_ a: [Float], _ b: [Float], rows m: Int, inner k: Int, columns n: Int, alpha: Float,
                       transposeA: Bool = false, transposeB: Bool = false) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        guard m > 0, n > 0, k > 0 else { return c }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.gemm(m: m, n: n, k: k, alpha: alpha, a: pa.baseAddress!, lda: transposeA ? m : k, transposeA: transposeA,
                              b: pb.baseAddress!, ldb: transposeB ? k : n, transposeB: transposeB, beta: 0, c: pc.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }

    /// `[batch·positions][channels]` → `[batch][channels][positions]`.
    static func positionsToChannels(_ y: [Float], batch: Int, positions p: Int, channels c: Int) -> [Float] {
        var out = [Float](repeating: 0, count: y.count)
        for b in 0..<batch { for i in 0..<p { for j in 0..<c { out[(b * c + j) * p + i] = y[(b * p + i) * c + j] } } }
        return out
    }

    /// `[batch][channels][positions]` → `[batch·positions][channels]`.
    static func channelsToPositions(_ y: [Float], batch: Int, positions p: Int, channels c: Int) -> [Float] {
        var out = [Float](repeating: 0, count: y.count)
        for b in 0..<batch { for i in 0..<p { for j in 0..<c { out[(b * p + i) * c + j] = y[(b * c + j) * p + i] } } }
        return out
    }
}
