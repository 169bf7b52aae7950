extension NIRGraph {
    /// The same computation with nested graphs inlined and pass-through nodes bypassed.
    ///
    /// A nested graph `sub` becomes nodes `sub.<inner>`; edges into `sub` go to its Input node, edges out of it
    /// leave its Output node. Then the inner Input/Output nodes and 1-D `Flatten` nodes (identities on
    /// row-major data) are removed, their predecessors wired to their successors. The outer graph's own
    /// Input and Output nodes stay.
    public func flattened() throws -> NIRGraph {
        var out = NIRGraph(metadata: metadata)
        var edges: [NIREdge] = []
        var entry: [String: String] = [:]  // nested graph name → its inner Input's new name
        var exit: [String: String] = [:]
        var passThrough = Set<String>()
        for (name, node) in orderedNodes {
            guard let sub = node.subgraph else {
                out[name] = node
                if node.type == .flatten { passThrough.insert(name) }
                continue
            }
            let inner = try sub.flattened()
            for (n, v) in inner.orderedNodes {
                out["\(name).\(n)"] = v
                if v.type == .input || v.type == .output || v.type == .flatten { passThrough.insert("\(name).\(n)") }
            }
            edges += inner.edges.map { NIREdge("\(name).\($0.source)", "\(name).\($0.target)") }
            entry[name] = inner.orderedNodes.first { $0.node.type == .input }.map { "\(name).\($0.name)" }
            exit[name] = inner.orderedNodes.first { $0.node.type == .output }.map { "\(name).\($0.name)" }
            guard entry[name] != nil, exit[name] != nil else {
                throw NIRError(.notExpressible, node: name, "a nested graph needs an Input and an Output node")
            }
        }
        edges += self.edges.map { NIREdge(exit[$0.source] ?? $0.source, entry[$0.target] ?? $0.target) }
        out.edges = edges
        for name in out.nodeNames where passThrough.contains(name) {
            try out.bypass(name)
        }
        return out
    }

    /// Removes node `name`, connecting each predecessor to each successor.
    mutating func bypass(_ name: String) throws {
        let node = self[name]!
        if node.type == .flatten, let t = node["input_type"] ?? node["input_shape"], t.values.count > 1 {
            // A Flatten keeps row-major order; only its output rank matters, and SpikeLoop's vectors are 1-D.
            let start = Int(node["start_dim"]?.values.first ?? 0)
            if start > 0 && Int(t.values[0]) != 1 {
                throw NIRError(
                    .notExpressible, node: name, parameter: "start_dim",
                    "flattens from dimension \(start) of \(t.values.map { Int($0) }): the result is not a vector")
            }
        }
        let preds = predecessors(of: name)
        let succs = successors(of: name)
        edges.removeAll { $0.source == name || $0.target == name }
        for p in preds { for s in succs where !edges.contains(NIREdge(p, s)) { edges.append(NIREdge(p, s)) } }
        self[name] = nil
    }
}
