import Foundation
import SpikeHDF5
@testable import SpikeNIR
import Testing

/// Malformed NIR files: generated graphs that break one rule each, and byte flips of valid files (gzip-compressed
/// and plain). Every case must end in a `NIRError` naming the file (and the node and parameter where there is one),
/// or, for a byte flip that left the file valid, in a graph that imports or is refused with a `NIRError`.
@Suite("NIR fuzz")
struct NIRFuzzTests {
    /// Reads `path` and imports the graph (NIR's Euler step, dt 1 ms) as `spikeloop nir import` does.
    static func readAndImport(_ path: String) throws {
        let (graph, _) = try NIRFile.read(URL(fileURLWithPath: path))
        do {
            let result = try NIRImporter.network(from: graph, options: NIRImportOptions(dt: 1e-3, producer: .nir))
            #expect(result.network.layers.allSatisfy { $0.weights.allSatisfy(\.isFinite) })
        } catch let e as NIRError {
            throw e.inFile(path)  // as `spikeloop nir import` reports it
        }
    }

    /// A valid two-layer graph: Input → Affine → CubaLIF → Affine → CubaLI → Output.
    static func validGraph(inputs: Int = 6, hidden: Int = 5, outputs: Int = 3) -> NIRGraph {
        func cuba(_ n: Int, spiking: Bool) -> NIRNode {
            var p: [String: NIRTensor] = [
                "tau_syn": NIRTensor(repeating: 5e-3, count: n), "tau_mem": NIRTensor(repeating: 1e-2, count: n),
                "r": NIRTensor(repeating: 1, count: n), "v_leak": NIRTensor(repeating: 0, count: n),
                "w_in": NIRTensor(repeating: 1, count: n),
            ]
            if spiking { p["v_threshold"] = NIRTensor(repeating: 1, count: n) }
            return NIRNode(spiking ? .cubaLIF : .cubaLI, p)
        }
        func affine(_ i: Int, _ o: Int) -> NIRNode {
            NIRNode(.affine, [
                "weight": NIRTensor(shape: [o, i], values: (0..<(o * i)).map { Double($0 % 7) * 0.1 - 0.3 }),
                "bias": NIRTensor(repeating: 0, count: o),
            ])
        }
        return NIRGraph(
            nodes: [
                ("input", NIRNode(.input, ["shape": NIRTensor([Double(inputs)], dtype: .int64)])),
                ("fc1", affine(inputs, hidden)), ("lif1", cuba(hidden, spiking: true)),
                ("fc2", affine(hidden, outputs)), ("li2", cuba(outputs, spiking: false)),
                ("output", NIRNode(.output, ["shape": NIRTensor([Double(outputs)], dtype: .int64)])),
            ],
            edges: [
                NIREdge("input", "fc1"), NIREdge("fc1", "lif1"), NIREdge("lif1", "fc2"), NIREdge("fc2", "li2"),
                NIREdge("li2", "output"),
            ])
    }

    /// One rule broken per case: (label, graph edit, words the error must contain).
    static var brokenGraphs: [(String, (inout NIRGraph) -> Void, [String])] {
        var cases: [(String, (inout NIRGraph) -> Void, [String])] = []
        let cubaParams = ["tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "w_in"]
        for p in cubaParams {
            cases.append(("missing-\(p)", { g in g["lif1"] = g["lif1"].map { n in var n = n; n.parameters[p] = nil; return n } }, [p]))
            for (tag, v) in [("nan", Double.nan), ("inf", Double.infinity), ("-inf", -Double.infinity)] {
                cases.append(("\(tag)-\(p)", { g in g["lif1"]!.parameters[p]!.values[2] = v }, [p]))
            }
            cases.append(("short-\(p)", { g in g["lif1"]!.parameters[p] = NIRTensor(repeating: 1, count: 2) }, [p, "lif1", "shape", "size"]))
        }
        for p in ["tau_syn", "tau_mem"] {
            cases.append(("zero-\(p)", { g in g["lif1"]!.parameters[p]!.values[0] = 0 }, [p]))
            cases.append(("negative-\(p)", { g in g["lif1"]!.parameters[p]!.values[1] = -1e-3 }, [p]))
        }
        cases += [
            ("missing-weight", { g in g["fc1"]!.parameters["weight"] = nil }, ["weight"]),
            ("nan-weight", { g in g["fc1"]!.parameters["weight"]!.values[3] = .nan }, ["weight"]),
            ("weight-rank-3", { g in g["fc1"]!.parameters["weight"] = NIRTensor(shape: [5, 3, 2], values: Array(repeating: 0.1, count: 30)) }, ["weight", "fc1"]),
            ("weight-wrong-width", { g in g["fc1"]!.parameters["weight"] = NIRTensor(shape: [5, 4], values: Array(repeating: 0.1, count: 20)) }, ["fc1", "input", "shape", "size"]),
            ("bias-wrong-size", { g in g["fc1"]!.parameters["bias"] = NIRTensor(repeating: 0, count: 9) }, ["bias"]),
            ("edge-unknown-source", { g in g.edges.append(NIREdge("ghost", "lif1")) }, ["ghost"]),
            ("edge-unknown-target", { g in g.edges.append(NIREdge("lif1", "nowhere")) }, ["nowhere"]),
            ("no-edges-to-output", { g in g.edges.removeAll { $0.target == "output" } }, ["output"]),
            ("no-input-node", { g in g["input"] = nil; g.edges.removeAll { $0.source == "input" } }, ["input", "Input"]),
            ("two-inputs", { g in g["input2"] = g["input"]; g.edges.append(NIREdge("input2", "fc1")) }, ["input"]),
            ("input-shape-0", { g in g["input"]!.parameters["shape"] = NIRTensor([0], dtype: .int64) }, ["shape", "input"]),
            ("input-shape-negative", { g in g["input"]!.parameters["shape"] = NIRTensor([-6], dtype: .int64) }, ["shape", "input"]),
            ("input-shape-huge", { g in g["input"]!.parameters["shape"] = NIRTensor([1e15], dtype: .int64) }, ["shape", "input"]),
            ("input-shape-fraction", { g in g["input"]!.parameters["shape"] = NIRTensor([6.5], dtype: .float64) }, ["shape", "input"]),
            ("output-shape-mismatch", { g in g["output"]!.parameters["shape"] = NIRTensor([7], dtype: .int64) }, ["output", "shape"]),
            ("delay-node", { g in g["lif1"] = NIRNode(.delay, ["delay": NIRTensor(repeating: 1e-3, count: 5)]) }, ["delay", "Delay"]),
            ("conv-node", { g in g["fc1"] = NIRNode(.conv2d, ["weight": NIRTensor(shape: [1, 1, 1, 1], values: [1])]) }, ["fc1", "Conv2d", "conv"]),
            ("cycle-without-neuron", { g in g.edges.append(NIREdge("fc2", "fc1")) }, ["fc1", "fc2", "cycle", "loop"]),
            ("empty-graph", { g in g = NIRGraph() }, ["input", "Input", "empty", "node"]),
            ("threshold-node-alone", { g in g["lif1"] = NIRNode(.threshold, ["threshold": NIRTensor(repeating: 1, count: 5)]) }, ["lif1", "Threshold", "threshold"]),
        ]
        return cases
    }

    @Test("malformed NIR graphs end in errors naming the file, node and parameter")
    func brokenGraphFiles() throws {
        let run = FuzzRun("NIR graphs")
        for (label, edit, words) in Self.brokenGraphs {
            var g = Self.validGraph()
            edit(&g)
            let p = run.path(label, ext: "nir")
            // Written without NIRFile.write's validation (which refuses these graphs), so the reader meets them.
            try HDF5File.write(to: URL(fileURLWithPath: p)) { root in
                try root.write("version", string: NIRFile.writtenVersion)
                try NIRFile.writeGraph(g, into: try root.createGroup("node"), compression: label.count % 2 == 0 ? .none : .gzip(level: 4))
            }
            run.check(label, source: p, words: words) { try Self.readAndImport(p) }
        }
        run.report(minimumCases: 40)
    }

    /// Files whose HDF5 layout breaks NIR's: written with the HDF5 wrapper directly.
    @Test("NIR files with the wrong HDF5 layout end in errors naming the file and object")
    func wrongLayouts() throws {
        let run = FuzzRun("NIR layouts")
        let layouts: [(String, (HDF5Group) throws -> Void, [String])] = [
            ("no-node-group", { r in try r.write("version", string: "1.0.8") }, ["/node"]),
            ("node-is-dataset", { r in try r.write("node", string: "NIRGraph") }, ["node"]),
            ("version-2", { r in try r.write("version", string: "2.0.0"); _ = try r.createGroup("node") }, ["version"]),
            ("graph-type-missing", { r in _ = try r.createGroup("node") }, ["type"]),
            ("graph-type-number", { r in let n = try r.createGroup("node"); try n.write("type", shape: [], float64: [3]) }, ["type"]),
            ("graph-type-unknown", { r in let n = try r.createGroup("node"); try n.write("type", string: "Transformer") }, ["Transformer"]),
            ("graph-not-graph", { r in let n = try r.createGroup("node"); try n.write("type", string: "LIF") }, ["NIRGraph", "LIF", "tau"]),
            ("graph-no-nodes", { r in let n = try r.createGroup("node"); try n.write("type", string: "NIRGraph") }, ["nodes"]),
            ("graph-no-edges", { r in
                let n = try r.createGroup("node"); try n.write("type", string: "NIRGraph"); _ = try n.createGroup("nodes")
            }, ["edges"]),
            ("edges-3-columns", { r in
                let n = try r.createGroup("node"); try n.write("type", string: "NIRGraph"); _ = try n.createGroup("nodes")
                try n.write("edges", shape: [1, 3], strings: ["a", "b", "c"])
            }, ["edges", "[N, 2]"]),
            ("node-is-dataset-not-group", { r in
                let n = try r.createGroup("node"); try n.write("type", string: "NIRGraph")
                let nodes = try n.createGroup("nodes"); try nodes.write("lif", shape: [2], float64: [1, 2])
                try n.write("edges", shape: [0, 2], strings: [])
            }, ["lif", "dataset"]),
            ("param-is-string", { r in
                let n = try r.createGroup("node"); try n.write("type", string: "NIRGraph")
                let lin = try (try n.createGroup("nodes")).createGroup("fc")
                try lin.write("type", string: "Linear"); try lin.write("weight", shape: [1], strings: ["0.5"])
                try n.write("edges", shape: [0, 2], strings: [])
            }, ["weight"]),
        ]
        for (label, body, words) in layouts {
            let p = run.path(label, ext: "nir")
            try HDF5File.write(to: URL(fileURLWithPath: p), body)
            run.check(label, source: p, words: words) { try Self.readAndImport(p) }
        }
        for (label, bytes) in [("empty-file", Data()), ("text-file", Data("not hdf5\n".utf8)), ("hdf5-signature-only", Data([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]))] {
            let p = run.write(bytes, label, ext: "nir")
            run.check(label, source: p, words: ["HDF5"], input: bytes) { try Self.readAndImport(p) }
        }
        run.report(minimumCases: 15)
    }

    @Test("byte-flipped NIR files are errors or still-valid graphs")
    func byteFlips() throws {
        let run = FuzzRun("NIR byte flips")
        var rng = FuzzRandom(seed: FuzzSettings.seed ^ 0x41)
        for compression in [HDF5Compression.none, .gzip(level: 4)] {
            let valid = run.path("valid-\(compression == .none ? "plain" : "gzip")", ext: "nir")
            try NIRFile.write(Self.validGraph(), to: URL(fileURLWithPath: valid), compression: compression)
            let good = try Data(contentsOf: URL(fileURLWithPath: valid))
            for i in 0..<FuzzSettings.iterations(default: 300) {
                let data = ByteFlip.mutate(good, &rng)
                let label = "flip-\(compression == .none ? "plain" : "gzip")-\(i)"
                let p = run.write(data, label, ext: "nir")
                run.check(label, source: p, mayAccept: true, input: data) { try Self.readAndImport(p) }
            }
        }
        run.report(minimumCases: 2)
    }
}
