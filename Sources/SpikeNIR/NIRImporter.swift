import Foundation
import SpikeModel

/// NIR graph → SpikeLoop `Network`.
///
/// The graph must be a stack: `Input → [Flatten] → (Linear | Affine) → [Scale] → neuron → … → (LI | CubaLI) →
/// Output`, where a spiking neuron node may feed itself through a weight node (`lif → w_rec → lif`, a recurrent
/// layer; NIR's back edge delivers the previous step's spikes, as SpikeLoop's `R·S[t]` does). Nested graphs
/// are inlined first (``NIRGraph/flattened()``). What a `Network` cannot express is an error naming the node and
/// parameter: convolutions and pooling, non-zero biases, delays, bare thresholds, branches, parameters that differ
/// between neurons of one layer, a hidden layer without spikes or a spiking last layer.
///
/// ```swift
/// let (graph, _) = try NIRFile.read(url)
/// let imported = try NIRImporter.network(from: graph, options: NIRImportOptions(dt: 1e-4, producer: .snntorch))
/// ```
public enum NIRImporter {
    /// Which nodes became layer `l`.
    public struct LayerSource: Equatable, Sendable {
        public var weights: String
        public var scale: String?
        public var neurons: String
        public var recurrent: String?
        /// Multiplies the layer's synaptic current into the NIR node's `i` (nil: the node has no current).
        public var currentToNIR: Double?
    }

    public struct Result: Sendable {
        public var network: Network
        public var sources: [LayerSource]
        public var producer: NIRProducer
    }

    public static func network(from graph: NIRGraph, options: NIRImportOptions) throws -> Result {
        var options = options
        if options.producer == .nir, let detected = NIRProducer.detect(graph) { options.producer = detected }
        let dtValue = options.dt ?? options.producer.defaultDt ?? graph.metadata["spikeloop.dt"].flatMap(Double.init)
        guard let dt = dtValue, dt > 0, dt.isFinite else {
            throw NIRError(
                .invalidParameter, parameter: "dt",
                "NIR stores no time step; pass one (--dt, seconds) for producer \(options.producer.rawValue)")
        }
        let g = try graph.flattened()
        for (name, node) in g.orderedNodes {
            switch node.type {
            case .conv1d, .conv2d, .sumPool2d, .avgPool2d:
                throw NIRError(
                    .unsupportedNode, node: name, "\(node.type.rawValue) is not supported: SpikeLoop layers are dense")
            case .delay:
                throw NIRError(.notExpressible, node: name, parameter: "delay", "SpikeLoop synapses have no delays")
            case .threshold:
                throw NIRError(
                    .notExpressible, node: name, parameter: "threshold",
                    "a Threshold without a neuron (no membrane, no reset) has no SpikeLoop layer")
            case .integrator:
                throw NIRError(
                    .notExpressible, node: name,
                    "the integrator I has no leak and no threshold; SpikeLoop's IF layer spikes")
            default: break
            }
        }
        try checkInputShape(graph, producer: options.producer)
        var sources = try chain(g)
        var layers: [Layer] = []
        for (l, s) in sources.enumerated() {
            let isLast = l == sources.count - 1
            let node = g[s.neurons]!
            let params = try neuronParameters(node, name: s.neurons, dt: dt, options: options)
            sources[l].currentToNIR = try currentToNIR(node, name: s.neurons, dt: dt, options: options)
            // A threshold of 1e30 or more is never reached: a leaky integrator (snnTorch-targeted readouts).
            let unreachable = node["v_threshold"].map { $0.values.allSatisfy { $0 >= 1e30 } } ?? false
            let spikes = node.type != .li && node.type != .cubaLI && !(isLast && unreachable)
            if isLast == spikes {
                throw NIRError(
                    .notExpressible, node: s.neurons,
                    isLast
                        ? "the last neuron layer (\(node.type.rawValue)) spikes; a SpikeLoop network ends in a leaky readout (LI or CubaLI)"
                        : "a hidden \(node.type.rawValue) layer does not spike; only the last layer may be LI or CubaLI"
                )
            }
            var w = try weights(g, s.weights, name: s.weights)
            if let sc = s.scale { try applyScale(g[sc]!, name: sc, to: &w) }
            let r = try s.recurrent.map { try weights(g, $0, name: $0) }
            if let r, r.rows != w.rows || r.columns != w.rows {
                throw NIRError(
                    .shapeMismatch, node: s.recurrent!, parameter: "weight",
                    "is [\(r.rows), \(r.columns)], the layer has \(w.rows) neurons")
            }
            let kind: LayerKind = isLast ? .leakyReadout : (r == nil ? .lif : .recurrentLIF)
            layers.append(
                Layer(
                    kind: kind, inputCount: w.columns, neuronCount: w.rows, parameters: params,
                    weights: w.transposedFloats(), recurrentWeights: r?.transposedFloats()))
        }
        let network = Network(dt: dt, layers: layers)
        do { try network.validate() } catch {
            throw NIRError(.notExpressible, "the imported network is invalid: \(error)")
        }
        return Result(network: network, sources: sources, producer: options.producer)
    }

    /// NIR shapes exclude the batch; an Input of rank > 1 not followed by a Flatten most likely includes one.
    /// snnTorch and Norse export through nirtorch, which records the sample data's shape with its batch of 1
    /// (`[1, C]`): with those producers a leading 1 is dropped.
    static func checkInputShape(_ graph: NIRGraph, producer: NIRProducer) throws {
        for (name, node) in graph.orderedNodes where node.type == .input {
            var shape = node["shape"]!.values.map { Int($0) }
            if (producer == .snntorch || producer == .norse) && shape.count > 1 && shape[0] == 1 { shape.removeFirst() }
            let flattens = graph.successors(of: name).contains { graph[$0]?.type == .flatten }
            if shape.count > 1 && !flattens {
                throw NIRError(
                    .notExpressible, node: name, parameter: "shape",
                    "\(shape) has \(shape.count) dimensions; NIR shapes exclude the batch dimension and SpikeLoop takes a vector (expected [\(shape.last!)] or a Flatten after the Input)"
                )
            }
        }
    }

    /// A weight matrix `[rows = out, columns = in]` in NIR's layout.
    struct Matrix {
        var rows: Int
        var columns: Int
        var values: [Double]

        /// SpikeLoop's `[in, out]` layout (row = presynaptic).
        func transposedFloats() -> [Float] {
            var out = [Float](repeating: 0, count: values.count)
            for i in 0..<rows { for j in 0..<columns { out[j * rows + i] = Float(values[i * columns + j]) } }
            return out
        }
    }

    static func weights(_ g: NIRGraph, _ name: String, name label: String) throws -> Matrix {
        let node = g[name]!
        guard node.type == .linear || node.type == .affine, let w = node["weight"] else {
            throw NIRError(
                .notExpressible, node: label, "expected Linear or Affine weights, found \(node.type.rawValue)")
        }
        if let b = node["bias"], let k = b.values.firstIndex(where: { $0 != 0 }) {
            throw NIRError(
                .notExpressible, node: label, parameter: "bias",
                "element \(k) is \(b.values[k]); SpikeLoop layers have no bias (only zero biases import)")
        }
        return Matrix(rows: w.shape[0], columns: w.shape[1], values: w.values)
    }

    static func applyScale(_ node: NIRNode, name: String, to w: inout Matrix) throws {
        let s = node["scale"]!.values
        guard s.count == w.rows || s.count == 1 else {
            throw NIRError(
                .shapeMismatch, node: name, parameter: "scale", "has \(s.count) elements for \(w.rows) neurons")
        }
        for i in 0..<w.rows { for j in 0..<w.columns { w.values[i * w.columns + j] *= s.count == 1 ? s[0] : s[i] } }
    }
}
