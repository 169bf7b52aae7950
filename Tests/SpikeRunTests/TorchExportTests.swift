import Foundation
import SpikeRun
import Testing

/// The torch export's layout: names, shapes, `[out, in]` weights and a recurrent matrix that cannot load transposed.
@Suite struct TorchExportTests {
    /// A 3-4-2 network with a recurrent hidden layer whose weights are all different (so a transposition shows).
    static func network(inputScaling: InputScaling = .unit) -> Network {
        var hidden = NeuronParameters(tauMem: 6e-6, tauSyn: 5e-6)
        hidden.inputScaling = inputScaling
        let w0 = (0..<12).map { Float($0) * 0.01 + 0.001 }
        let r = (0..<16).map { Float($0) * 0.002 - 0.015 }
        let w1 = (0..<8).map { Float($0) * -0.2 + 0.5 }  // max |w| 0.9: a dynamic output scale of 70
        return Network(
            dt: 1.7e-6,
            layers: [
                Layer(kind: .recurrentLIF, inputCount: 3, neuronCount: 4, parameters: hidden, weights: w0, recurrentWeights: r),
                Layer(kind: .leakyReadout, inputCount: 4, neuronCount: 2, parameters: .paper, weights: w1),
            ])
    }

    /// The header and data of a safetensors file.
    static func read(_ url: URL) throws -> (header: [String: Any], body: Data) {
        let d = try Data(contentsOf: url)
        let n = d.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        let header = try #require(try JSONSerialization.jsonObject(with: d.subdata(in: 8..<(8 + n))) as? [String: Any])
        return (header, d.subdata(in: (8 + n)..<d.count))
    }

    static func floats(_ name: String, _ file: (header: [String: Any], body: Data)) -> [Float] {
        guard let e = file.header[name] as? [String: Any], let off = e["data_offsets"] as? [Int] else { return [] }
        return file.body.subdata(in: off[0]..<off[1]).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    static func shape(_ name: String, _ file: (header: [String: Any], body: Data)) -> [Int]? {
        (file.header[name] as? [String: Any])?["shape"] as? [Int]
    }

    static func temp(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("torch-export-\(UUID().uuidString)-\(name)")
    }

    @Test("weights are [out, in], the recurrent matrix [post, pre], with snnTorch's module names and constants")
    func layout() throws {
        let net = Self.network()
        var config = RunConfig.synthetic
        config.hidden = [4]
        config.recurrent = true
        let ckpt = Self.temp("net.safetensors"), out = Self.temp("net.torch.safetensors")
        try Checkpoint(network: net, metadata: ["spikeloop.config": config.json]).write(to: ckpt)
        let summary = try TorchExport.export(checkpoint: ckpt, to: out)
        let file = try Self.read(out)
        let expected = [
            "fc1.weight", "lif1.alpha", "lif1.beta", "lif1.threshold", "lif1.graded_spikes_factor",
            "lif1.reset_mechanism_val", "lif1.recurrent.weight", "lif1.recurrent.bias", "fc2.weight", "lif2.alpha",
            "lif2.beta", "lif2.threshold", "lif2.graded_spikes_factor", "lif2.reset_mechanism_val",
        ]
        #expect(Set(summary.tensorNames) == Set(expected) && !summary.hasChipCodes)
        #expect(Set(file.header.keys) == Set(expected + ["__metadata__"]))
        #expect(Self.shape("fc1.weight", file) == [4, 3] && Self.shape("fc2.weight", file) == [2, 4])
        #expect(Self.shape("lif1.recurrent.weight", file) == [4, 4] && Self.shape("lif1.beta", file) == [])
        let fc1 = Self.floats("fc1.weight", file), w0 = net.layers[0].weights
        for o in 0..<4 { for i in 0..<3 { #expect(fc1[o * 3 + i] == w0[i * 4 + o], "fc1.weight[\(o)][\(i)]") } }
        // R[pre][post] in SpikeLoop; nn.Linear computes out = W·spk, so W[post][pre] = R[pre][post].
        let rec = Self.floats("lif1.recurrent.weight", file), r = net.layers[0].recurrentWeights
        #expect(rec != r, "a non-symmetric matrix must come out transposed")
        for post in 0..<4 { for pre in 0..<4 { #expect(rec[post * 4 + pre] == r[pre * 4 + post]) } }
        let d = net.layers[0].parameters.discretized(dt: net.dt)
        #expect(Self.floats("lif1.alpha", file) == [Float(d.alpha)] && Self.floats("lif1.beta", file) == [Float(d.beta)])
        #expect(Self.floats("lif1.reset_mechanism_val", file) == [0] && Self.floats("lif2.reset_mechanism_val", file) == [2])
        let meta = try #require(file.header["__metadata__"] as? [String: String])
        #expect(meta["format"] == "pt" && meta["spikeloop.weight_layout"] == "out_in")
        #expect(meta["spikeloop.version"] == BuildInfo.version && meta["spikeloop.snntorch"]?.contains("RSynaptic") == true)
        let encoder = try #require(meta["spikeloop.encoder"])
        #expect(encoder.contains("\"kind\":\"synthetic\""))
        #expect(meta["spikeloop.classes"]?.contains("class 1") == true)
    }

    @Test("the (1 − β) input gain is folded into the weights; unsupported neuron settings are refused by name")
    func gainAndRefusal() throws {
        let net = Self.network(inputScaling: .oneMinusBeta)
        let ckpt = Self.temp("g.safetensors"), out = Self.temp("g.torch.safetensors")
        try Checkpoint(network: net).write(to: ckpt)
        try TorchExport.export(checkpoint: ckpt, to: out)
        let file = try Self.read(out)
        let gain = Float(net.layers[0].parameters.discretized(dt: net.dt).gain)
        #expect(gain < 1 && Self.floats("fc1.weight", file)[0] == net.layers[0].weights[0] * gain)
        var delayed = net
        delayed.layers[0].parameters.currentTiming = .delayed
        try Checkpoint(network: delayed).write(to: ckpt)
        #expect {
            try TorchExport.export(checkpoint: ckpt, to: out)
        } throws: { e in
            (e as? RunError)?.message.contains("layer 0 has currentTiming delayed") == true
        }
    }

    @Test("a native checkpoint says format spikeloop with [in, out] weights; weights-only drops the optimizer")
    func nativeFormatAndWeightsOnly() throws {
        let net = Self.network()
        let full = Self.temp("full.safetensors"), slim = Self.temp("slim.safetensors")
        let optimizer = Optimizer(config: OptimizerConfig(kind: .adam, learningRate: 1e-3), network: net)
        try Checkpoint(network: net, optimizer: optimizer).write(to: full)
        let meta = try #require(try Self.read(full).header["__metadata__"] as? [String: String])
        #expect(meta["format"] == "spikeloop" && meta["spikeloop.weight_layout"] == "in_out")
        try CheckpointExport.writeWeightsOnly(checkpoint: full, to: slim)
        let back = try Checkpoint.read(from: slim)
        #expect(back.optimizer == nil && back.network == net)
        let (a, b) = try (Data(contentsOf: full).count, Data(contentsOf: slim).count)
        #expect(b < a, "weights-only \(b) bytes vs \(a) with Adam moments")
        #expect(try Self.read(slim).header.keys.allSatisfy { !$0.hasPrefix("optimizer.") })
    }

    @Test("chip codes: clip(round(scale·w), ±63), dynamic output scale, stored in the checkpoint and exported [out, in]")
    func chipCodes() throws {
        let net = Self.network()
        let codes = ChipWeights(network: net)
        let w1max = net.layers[1].weights.map(abs).max()!
        #expect(codes.layers[0].scale == 240 && codes.outputScale == min(63 / Double(w1max), 250))
        #expect(codes.layers[0].codes[5] == Int8((net.layers[0].weights[5] * 240).rounded()))
        #expect(codes.layers[1].codes.map { abs(Int($0)) }.max() == 63)
        var meta = ["spikeloop.config": RunConfig.synthetic.json]
        meta[ChipWeights.metadataKey] = codes.metadata(substrate: "chip:1", config: ChipConfig())
        let ckpt = Self.temp("chip.safetensors"), out = Self.temp("chip.torch.safetensors")
        try Checkpoint(network: net, metadata: meta, attachments: codes.attachments(for: net)).write(to: ckpt)
        let back = try Checkpoint.read(from: ckpt)
        #expect(ChipWeights(checkpoint: back) == codes)
        let summary = try TorchExport.export(checkpoint: ckpt, to: out)
        #expect(summary.hasChipCodes)
        let file = try Self.read(out)
        #expect(Self.shape("chip.fc1.weight_codes", file) == [4, 3] && Self.shape("chip.lif1.recurrent.weight_codes", file) == [4, 4])
        let e = try #require(file.header["chip.fc1.weight_codes"] as? [String: Any])
        #expect(e["dtype"] as? String == "I8")
        let off = try #require(e["data_offsets"] as? [Int])
        let bytes = file.body.subdata(in: off[0]..<off[1]).map { Int8(bitPattern: $0) }
        #expect(bytes[1 * 3 + 2] == codes.layers[0].codes[2 * 4 + 1])
    }
}
