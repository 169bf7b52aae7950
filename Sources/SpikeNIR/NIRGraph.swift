/// A tensor parameter of a NIR node: shape, row-major values, and the element type it was stored with.
///
/// Values are held as `Double` whatever the file held (float32, float64 or int64), so that no parameter loses
/// precision on reading; `dtype` writes them back as they came.
public struct NIRTensor: Equatable, Sendable {
    public enum DType: String, Equatable, Sendable {
        case float32, float64, int64
    }

    public var shape: [Int]
    public var values: [Double]
    public var dtype: DType

    public init(shape: [Int], values: [Double], dtype: DType = .float32) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values do not fill shape \(shape)")
        self.shape = shape
        self.values = values
        self.dtype = dtype
    }

    /// A one-dimensional tensor.
    public init(_ values: [Double], dtype: DType = .float32) {
        self.init(shape: [values.count], values: values, dtype: dtype)
    }

    /// A one-dimensional tensor of `count` copies of `value`.
    public init(repeating value: Double, count: Int, dtype: DType = .float32) {
        self.init(shape: [count], values: [Double](repeating: value, count: count), dtype: dtype)
    }

    /// The number of elements.
    public var count: Int { values.count }
}

/// The node types of NIR 1.0 (`nir.ir`), by their `type` string in the file.
public enum NIRNodeType: String, CaseIterable, Sendable {
    case input = "Input"
    case output = "Output"
    case affine = "Affine"
    case linear = "Linear"
    case scale = "Scale"
    case li = "LI"
    case lif = "LIF"
    case cubaLI = "CubaLI"
    case cubaLIF = "CubaLIF"
    case integrateAndFire = "IF"
    case integrator = "I"
    case threshold = "Threshold"
    case flatten = "Flatten"
    case delay = "Delay"
    case conv1d = "Conv1d"
    case conv2d = "Conv2d"
    case sumPool2d = "SumPool2d"
    case avgPool2d = "AvgPool2d"
    case graph = "NIRGraph"

    /// The tensor parameters the `nir` package (1.0.8) requires of the type; `v_reset` is optional on reading
    /// (it defaults to zeros, as `nir.read` does) but always written.
    public var requiredParameters: [String] {
        switch self {
        case .input, .output: return ["shape"]
        case .affine: return ["weight", "bias"]
        case .linear: return ["weight"]
        case .scale: return ["scale"]
        case .li: return ["tau", "r", "v_leak"]
        case .lif: return ["tau", "r", "v_leak", "v_threshold"]
        case .cubaLI: return ["tau_syn", "tau_mem", "r", "v_leak", "w_in"]
        case .cubaLIF: return ["tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "w_in"]
        case .integrateAndFire: return ["r", "v_threshold"]
        case .integrator: return ["r"]
        case .threshold: return ["threshold"]
        case .flatten: return ["start_dim", "end_dim"]
        case .delay: return ["delay"]
        case .conv1d, .conv2d: return ["weight", "stride", "padding", "dilation", "groups", "bias"]
        case .sumPool2d, .avgPool2d: return ["kernel_size", "stride", "padding"]
        case .graph: return []
        }
    }

    /// Optional tensor parameters: read when present, written when set.
    public var optionalParameters: [String] {
        switch self {
        case .lif, .cubaLIF, .integrateAndFire: return ["v_reset"]
        case .flatten, .conv1d, .conv2d: return ["input_type", "input_shape"]
        default: return []
        }
    }

    /// The neuron types: one state vector per element, input and output of the same size.
    public var isNeuron: Bool { [.li, .lif, .cubaLI, .cubaLIF, .integrateAndFire, .integrator].contains(self) }
}

/// One node of a NIR graph: its type, tensor parameters by their NIR names, string metadata, and for
/// `NIRGraph` nodes the nested graph.
public struct NIRNode: Equatable, Sendable {
    public var type: NIRNodeType
    public var parameters: [String: NIRTensor]
    /// The node's `metadata` group (string and numeric entries; SpikeLoop writes `spikeloop.*` strings here).
    public var metadata: [String: String]
    /// The nested graph of a `NIRGraph` node.
    public var subgraph: NIRGraph?

    public init(_ type: NIRNodeType, _ parameters: [String: NIRTensor] = [:], metadata: [String: String] = [:]) {
        precondition(type != .graph, "use NIRNode(subgraph:) for a nested graph")
        self.type = type
        self.parameters = parameters
        self.metadata = metadata
        self.subgraph = nil
    }

    public init(subgraph: NIRGraph, metadata: [String: String] = [:]) {
        self.type = .graph
        self.parameters = [:]
        self.metadata = metadata
        self.subgraph = subgraph
    }

    /// The parameter `name`.
    public subscript(_ name: String) -> NIRTensor? { parameters[name] }
}

/// A directed edge `source → target` between node names (NIR's `(str, str)` pairs).
public struct NIREdge: Hashable, Sendable, CustomStringConvertible {
    public var source: String
    public var target: String
    public init(_ source: String, _ target: String) {
        self.source = source
        self.target = target
    }
    public var description: String { "\(source) → \(target)" }
}

/// A NIR graph held in memory: named nodes, edges (cycles allowed), metadata; nested graphs as nodes.
///
/// Node names are kept in insertion order (the file's alphabetical order after reading), so printing and writing
/// are deterministic.
public struct NIRGraph: Equatable, Sendable {
    public private(set) var nodeNames: [String] = []
    public private(set) var nodes: [String: NIRNode] = [:]
    public var edges: [NIREdge]
    public var metadata: [String: String]

    public init(nodes: [(String, NIRNode)] = [], edges: [NIREdge] = [], metadata: [String: String] = [:]) {
        self.edges = edges
        self.metadata = metadata
        for (name, node) in nodes { self[name] = node }
    }

    /// The node called `name`; setting adds it (at the end) or replaces it; setting nil removes it.
    public subscript(_ name: String) -> NIRNode? {
        get { nodes[name] }
        set {
            if let n = newValue {
                if nodes[name] == nil { nodeNames.append(name) }
                nodes[name] = n
            } else if nodes.removeValue(forKey: name) != nil {
                nodeNames.removeAll { $0 == name }
            }
        }
    }

    /// Nodes in name order with their values.
    public var orderedNodes: [(name: String, node: NIRNode)] { nodeNames.map { ($0, nodes[$0]!) } }

    /// Names of the nodes feeding `name`, in edge order.
    public func predecessors(of name: String) -> [String] { edges.filter { $0.target == name }.map(\.source) }

    /// Names of the nodes `name` feeds, in edge order.
    public func successors(of name: String) -> [String] { edges.filter { $0.source == name }.map(\.target) }
}
