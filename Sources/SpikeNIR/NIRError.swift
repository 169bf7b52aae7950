/// What is wrong with a NIR file or graph, or what SpikeLoop cannot express of it: names the file, the node and
/// the parameter, with what was expected and what was found.
public struct NIRError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Code: String, Sendable {
        /// The file is not a NIR graph as the `nir` package writes one (missing `/node`, edges, types…).
        case malformed
        /// A node type SpikeLoop does not read or cannot map (convolutions, pooling, an unknown type).
        case unsupportedNode = "unsupported node"
        /// A parameter is absent, non-finite or of the wrong shape.
        case invalidParameter = "invalid parameter"
        /// Connected nodes disagree on the number of elements.
        case shapeMismatch = "shape mismatch"
        /// The graph is valid NIR but SpikeLoop's layers cannot express it exactly.
        case notExpressible = "not expressible"
    }

    public var code: Code
    public var message: String
    /// The file, when the graph came from one.
    public var file: String?
    /// The node's name (nested graphs: `outer.inner`).
    public var node: String?
    /// The parameter's NIR name (`tau_mem`).
    public var parameter: String?

    public init(_ code: Code, file: String? = nil, node: String? = nil, parameter: String? = nil, _ message: String) {
        self.code = code
        self.file = file
        self.node = node
        self.parameter = parameter
        self.message = message
    }

    public var description: String {
        var parts: [String] = []
        if let f = file { parts.append(f) }
        if let n = node { parts.append("node '\(n)'" + (parameter.map { " parameter '\($0)'" } ?? "")) }
        parts.append("\(code.rawValue): \(message)")
        return parts.joined(separator: ": ")
    }

    func inFile(_ path: String) -> NIRError {
        var e = self
        if e.file == nil { e.file = path }
        return e
    }
}
