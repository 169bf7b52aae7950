import Foundation
import SpikeModel
import Testing

@testable import SpikeNIR

@Suite struct NIRImporterTests {
    /// SpikeLoop reads layer k's spikes (k = 1, 2, … in the stack) k steps after NIR reports them, and records
    /// the membrane the threshold sees at that step: compare `ours[t + k]` with `reference[t]`.
    static func compare(_ fixtureName: String, producer: NIRProducer, nir: String) throws {
        let reference = try Reference.load(fixtureName)
        let (graph, _) = try NIRFile.read(fixture(nir))
        let imported = try NIRImporter.network(
            from: graph, options: NIRImportOptions(dt: reference.dt, producer: producer))
        #expect(imported.sources.map(\.neurons) == reference.layers.map(\.node))
        let depth = imported.network.layers.count
        let traces = try simulate(imported.network, reference.batch(stepCount: reference.steps + depth + 1))
        var spikeCount = 0
        var worst = 0.0
        for (k, layer) in reference.layers.enumerated() {
            let lag = k + 1
            for t in 0..<reference.steps {
                for b in 0..<reference.batch {
                    for i in 0..<layer.v[t][b].count {
                        if imported.network.layers[k].isSpiking {
                            #expect(
                                traces[k].spikes[b][t + lag][i] == layer.spikes[t][b][i],
                                "\(layer.node) t=\(t) b=\(b) i=\(i)")
                            spikeCount += layer.spikes[t][b][i]
                        }
                        let err = abs(Double(traces[k].v[b][t + lag][i]) - layer.v[t][b][i])
                        worst = max(worst, err)
                    }
                }
            }
        }
        #expect(worst < 1e-4, "largest membrane difference \(worst)")
        #expect(spikeCount > 0)
    }

    @Test("a CubaLIF stack (float64, v_leak, v_reset, w_in, gzip) simulates as the numpy Euler reference")
    func cubaLIF() throws { try Self.compare("cubalif.json", producer: .nir, nir: "cubalif.nir") }

    @Test(
        "a recurrent LIF cycle (lif → w_rec → lif) simulates as the reference: the back edge brings the last step's spikes"
    )
    func recurrent() throws {
        try Self.compare("recurrent.json", producer: .nir, nir: "recurrent.nir")
        let (graph, _) = try NIRFile.read(fixture("recurrent.nir"))
        let net = try NIRImporter.network(from: graph, options: NIRImportOptions(dt: 1e-3)).network
        #expect(net.layers[0].kind == .recurrentLIF && net.layers[0].parameters.reset == .immediate)
    }

    @Test("IF in a nested sub-graph after a Scale, plain datasets, simulates as the reference")
    func nestedIF() throws { try Self.compare("nested-if-plain.json", producer: .nir, nir: "nested-if-plain.nir") }

    @Test(
        "snnTorch's conventions (dt 1e-4, r = τ/dt, w_in = τ_s/dt, subtract reset, RLeaky sub-graph) reproduce snnTorch's step"
    )
    func snntorch() throws {
        try Self.compare("snntorch-rleaky.json", producer: .snntorch, nir: "snntorch-rleaky.nir")
        let (graph, _) = try NIRFile.read(fixture("snntorch-rleaky.nir"))
        let p = try NIRImporter.network(from: graph, options: NIRImportOptions(producer: .snntorch)).network.layers[0]
            .parameters
        let d = p.discretized(dt: 1e-4)
        #expect(abs(d.beta - 0.9) < 1e-6 && abs(d.gain - 1) < 1e-6 && p.reset == .subtract)
    }

    @Test("Norse 1.1's conventions (τ written as τ·dt, no w_in, current jump) reproduce Norse's step")
    func norse() throws { try Self.compare("norse-cubalif.json", producer: .norse, nir: "norse-cubalif.nir") }

    @Test("the same graph read as canonical NIR differs from the snnTorch reading (the option matters)")
    func producerMatters() throws {
        let (graph, _) = try NIRFile.read(fixture("snntorch-rleaky.nir"))
        let asNIR = try NIRImporter.network(from: graph, options: NIRImportOptions(dt: 1e-4, producer: .nir)).network
        let asSnn = try NIRImporter.network(from: graph, options: NIRImportOptions(dt: 1e-4, producer: .snntorch))
            .network
        let batch = try Reference.load("snntorch-rleaky.json").batch(stepCount: 53)
        #expect(try simulate(asNIR, batch)[0].spikes != simulate(asSnn, batch)[0].spikes)
    }

    @Test(
        "what a Network cannot express fails naming node and parameter",
        arguments: [
            ("conv.nir", NIRError.Code.unsupportedNode, "conv.0", nil),
            ("bad-batch-input.nir", .notExpressible, "input", "shape"),
            ("every-node.nir", .notExpressible, "delay", "delay"),
        ] as [(String, NIRError.Code, String, String?)])
    func notExpressible(file: String, code: NIRError.Code, node: String, parameter: String?) throws {
        let (graph, _) = try NIRFile.read(fixture(file))
        let e = try #require(throws: NIRError.self) {
            try NIRImporter.network(from: graph, options: NIRImportOptions(dt: 1e-3))
        }
        #expect(e.code == code && e.node == node && e.parameter == parameter, "\(e)")
    }

    @Test("snnTorch and Norse (through nirtorch) write Input.shape [1, C]: their producer options drop the batch of 1")
    func nirtorchBatch() throws {
        let (graph, _) = try NIRFile.read(fixture("bad-batch-input.nir"))
        for producer in [NIRProducer.snntorch, .norse] {
            #expect(throws: NIRError.self) {
                try NIRImporter.network(from: graph, options: NIRImportOptions(dt: 1e-3, producer: .nir))
            }
            // the fixture ends in a spiking LIF, so import now fails at the stack's end, not at the Input
            let e = try #require(throws: NIRError.self) {
                try NIRImporter.network(from: graph, options: NIRImportOptions(producer: producer))
            }
            #expect(e.node == "lif" && e.parameter == nil, "\(e)")
        }
    }

    @Test("graph shapes a stack cannot take fail with the node named")
    func structure() throws {
        let (graph, _) = try NIRFile.read(fixture("cubalif.nir"))
        var biased = graph
        biased["fc.0"]!.parameters["bias"]!.values[2] = 0.5
        var e = try #require(throws: NIRError.self) {
            try NIRImporter.network(from: biased, options: NIRImportOptions(dt: 1e-3))
        }
        #expect(e.node == "fc.0" && e.parameter == "bias")
        var uneven = graph
        uneven["cuba.0"]!.parameters["tau_mem"]!.values[1] = 0.02
        e = try #require(throws: NIRError.self) {
            try NIRImporter.network(from: uneven, options: NIRImportOptions(dt: 1e-3))
        }
        #expect(e.node == "cuba.0" && e.parameter == "tau_mem" && e.code == .notExpressible)
        e = try #require(throws: NIRError.self) {
            try NIRImporter.network(from: graph, options: NIRImportOptions(dt: 0.02))
        }
        #expect(e.node == "cuba.0" && e.parameter == "tau_mem", "Euler with dt ≥ τ: \(e)")
        e = try #require(throws: NIRError.self) { try NIRImporter.network(from: graph, options: NIRImportOptions()) }
        #expect(e.parameter == "dt")
        var branching = graph
        branching.edges.append(NIREdge("fc.0", "readout"))
        e = try #require(throws: NIRError.self) {
            try NIRImporter.network(from: branching, options: NIRImportOptions(dt: 1e-3))
        }
        #expect(e.node == "fc.0" || e.node == "readout", "\(e)")
    }

    @Test("exponential integration gives exp decays and (1 − α) input factors")
    func exponential() throws {
        let (graph, _) = try NIRFile.read(fixture("cubalif.nir"))
        let p = try NIRImporter.network(from: graph, options: NIRImportOptions(dt: 1e-3, integration: .exponential))
            .network.layers[0].parameters
        let d = p.discretized(dt: 1e-3)
        #expect(p.discretization == .exact && d.alpha == exp(-1e-3 / 5e-3) && d.beta == exp(-1e-3 / 1e-2))
        // r·w_in·(1 − α)·(1 − β) with r = 1, w_in = 1.5
        #expect(abs(d.gain - 1.5 * (1 - exp(-0.2)) * (1 - exp(-0.1))) < 1e-7)
    }
}
