import Foundation
import SpikeCore

extension ANNNetwork {
    /// Weight gradients of a loss whose gradient with respect to the network output is `outputGradient`.
    ///
    /// Every product `y = g · x·W` back-propagates as the ideal one, `∂L/∂W = g · xᵀ·∂L/∂y` and
    /// `∂L/∂x = g · ∂L/∂y·Wᵀ`, with `g` the backend's gradient gain and `W` the weights the forward pass used; on
    /// the chip that is the straight-through estimator for the ADC's rounding, clamping and noise, with the
    /// measured gain standing in for the unknown per-column gains (Spilger et al. 2020, hxtorch).
    /// - Returns: one array per layer, empty for layers without weights.
    public func backward(_ trace: Trace, outputGradient: [Float], backend: ANNBackend) -> [[Float]] {
        let g = backend.gradientGain
        let batch = trace.batch
        var grads = layers.map { _ in [Float]() }
        var d = outputGradient
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            let x = trace.activations[l]
            switch layers[l] {
            case .flatten:
                break
            case .relu:
                d = zip(d, x).map { $1 > 0 ? $0 : 0 }
            case .convertingReLU(let shift):
                let scale = 1 / Float(1 << shift), top = min(127, Float(32 << shift))
                d = zip(d, x).map { $1 > 0 && $1 < top ? $0 * scale : 0 }
            case .linear(let i, let o):
                grads[l] = Self.matmul(x, d, rows: i, inner: batch, columns: o, alpha: g, transposeA: true)
                if l > 0 { d = Self.matmul(d, trace.used[l], rows: batch, inner: o, columns: i, alpha: g, transposeB: true) }
            case .conv2d(let geo):
                let (p, n, k) = (geo.positions, geo.outChannels, geo.patchSize)
                let delta = Self.channelsToPositions(d, batch: batch, positions: p, channels: n)
                grads[l] = Self.matmul(trace.columns[l], delta, rows: k, inner: batch * p, columns: n, alpha: g, transposeA: true)
                if l > 0 {
                    let dcol = Self.matmul(delta, trace.used[l], rows: batch * p, inner: n, columns: k, alpha: g, transposeB: true)
                    d = geo.col2im(dcol, batch: batch)
                }
            }
        }
        return grads
    }

    /// Mean softmax cross-entropy of `logitScale · output` over the batch, its gradient with respect to the
    /// output, and the number of correct argmax predictions.
    public func softmaxCrossEntropy(_ output: [Float], labels: [Int32]) -> (loss: Double, gradient: [Float], correct: Int) {
        let batch = labels.count
        precondition(batch > 0 && output.count % batch == 0, "output has \(output.count) values for \(batch) labels")
        let classes = output.count / batch
        var gradient = [Float](repeating: 0, count: output.count)
        var loss = 0.0, correct = 0
        for b in 0..<batch {
            let row = output[(b * classes)..<((b + 1) * classes)].map { Double($0 * logitScale) }
            let top = row.max()!
            let e = row.map { Foundation.exp($0 - top) }
            let z = e.reduce(0, +)
            let label = Int(labels[b])
            precondition(label >= 0 && label < classes, "label \(label) outside 0..<\(classes)")
            loss -= Foundation.log(e[label] / z)
            if row.firstIndex(of: top) == label { correct += 1 }
            for c in 0..<classes {
                let p = e[c] / z - (c == label ? 1 : 0)
                gradient[b * classes + c] = Float(p / Double(batch)) * logitScale
            }
        }
        return (loss / Double(batch), gradient, correct)
    }
}
