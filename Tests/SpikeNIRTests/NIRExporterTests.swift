import Foundation
import SpikeModel
import Testing

@testable import SpikeNIR

@Suite struct NIRExporterTests {
    static func temporaryURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).nir")
    }

    /// Export to a file, read it back and import it.
    static func roundTrip(_ net: Network, producer: NIRProducer = .nir) throws -> Network {
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try NIRFile.write(try NIRExporter.graph(of: net), to: url)
        let (graph, _) = try NIRFile.read(url)
        return try NIRImporter.network(from: graph, options: NIRImportOptions(producer: producer)).network
    }

    static var paper: Network {
        Network.feedForward(
            sizes: [256, 246, 10], dt: 1e-6, hidden: .paper, readout: .paper,
            initializers: [WeightInit(mean: 1e-3, std: 0.35), WeightInit(std: 0.2)], seed: 11)
    }

    static var recurrent: Network {
        let p = NeuronParameters(
            tauMem: 2e-2, tauSyn: 1e-2, reset: .zero, currentTiming: .delayed, inputScaling: .oneMinusBeta)
        return Network.feedForward(
            sizes: [70, 40, 5], dt: 1e-3, hidden: p, readout: p,
            initializers: [WeightInit(mean: 0.4, std: 1.5), WeightInit(std: 0.5)], recurrent: true,
            recurrentInit: WeightInit(std: 0.3), seed: 12)
    }

    @Test("the paper network (256-246-10) exports and re-imports with identical parameters and spikes")
    func paperRoundTrip() throws {
        let net = Self.paper
        let back = try Self.roundTrip(net)
        #expect(back == net)
        let batch = randomBatch(samples: 3, steps: 60, channels: 256, rate: 0.05, seed: 1)
        let a = try simulate(net, batch)
        let b = try simulate(back, batch)
        #expect(a[0].spikes == b[0].spikes && a[1].v == b[1].v)
        #expect(a[0].spikes.joined().joined().reduce(0, +) > 0)
    }

    @Test("a recurrent network (zero reset, delayed current) exports as a cycle and re-imports with identical spikes")
    func recurrentRoundTrip() throws {
        let net = Self.recurrent
        let graph = try NIRExporter.graph(of: net)
        #expect(
            graph.edges.contains(NIREdge("neurons.0", "recurrent.0"))
                && graph.edges.contains(NIREdge("recurrent.0", "neurons.0")))
        #expect(graph["neurons.1"]?.type == .cubaLI)
        let back = try Self.roundTrip(net)
        #expect(back == net)
        let batch = randomBatch(samples: 2, steps: 80, channels: 70, rate: 0.1, seed: 2)
        let a = try simulate(net, batch)
        let b = try simulate(back, batch)
        #expect(a[0].spikes == b[0].spikes && a[1].v == b[1].v)
        #expect(a[0].spikes.joined().joined().reduce(0, +) > 0)
    }

    @Test("a NIR-native network (Euler, immediate reset) re-imports from the NIR parameters alone, metadata ignored")
    func canonicalRoundTrip() throws {
        let p = NeuronParameters(
            family: .cubaLIF, tauMem: 2e-2, tauSyn: 8e-3, vThreshold: 0.8, vLeak: 0.05, vReset: -0.1, r: 1.7,
            reset: .immediate, inputScaling: .oneMinusBeta, discretization: .euler)
        var ro = p
        ro.family = .cubaLI
        let net = Network.feedForward(
            sizes: [20, 12, 4], dt: 1e-3, hidden: p, readout: ro,
            initializers: [WeightInit(mean: 1, std: 3), WeightInit(std: 1)], recurrent: true,
            recurrentInit: WeightInit(std: 0.5), seed: 5)
        var graph = try NIRExporter.graph(of: net)
        graph.metadata = [:]
        for name in graph.nodeNames { graph[name]!.metadata = [:] }
        let back = try NIRImporter.network(from: graph, options: NIRImportOptions(dt: 1e-3)).network
        for (x, y) in zip(net.layers, back.layers) {
            #expect(x.weights == y.weights && x.recurrentWeights == y.recurrentWeights && x.kind == y.kind)
            #expect(
                abs(x.parameters.r - y.parameters.r) <= 1e-6 * x.parameters.r,
                "r \(x.parameters.r) vs \(y.parameters.r)")
        }
        let batch = randomBatch(samples: 2, steps: 60, channels: 20, rate: 0.2, seed: 3)
        let a = try simulate(net, batch)
        let b = try simulate(back, batch)
        #expect(a[0].spikes == b[0].spikes)
        #expect(a[0].spikes.joined().joined().reduce(0, +) > 0)
    }

    @Test(
        "the snnTorch-targeted export, read with snnTorch's conventions alone (metadata stripped), gives the same spikes"
    )
    func snntorchTarget() throws {
        let net = Self.paper
        var graph = try NIRExporter.graph(of: net, target: .snntorch)
        #expect(graph.orderedNodes.allSatisfy { $0.node.type != .li && $0.node.type != .cubaLI })
        let exact = try NIRImporter.network(from: graph, options: NIRImportOptions(producer: .nir)).network
        #expect(exact == net)
        graph.metadata = [:]
        for name in graph.nodeNames { graph[name]!.metadata = [:] }
        let back = try NIRImporter.network(from: graph, options: NIRImportOptions(producer: .snntorch)).network
        #expect(back.layers.last?.kind == .leakyReadout && back.layers[0].parameters.reset == .subtract)
        let batch = randomBatch(samples: 2, steps: 60, channels: 256, rate: 0.05, seed: 4)
        let a = try simulate(net, batch)
        let b = try simulate(back, batch)
        #expect(a[0].spikes == b[0].spikes)
        #expect(a[0].spikes.joined().joined().reduce(0, +) > 0)
        // snnTorch's membrane is SpikeLoop's divided by the gain; the readout's argmax is the same.
        let gain = Float(net.layers[1].parameters.discretized(dt: net.dt).gain)
        let worst = zip(a[1].v.joined().joined(), b[1].v.joined().joined()).map { abs($0 - $1 * gain) }.max()!
        #expect(worst < 1e-4, "readout differs by up to \(worst)")
        var withLeak = net
        withLeak.layers[0].parameters.vLeak = 0.1
        let e = try #require(throws: NIRError.self) { try NIRExporter.graph(of: withLeak, target: .snntorch) }
        #expect(e.parameter == "v_leak")
    }

    @Test("the Python nir package reads SpikeLoop's export (skipped without python3 + nir)")
    func pythonReads() throws {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import nir"]
        check.standardError = FileHandle.nullDevice
        guard (try? check.run()) != nil,
            ({
                check.waitUntilExit()
                return check.terminationStatus == 0
            })()
        else {
            print("skipped: python3 with the nir package (pip install nir==1.0.8) is not available")
            return
        }
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try NIRFile.write(try NIRExporter.graph(of: Self.recurrent), to: url)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let script = """
            import sys, nir, numpy as np
            g = nir.read(sys.argv[1])
            assert isinstance(g.nodes['neurons.0'], nir.CubaLIF), g.nodes
            assert ('recurrent.0', 'neurons.0') in g.edges
            assert g.nodes['linear.0'].weight.shape == (40, 70)
            print('ok', len(g.nodes))
            """
        p.arguments = ["python3", "-c", script, url.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        p.waitUntilExit()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(out)")
        #expect(out.contains("ok 7"), "\(out)")
    }
}
