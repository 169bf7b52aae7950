extension NIRNode {
    /// The largest element count SpikeLoop accepts for a shape (2^31: far beyond any chip or network here).
    static let maxElements = 1 << 31

    /// Parameter `p` as a shape: whole numbers ≥ 1 whose product stays within ``maxElements`` (a shape read from
    /// a file may hold anything; converting 1e20 to `Int` would trap).
    func dimensions(_ p: String, node name: String) throws -> [Int] {
        let values = parameters[p]!.values
        var product = 1
        for v in values {
            guard v == v.rounded(), v >= 1, v <= Double(Self.maxElements) else {
                throw NIRError(
                    .invalidParameter, node: name, parameter: p,
                    "\(values) is not a shape: every dimension must be a whole number from 1 to \(Self.maxElements)")
            }
            product *= Int(v)
            guard product <= Self.maxElements else {
                throw NIRError(.invalidParameter, node: name, parameter: p, "\(values) has more than \(Self.maxElements) elements")
            }
        }
        return values.map { Int($0) }
    }

    /// The number of elements the node takes and gives (`nil` where NIR leaves it open: convolutions, pooling,
    /// a Flatten without `input_type`). Affine/Linear weights are `[out, in]` (PyTorch's layout, as in NIR).
    public func sizes(name: String) throws -> (input: Int?, output: Int?) {
        func count(_ p: String) -> Int { parameters[p]?.count ?? 0 }
        switch type {
        case .input, .output:
            let n = try dimensions("shape", node: name).reduce(1, *)
            return (n, n)
        case .affine, .linear:
            let w = parameters["weight"]!
            guard w.shape.count == 2 else {
                throw NIRError(
                    .invalidParameter, node: name, parameter: "weight", "has shape \(w.shape), expected [out, in]")
            }
            if type == .affine, let b = parameters["bias"], b.count != w.shape[0] {
                throw NIRError(
                    .shapeMismatch, node: name, parameter: "bias",
                    "has \(b.count) elements, the weight has \(w.shape[0]) outputs")
            }
            return (w.shape[1], w.shape[0])
        case .flatten:
            for axis in ["start_dim", "end_dim"] where parameters[axis] != nil {
                guard parameters[axis]!.values.allSatisfy({ $0 == $0.rounded() && abs($0) <= 64 }) else {
                    throw NIRError(.invalidParameter, node: name, parameter: axis, "\(parameters[axis]!.values) is not an axis index")
                }
            }
            guard let key = ["input_type", "input_shape"].first(where: { parameters[$0] != nil }) else { return (nil, nil) }
            let n = try dimensions(key, node: name).reduce(1, *)
            return (n, n)
        case .graph:
            let g = subgraph!
            let ins = g.orderedNodes.filter { $0.node.type == .input }
            let outs = g.orderedNodes.filter { $0.node.type == .output }
            guard ins.count == 1, outs.count == 1 else {
                throw NIRError(
                    .notExpressible, node: name,
                    "a nested graph needs exactly one Input and one Output node, it has \(ins.count) and \(outs.count)")
            }
            return (try ins[0].node.sizes(name: ins[0].name).output, try outs[0].node.sizes(name: outs[0].name).input)
        case .conv1d, .conv2d, .sumPool2d, .avgPool2d:
            return (nil, nil)
        default:
            // Elementwise nodes: every array parameter has one element per neuron.
            let arrays = type.requiredParameters + type.optionalParameters
            let first = arrays.first { parameters[$0] != nil }!
            let n = count(first)
            for p in arrays where parameters[p] != nil && count(p) != n && count(p) != 1 {
                throw NIRError(
                    .shapeMismatch, node: name, parameter: p, "has \(count(p)) elements, '\(first)' has \(n)")
            }
            return (n, n)
        }
    }
}

extension NIRGraph {
    /// Checks that edges name existing nodes, that no edge is repeated, and that connected nodes agree on their
    /// sizes; nested graphs are checked too.
    /// - Throws: ``NIRError`` naming the node (and parameter) at fault.
    public func validate() throws {
        var seen = Set<NIREdge>()
        for e in edges {
            for end in [e.source, e.target] where nodes[end] == nil {
                throw NIRError(
                    .malformed, node: end, "edge \(e) names a node that does not exist; nodes are \(nodeNames.sorted())"
                )
            }
            guard seen.insert(e).inserted else { throw NIRError(.malformed, node: e.source, "edge \(e) appears twice") }
        }
        var sizes: [String: (input: Int?, output: Int?)] = [:]
        for (name, node) in orderedNodes {
            do {
                if let g = node.subgraph { try g.validate() }
                sizes[name] = try node.sizes(name: name)
            } catch var e as NIRError {
                if let inner = e.node, node.type == .graph, inner != name { e.node = "\(name).\(inner)" }
                throw e
            }
        }
        for e in edges {
            guard let out = sizes[e.source]!.output, let inp = sizes[e.target]!.input else { continue }
            guard out == inp else {
                throw NIRError(
                    .shapeMismatch, node: e.target,
                    "edge \(e): '\(e.source)' (\(nodes[e.source]!.type.rawValue)) gives \(out) elements, '\(e.target)' (\(nodes[e.target]!.type.rawValue)) takes \(inp)"
                )
            }
        }
    }
}
