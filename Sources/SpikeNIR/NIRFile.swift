import Foundation
import SpikeHDF5

/// Reading and writing NIR 1.0.x HDF5 files, laid out as the Python `nir` package (1.0.8) writes them.
///
/// ```
/// /version                      scalar vlen string ("1.0.8")
/// /node/type                    "NIRGraph"
/// /node/nodes/<name>/type       "LIF", "Affine", … ("NIRGraph" for a nested graph, with its own nodes/edges)
/// /node/nodes/<name>/<param>    datasets: float32/float64/int64, gzip-compressed (nir's default) or plain
/// /node/nodes/<name>/metadata/  optional group of scalar datasets
/// /node/edges                   [N, 2] vlen strings (source, target), any order
/// ```
/// Reading checks what `nir.read` would need (types, required parameters) and more: every parameter finite,
/// edges naming existing nodes, and connected nodes agreeing on their sizes (``NIRGraph/validate()``).
public enum NIRFile {
    /// The version string SpikeLoop writes: the `nir` release whose layout it follows.
    public static let writtenVersion = "1.0.8"

    /// Reads and validates the graph in `url`.
    /// - Throws: ``NIRError`` naming the file, node and parameter; HDF5 failures as ``NIRError/Code/malformed``.
    public static func read(_ url: URL) throws -> (graph: NIRGraph, version: String) {
        do {
            let (graph, version) = try HDF5File.read(url) { root -> (NIRGraph, String) in
                let version = root.contains("version") ? try root.readString("version") : ""
                guard version.isEmpty || version.hasPrefix("1.") || version.hasPrefix("0.") else {
                    throw NIRError(.malformed, "version '\(version)' is not NIR 1.x")
                }
                guard root.contains("node") else { throw NIRError(.malformed, "no /node group: not a NIR file") }
                let node = try readNode(try root.group("node"), name: nil)
                guard let graph = node.subgraph else {
                    throw NIRError(.malformed, "/node has type '\(node.type.rawValue)', expected 'NIRGraph'")
                }
                return (graph, version)
            }
            try graph.validate()
            return (graph, version)
        } catch let e as NIRError {
            throw e.inFile(url.path)
        } catch let e as HDF5Error {
            throw NIRError(.malformed, file: url.path, "\(e.object): \(e.message)")
        }
    }

    static func readNode(_ g: HDF5Group, name: String?) throws -> NIRNode {
        let label = name ?? "/node"
        guard g.contains("type") else { throw NIRError(.malformed, node: label, parameter: "type", "missing") }
        let typeName = try g.readString("type")
        guard let type = NIRNodeType(rawValue: typeName) else {
            throw NIRError(.unsupportedNode, node: label, "unknown node type '\(typeName)'")
        }
        let metadata = g.isGroup("metadata") ? try readMetadata(try g.group("metadata")) : [:]
        if type == .graph { return NIRNode(subgraph: try readGraph(g, name: name), metadata: metadata) }
        var params: [String: NIRTensor] = [:]
        for member in try g.memberNames() where member != "type" && member != "metadata" {
            if g.isGroup(member) {
                // Flatten's input_type may be stored as a group {"input": shape}.
                let sub = try g.group(member)
                if sub.contains("input") { params[member] = try readTensor(sub, "input", node: label) }
                continue
            }
            if try g.elementClass(member) == .string { continue }
            params[member] = try readTensor(g, member, node: label)
        }
        for p in type.requiredParameters where params[p] == nil {
            throw NIRError(
                .invalidParameter, node: label, parameter: p,
                "missing (a \(type.rawValue) node needs \(type.requiredParameters.joined(separator: ", ")))")
        }
        for (p, t) in params where t.values.contains(where: { !$0.isFinite }) {
            let k = t.values.firstIndex { !$0.isFinite }!
            throw NIRError(
                .invalidParameter, node: label, parameter: p,
                "element \(k) is \(t.values[k]); parameters must be finite")
        }
        return NIRNode(type, params, metadata: metadata)
    }

    static func readTensor(_ g: HDF5Group, _ member: String, node: String) throws -> NIRTensor {
        let dtype: NIRTensor.DType
        switch try g.elementClass(member) {
        case .float(let bytes): dtype = bytes > 4 ? .float64 : .float32
        case .integer: dtype = .int64
        default: throw NIRError(.invalidParameter, node: node, parameter: member, "is neither numbers nor strings")
        }
        let a = try g.readDoubles(member)
        return NIRTensor(shape: a.shape, values: a.values, dtype: dtype)
    }

    static func readGraph(_ g: HDF5Group, name: String?) throws -> NIRGraph {
        let label = name ?? "/node"
        guard g.isGroup("nodes") else {
            throw NIRError(.malformed, node: label, parameter: "nodes", "missing: a NIRGraph needs nodes")
        }
        guard g.contains("edges") else {
            throw NIRError(
                .malformed, node: label, parameter: "edges", "missing: a NIRGraph needs edges ([N, 2] strings)")
        }
        let nodesGroup = try g.group("nodes")
        var graph = NIRGraph()
        for member in try nodesGroup.memberNames() {
            let child = name.map { "\($0).\(member)" } ?? member
            guard nodesGroup.isGroup(member) else {
                throw NIRError(.malformed, node: child, "is a dataset, expected a node group")
            }
            graph[member] = try readNode(try nodesGroup.group(member), name: child)
        }
        graph.edges = try readEdges(g, label: label)
        graph.metadata = g.isGroup("metadata") ? try readMetadata(try g.group("metadata")) : [:]
        return graph
    }

    static func readEdges(_ g: HDF5Group, label: String) throws -> [NIREdge] {
        if case .string = try g.elementClass("edges") {
            let e = try g.readStrings("edges")
            guard e.shape.count == 2, e.shape[1] == 2 else {
                throw NIRError(.malformed, node: label, parameter: "edges", "has shape \(e.shape), expected [N, 2]")
            }
            return (0..<e.shape[0]).map { NIREdge(e.values[2 * $0], e.values[2 * $0 + 1]) }
        }
        // h5py writes an empty edge list as a float64 array of shape [0].
        let e = try g.readDoubles("edges")
        guard e.values.isEmpty else {
            throw NIRError(.malformed, node: label, parameter: "edges", "holds numbers, expected [N, 2] strings")
        }
        return []
    }

    static func readMetadata(_ g: HDF5Group) throws -> [String: String] {
        var out: [String: String] = [:]
        for k in try g.memberNames() where !g.isGroup(k) {
            if try g.elementClass(k) == .string {
                out[k] = try g.readStrings(k).values.joined(separator: ",")
            } else {
                let v = try g.readDoubles(k).values
                out[k] = v.count == 1 ? "\(v[0])" : "\(v)"
            }
        }
        return out
    }
}

extension NIRFile {
    /// Writes `graph` to `url` atomically, parameters compressed as `nir.write` does by default (gzip level 4).
    public static func write(_ graph: NIRGraph, to url: URL, compression: HDF5Compression = .gzip(level: 4)) throws {
        try graph.validate()
        do {
            try HDF5File.write(to: url) { root in
                try root.write("version", string: writtenVersion)
                try writeGraph(graph, into: try root.createGroup("node"), compression: compression)
            }
        } catch let e as HDF5Error {
            throw NIRError(.malformed, file: url.path, "writing \(e.object): \(e.message)")
        }
    }

    static func writeGraph(_ graph: NIRGraph, into g: HDF5Group, compression: HDF5Compression) throws {
        try g.write("type", string: NIRNodeType.graph.rawValue)
        let nodes = try g.createGroup("nodes")
        for (name, node) in graph.orderedNodes {
            let ng = try nodes.createGroup(name)
            if let sub = node.subgraph {
                try writeGraph(sub, into: ng, compression: compression)
            } else {
                try ng.write("type", string: node.type.rawValue)
                for (p, t) in node.parameters.sorted(by: { $0.key < $1.key }) {
                    switch t.dtype {
                    case .float32:
                        try ng.write(p, shape: t.shape, float32: t.values.map { Float($0) }, compression: compression)
                    case .float64: try ng.write(p, shape: t.shape, float64: t.values, compression: compression)
                    case .int64:
                        try ng.write(
                            p, shape: t.shape, int64: t.values.map { Int64($0) },
                            compression: t.shape.isEmpty ? .none : compression)
                    }
                }
            }
            try writeMetadata(node.metadata, into: ng)
        }
        try g.write("edges", shape: [graph.edges.count, 2], strings: graph.edges.flatMap { [$0.source, $0.target] })
        try writeMetadata(graph.metadata, into: g)
    }

    static func writeMetadata(_ metadata: [String: String], into g: HDF5Group) throws {
        guard !metadata.isEmpty else { return }
        let m = try g.createGroup("metadata")
        for (k, v) in metadata.sorted(by: { $0.key < $1.key }) { try m.write(k, string: v) }
    }
}
