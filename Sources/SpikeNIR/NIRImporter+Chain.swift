extension NIRImporter {
    /// Walks a flattened graph from its Input to its Output and returns the layers as node names; throws naming
    /// the first node that does not fit the stack `weights → [scale] → neurons (↺ recurrent weights)`.
    static func chain(_ g: NIRGraph) throws -> [LayerSource] {
        let inputs = g.orderedNodes.filter { $0.node.type == .input }.map(\.name)
        let outputs = g.orderedNodes.filter { $0.node.type == .output }.map(\.name)
        guard inputs.count == 1, outputs.count == 1 else {
            throw NIRError(
                .notExpressible, node: (inputs.count == 1 ? outputs : inputs).first,
                "the graph needs exactly one Input and one Output node, it has \(inputs.count) and \(outputs.count)")
        }
        var sources: [LayerSource] = []
        var visited: Set<String> = [inputs[0]]
        var current = inputs[0]
        var recurrentOfCurrent: String?
        while true {
            let next = g.successors(of: current).filter { $0 != recurrentOfCurrent }
            guard next.count == 1 else {
                throw NIRError(
                    .notExpressible, node: current,
                    next.isEmpty
                        ? "has no path to the Output node"
                        : "branches to \(next); SpikeLoop networks are a single stack")
            }
            let target = next[0]
            if g[target]!.type == .output {
                guard current != inputs[0] else {
                    throw NIRError(
                        .notExpressible, node: target, "the Input feeds the Output directly; there is no layer")
                }
                return sources
            }
            guard !visited.contains(target) else {
                throw NIRError(
                    .notExpressible, node: target, "is reached twice: a cycle other than neuron → weights → neuron")
            }
            var source = try layer(g, weights: target, from: current)
            guard
                g.predecessors(of: source.neurons).allSatisfy({
                    $0 == (source.scale ?? source.weights) || isRecurrent(g, $0, source.neurons)
                })
            else {
                throw NIRError(
                    .notExpressible, node: source.neurons,
                    "has inputs \(g.predecessors(of: source.neurons)); SpikeLoop layers take one feed-forward input and at most one recurrent matrix"
                )
            }
            let loops = g.predecessors(of: source.neurons).filter { isRecurrent(g, $0, source.neurons) }
            guard loops.count <= 1 else {
                throw NIRError(
                    .notExpressible, node: source.neurons,
                    "has \(loops.count) recurrent weight nodes; SpikeLoop layers have one")
            }
            source.recurrent = loops.first
            for n in [source.weights, source.scale, source.neurons, source.recurrent].compactMap({ $0 }) {
                visited.insert(n)
            }
            sources.append(source)
            current = source.neurons
            recurrentOfCurrent = source.recurrent
        }
    }

    /// Whether `name` is a weight node fed only by `neurons` and feeding only `neurons` (a recurrent loop).
    static func isRecurrent(_ g: NIRGraph, _ name: String, _ neurons: String) -> Bool {
        guard let node = g[name], node.type == .linear || node.type == .affine else { return false }
        return g.predecessors(of: name) == [neurons] && g.successors(of: name) == [neurons]
    }

    static func layer(_ g: NIRGraph, weights: String, from previous: String) throws -> LayerSource {
        let w = g[weights]!
        guard w.type == .linear || w.type == .affine else {
            throw NIRError(
                .notExpressible, node: weights,
                "a \(w.type.rawValue) node follows '\(previous)'; a layer starts with Linear or Affine weights")
        }
        guard g.predecessors(of: weights) == [previous] else {
            throw NIRError(
                .notExpressible, node: weights,
                "has inputs \(g.predecessors(of: weights)); SpikeLoop layers take exactly one")
        }
        var after = g.successors(of: weights)
        var scale: String?
        if after.count == 1, g[after[0]]!.type == .scale {
            scale = after[0]
            after = g.successors(of: after[0])
        }
        guard after.count == 1, let n = g[after[0]], n.type.isNeuron else {
            let found = after.map { "\($0) (\(g[$0]!.type.rawValue))" }
            throw NIRError(
                .notExpressible, node: weights,
                "feeds \(found); SpikeLoop needs a neuron node (LIF, CubaLIF, IF, LI, CubaLI) after each weight node")
        }
        return LayerSource(weights: weights, scale: scale, neurons: after[0], recurrent: nil, currentToNIR: nil)
    }
}
