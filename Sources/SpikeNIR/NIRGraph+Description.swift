import Foundation
import SpikeModel

extension NIRGraph {
    /// A readable listing: one line per node (type, parameters: shape and the value where all elements agree,
    /// else the range), nested graphs indented, then the edges.
    public func summary(indent: String = "") -> String {
        var lines: [String] = []
        let width = max(8, (nodeNames.map(\.count).max() ?? 0) + 2)
        for (name, node) in orderedNodes {
            let padded = name.padding(toLength: width, withPad: " ", startingAt: 0)
            if let sub = node.subgraph {
                lines.append("\(indent)\(padded)NIRGraph (\(sub.nodes.count) nodes)")
                lines.append(sub.summary(indent: indent + "    "))
                continue
            }
            let params = node.parameters.sorted { $0.key < $1.key }.map { "\($0.key) \(Self.describe($0.value))" }
            lines.append(
                "\(indent)\(padded)\(node.type.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0))\(params.joined(separator: ", "))"
            )
        }
        lines.append("\(indent)edges: " + edges.map(\.description).joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    static func describe(_ t: NIRTensor) -> String {
        guard let first = t.values.first else { return "[]" }
        let shape = t.shape.isEmpty ? "" : "\(t.shape) "
        if t.values.allSatisfy({ $0 == first }) { return t.count > 1 ? "\(shape)= \(format(first))" : format(first) }
        let lo = t.values.min()!
        let hi = t.values.max()!
        return "\(shape)\(format(lo))…\(format(hi))"
    }

    static func format(_ x: Double) -> String { String(format: "%.6g", x) }
}

extension NIRImporter.Result {
    /// One line per layer: the nodes it came from, its size and kind, and its discrete step's constants.
    public var summary: String {
        var lines = ["imported as producer '\(producer.rawValue)', dt \(network.dt) s: \(network.layers.count) layers"]
        for (l, (layer, s)) in zip(network.layers, sources).enumerated() {
            let p = layer.parameters
            let d = p.discretized(dt: network.dt)
            let from =
                [s.weights, s.scale, s.neurons].compactMap { $0 }.joined(separator: " → ")
                + (s.recurrent.map { " ↺ \($0)" } ?? "")
            lines.append(
                String(
                    format:
                        "  layer %d  %@: %d → %d %@ (%@), α %.6g β %.6g gain %.6g, ϑ %.6g, v_leak %.6g, v_reset %.6g, reset %@, %@",
                    l, from, layer.inputCount, layer.neuronCount, layer.kind.rawValue, p.family.rawValue, d.alpha,
                    d.beta, d.gain,
                    Double(p.vThreshold), Double(p.vLeak), Double(p.vReset), p.reset.rawValue, p.discretization.rawValue
                ))
        }
        return lines.joined(separator: "\n")
    }
}
