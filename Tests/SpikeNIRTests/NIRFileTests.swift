import Foundation
import SpikeHDF5
import Testing

@testable import SpikeNIR

@Suite struct NIRFileTests {
    struct Expected: Decodable {
        struct Param: Decodable {
            var shape: [Int]
            var dtype: String
            var values: [Double]
        }
        struct Node: Decodable {
            var type: String
            var params: [String: Param]
        }
        var version: String
        var nodes: [String: Node]
        var edges: [[String]]
    }

    @Test("every node type nir 1.0.8 writes reads back with its parameters, shapes and dtypes")
    func everyNode() throws {
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: fixture("every-node.json")))
        let (graph, version) = try NIRFile.read(fixture("every-node.nir"))
        #expect(version == expected.version)
        #expect(Set(graph.nodeNames) == Set(expected.nodes.keys))
        for (name, e) in expected.nodes {
            let node = try #require(graph[name])
            #expect(node.type.rawValue == e.type, "\(name)")
            #expect(Set(node.parameters.keys) == Set(e.params.keys), "\(name)")
            for (p, ep) in e.params {
                let t = try #require(node[p])
                #expect(t.shape == ep.shape, "\(name).\(p)")
                #expect(t.values == ep.values, "\(name).\(p)")
                let dtype: NIRTensor.DType =
                    ep.dtype == "float64" ? .float64 : ep.dtype == "float32" ? .float32 : .int64
                #expect(t.dtype == dtype, "\(name).\(p): \(t.dtype) vs \(ep.dtype)")
            }
        }
        #expect(graph.edges == expected.edges.map { NIREdge($0[0], $0[1]) })
        #expect(Set(NIRNodeType.allCases.map(\.rawValue)).isSuperset(of: expected.nodes.values.map(\.type)))
    }

    @Test(
        "a graph written by SpikeLoop reads back equal, gzip-compressed and plain",
        arguments: [HDF5Compression.gzip(level: 4), .none])
    func writeThenRead(compression: HDF5Compression) throws {
        let (graph, _) = try NIRFile.read(fixture("every-node.nir"))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nir-\(UUID().uuidString).nir")
        defer { try? FileManager.default.removeItem(at: url) }
        try NIRFile.write(graph, to: url, compression: compression)
        let (again, version) = try NIRFile.read(url)
        #expect(version == NIRFile.writtenVersion)
        #expect(again == graph)
    }

    @Test("nested graphs and dotted names survive reading and writing")
    func nested() throws {
        let (graph, _) = try NIRFile.read(fixture("snntorch-rleaky.nir"))
        let sub = try #require(graph["1"]?.subgraph)
        #expect(Set(sub.nodeNames) == ["input", "lif", "w_rec", "output"])
        #expect(sub.edges.contains(NIREdge("w_rec", "lif")) && sub.edges.contains(NIREdge("lif", "w_rec")))
        let flat = try graph.flattened()
        #expect(flat["1.lif"]?.type == .lif && flat["1.input"] == nil)
        #expect(flat.successors(of: "0") == ["1.lif"] && flat.successors(of: "1.lif").sorted() == ["1.w_rec", "2"])
        let (dotted, _) = try NIRFile.read(fixture("recurrent.nir"))
        #expect(dotted.successors(of: "lif.0").sorted() == ["fc.1", "w_rec.0"])
    }

    @Test(
        "malformed files fail with the node and parameter named",
        arguments: [
            ("bad-missing-edges.nir", NIRError.Code.malformed, "/node", "edges"),
            ("bad-unknown-type.nir", .unsupportedNode, "lif", nil),
            ("bad-shape-mismatch.nir", .shapeMismatch, "lif", nil),
            ("bad-nan-param.nir", .invalidParameter, "lif", "tau"),
        ] as [(String, NIRError.Code, String, String?)])
    func malformed(file: String, code: NIRError.Code, node: String, parameter: String?) throws {
        let error = try #require(throws: NIRError.self) { try NIRFile.read(fixture(file)) }
        #expect(error.code == code && error.node == node && error.parameter == parameter, "\(error)")
        #expect(error.description.contains(file) && error.description.contains("'\(node)'"), "\(error)")
    }

    @Test("a file that is not HDF5, or absent, fails naming the file")
    func notHDF5() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("not-\(UUID().uuidString).nir")
        try Data("hello".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let e = try #require(throws: NIRError.self) { try NIRFile.read(url) }
        #expect(e.code == .malformed && e.description.contains(url.path))
        let missing = try #require(throws: NIRError.self) { try NIRFile.read(url.appendingPathExtension("gone")) }
        #expect(missing.description.contains("no such file"))
    }
}
