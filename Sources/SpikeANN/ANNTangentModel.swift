import Foundation
import SpikeTraining

/// A ReLU ``ANNNetwork`` on unlabeled inputs, in float arithmetic, as a ``TangentModel`` (Neural Tangent Transfer).
///
/// Outputs are the logits `logitScale·y`; parameters are the weighted layers' tensors in order. Between changes of
/// the ReLU sign pattern the network is a polynomial in its weights, so the pattern hash marks its smooth pieces.
public struct ANNTangentModel: TangentModel, Sendable {
    public var network: ANNNetwork
    /// `[count][network.inputCount]`.
    public let inputs: [Float]

    public init(network: ANNNetwork, inputs: [Float]) {
        precondition(inputs.count % network.inputCount == 0, "inputs has \(inputs.count) values, not a multiple of \(network.inputCount)")
        self.network = network
        self.inputs = inputs
    }

    /// The weighted layers' indices in ``ANNNetwork/weights``.
    var weighted: [Int] { network.weights.indices.filter { !network.weights[$0].isEmpty } }

    public var parameters: [[Float]] {
        get { weighted.map { network.weights[$0] } }
        set { for (k, l) in weighted.enumerated() { network.weights[l] = newValue[k] } }
    }

    public var outputCount: Int { network.layers.last(where: { $0.weightShape != nil })?.weightShape?.columns ?? 0 }

    public func pullback(samples: [Int], vectors: [Float]) throws -> TangentPullback {
        let d = network.inputCount
        var x = [Float](repeating: 0, count: samples.count * d)
        for (b, s) in samples.enumerated() { x[(b * d)..<((b + 1) * d)] = inputs[(s * d)..<((s + 1) * d)] }
        let backend = ANNBackend.float(gain: 1)
        let trace = try network.forward(x, batch: samples.count, backend: backend)
        let scale = network.logitScale
        let grads = network.backward(trace, outputGradient: vectors.map { $0 * scale }, backend: backend)
        var patterns = [UInt64](repeating: 0xCBF2_9CE4_8422_2325, count: samples.count)
        for (l, layer) in network.layers.enumerated() where layer == .relu {
            let a = trace.activations[l], width = a.count / samples.count
            for b in 0..<samples.count {
                for i in 0..<width { patterns[b] = (patterns[b] ^ (a[b * width + i] > 0 ? 1 : 2)) &* 0x100_0000_01B3 }
            }
        }
        return TangentPullback(gradient: weighted.map { grads[$0] }, outputs: trace.output.map { $0 * scale }, patterns: patterns)
    }
}
