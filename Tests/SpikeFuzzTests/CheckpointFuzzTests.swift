import Foundation
import SpikeCore
import SpikeTraining
import Testing

/// Malformed safetensors checkpoints: header length, JSON, shapes, offsets, dtypes, network metadata, values.
@Suite struct CheckpointFuzzTests {
    /// A small valid checkpoint: a recurrent LIF layer and a readout, with Adam state.
    static func valid() throws -> Data {
        var rng = FuzzRandom(seed: 11)
        func w(_ n: Int) -> [Float] { (0..<n).map { _ in Float(Int(rng.next() % 200) - 100) / 100 } }
        let net = Network(dt: 1e-3, layers: [
            Layer(kind: .recurrentLIF, inputCount: 4, neuronCount: 3, parameters: .paper, weights: w(12), recurrentWeights: w(9)),
            Layer(kind: .leakyReadout, inputCount: 3, neuronCount: 2, parameters: .paper, weights: w(6)),
        ])
        let opt = Optimizer(config: OptimizerConfig(kind: .adam, learningRate: 1e-3), network: net)
        return try Checkpoint(network: net, optimizer: opt, metadata: ["spikeloop.epoch": "1"]).encoded()
    }

    static func split(_ d: Data) -> (header: [String: Any], body: Data) {
        let n = d.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        let h = try! JSONSerialization.jsonObject(with: d.subdata(in: 8..<(8 + n))) as! [String: Any]
        return (h, d.subdata(in: (8 + n)..<d.count))
    }

    static func assemble(headerBytes: Data, body: Data, declaredLength: UInt64? = nil) -> Data {
        var out = Data()
        out.appendLE(declaredLength ?? UInt64(headerBytes.count))
        return out + headerBytes + body
    }

    static func assemble(_ header: [String: Any], body: Data) -> Data {
        assemble(headerBytes: try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]), body: body)
    }

    /// Reads `path` with the fuzz budget; an accepted checkpoint must hold a valid network and finite state.
    static func read(_ path: String) throws {
        let c = try Checkpoint.read(from: URL(fileURLWithPath: path), budget: FuzzSettings.memoryBudget)
        try c.network.validate()
        #expect(c.network.layers.allSatisfy { $0.weights.allSatisfy(\.isFinite) && $0.recurrentWeights.allSatisfy(\.isFinite) })
        if let o = c.optimizer { #expect(o.first.allSatisfy { $0.allSatisfy(\.isFinite) } && o.second.allSatisfy { $0.allSatisfy(\.isFinite) }) }
    }

    @Test("malformed safetensors checkpoints end in errors naming the file and the tensor or field")
    func generated() throws {
        let run = FuzzRun("safetensors generated")
        let good = try Self.valid()
        let (header, body) = Self.split(good)
        func one(_ label: String, _ data: Data, _ words: [String], mayAccept: Bool = false) {
            let p = run.write(data, label, ext: "safetensors")
            run.check(label, source: p, words: words, mayAccept: mayAccept, input: data) { try Self.read(p) }
        }
        func edit(_ label: String, _ words: [String], body b: Data? = nil, _ change: (inout [String: Any]) -> Void) {
            var h = header
            change(&h)
            one(label, Self.assemble(h, body: b ?? body), words)
        }
        func entry(_ h: inout [String: Any], _ name: String, _ key: String, _ value: Any) {
            var e = h[name] as! [String: Any]
            e[key] = value
            h[name] = e
        }
        // the file as a whole
        for cut in [0, 1, 7, 8, 9, 16, 64, good.count / 2, good.count - 40, good.count - 1] {
            one("cut-\(cut)", good.prefix(cut), ["truncated", "header", "tensor"])
        }
        let headerBytes = good.subdata(in: 8..<(8 + (good.count - 8 - body.count)))
        for declared: UInt64 in [0, 1, 2, UInt64(headerBytes.count) - 1, UInt64(headerBytes.count) + 1, UInt64(good.count), 1 << 40, UInt64(Int64.max), UInt64.max] {
            one("header-length-\(declared)", Self.assemble(headerBytes: headerBytes, body: body, declaredLength: declared), ["header", "truncated", "tensor", "data"])
        }
        for (i, text) in ["[]", "\"text\"", "42", "null", "{", "{\"a\":}", "\u{FF}\u{FE}", String(repeating: "[", count: 100_000), String(repeating: "{\"a\":", count: 5_000) + "1" + String(repeating: "}", count: 5_000)].enumerated() {
            one("header-json-\(i)", Self.assemble(headerBytes: Data(text.utf8), body: body), ["header"])
        }
        // shapes
        let shapes: [(String, Any, [String])] = [
            ("shape-2^62x8", [1 << 62, 8], ["overflows"]), ("shape-2^62x2^62", [1 << 62, 1 << 62], ["overflows"]),
            ("shape-int-max", [Int.max, 2], ["overflows"]), ("shape-negative", [-4, -3], ["negative"]),
            ("shape-negative-one", [-1, 12], ["negative"]), ("shape-empty", [Int](), ["spans", "shape"]),
            ("shape-zero", [0, 3], ["spans"]), ("shape-transposed", [3, 4], ["shape [3, 4], expected [4, 3]"]),
            ("shape-string", "4x3", ["shape"]), ("shape-floats", [4.5, 3], ["shape"]), ("shape-huge-float", [1e30, 1], ["shape"]),
            ("shape-rank3", [2, 2, 3], ["expected [4, 3]"]), ("shape-null", NSNull(), ["shape"]),
        ]
        for (label, value, words) in shapes { edit(label, words) { entry(&$0, "layers.0.weight", "shape", value) } }
        // data_offsets
        let w0 = (header["layers.0.weight"] as! [String: Any])["data_offsets"] as! [Int]
        let r0 = (header["layers.0.recurrent_weight"] as! [String: Any])["data_offsets"] as! [Int]
        let offsets: [(String, String, Any, [String])] = [
            ("offsets-overlap", "layers.0.recurrent_weight", [r0[0] - 4, r0[1] - 4], ["overlap"]),
            ("offsets-same-range", "layers.0.recurrent_weight", w0, ["spans"]),
            ("offsets-past-end", "layers.0.weight", [body.count, body.count + 48], ["truncated"]),
            ("offsets-2^62", "layers.0.weight", [1 << 62, (1 << 62) + 48], ["truncated"]),
            ("offsets-int-max", "layers.0.weight", [Int.max - 48, Int.max], ["truncated"]),
            ("offsets-negative", "layers.0.weight", [-48, 0], ["data_offsets"]),
            ("offsets-reversed", "layers.0.weight", [48, 0], ["data_offsets"]),
            ("offsets-three", "layers.0.weight", [0, 48, 96], ["data_offsets"]),
            ("offsets-one", "layers.0.weight", [0], ["data_offsets"]),
            ("offsets-strings", "layers.0.weight", ["0", "48"], ["data_offsets"]),
            ("offsets-wrong-span", "layers.0.weight", [0, 44], ["spans 44 bytes"]),
            ("offsets-missing", "layers.0.weight", NSNull(), ["data_offsets"]),
        ]
        for (label, name, value, words) in offsets { edit(label, words) { entry(&$0, name, "data_offsets", value) } }
        edit("offsets-gap", ["unused", "overlap"], body: body + Data(count: 8)) { h in
            for (k, v) in h where k != "__metadata__" {
                var e = v as! [String: Any]
                let o = e["data_offsets"] as! [Int]
                if o[0] > 0 { e["data_offsets"] = [o[0] + 8, o[1] + 8] }
                h[k] = e
            }
        }
        edit("offsets-trailing-data", ["belong to no tensor"], body: body + Data(count: 16)) { _ in }
        edit("offsets-extra-tensor-overlapping", ["overlap"]) { $0["extra"] = ["dtype": "F32", "shape": [2], "data_offsets": [0, 8]] }
        // dtypes and entries
        for (label, value) in [("dtype-f16", "F16"), ("dtype-f64", "F64"), ("dtype-unknown", "Q7"), ("dtype-lower", "f32")] {
            edit(label, ["dtype"]) { entry(&$0, "layers.0.weight", "dtype", value) }
        }
        edit("dtype-number", ["dtype"]) { entry(&$0, "layers.0.weight", "dtype", 32) }
        edit("entry-not-object", ["not an object"]) { $0["layers.1.weight"] = [1, 2, 3] }
        edit("entry-missing", ["missing tensor"]) { $0["layers.1.weight"] = nil; $0["layers.9.weight"] = header["layers.1.weight"] }
        edit("optimizer-moment-missing", ["missing tensor"]) { $0["optimizer.second.layers.1.weight"] = nil; $0["spare"] = header["optimizer.second.layers.1.weight"] }
        // network metadata
        let meta = header["__metadata__"] as! [String: String]
        let netJSON = meta["spikeloop.network"]!
        func network(_ label: String, _ words: [String], _ change: (inout [String: Any]) -> Void) {
            var n = try! JSONSerialization.jsonObject(with: Data(netJSON.utf8)) as! [String: Any]
            change(&n)
            edit(label, words) { h in
                var m = meta
                m["spikeloop.network"] = String(decoding: try! JSONSerialization.data(withJSONObject: n), as: UTF8.self)
                h["__metadata__"] = m
            }
        }
        func layer(_ n: inout [String: Any], _ l: Int, _ key: String, _ value: Any) {
            var layers = n["layers"] as! [[String: Any]]
            layers[l][key] = value
            n["layers"] = layers
        }
        for (key, value, words) in [
            ("inputCount", 1 << 62, ["inputCount"]), ("inputCount", -4, ["inputCount"]), ("inputCount", 0, ["inputCount"]),
            ("neuronCount", 1 << 62, ["neuronCount"]), ("neuronCount", Int.max, ["neuronCount"]), ("neuronCount", -3, ["neuronCount"]),
            ("inputCount", 5, ["expected [5, 3]"]), ("kind", "lif", ["not part of the network"]),
        ] as [(String, Any, [String])] {
            network("net-\(key)-\(value)", words) { layer(&$0, 0, key, value) }
        }
        network("net-readout-mismatch", ["inputCount", "layers.1.weight"]) { layer(&$0, 1, "inputCount", 7) }
        network("net-weight-limit-negative", ["weightLimit"]) { layer(&$0, 0, "weightLimit", -1) }
        network("net-no-layers", ["layers"]) { $0["layers"] = [Any]() }
        network("net-dt-zero", ["dt"]) { $0["dt"] = 0 }
        network("net-dt-negative", ["dt"]) { $0["dt"] = -1e-3 }
        network("net-tau-zero", ["tauMem"]) { n in
            var layers = n["layers"] as! [[String: Any]]
            var p = layers[0]["parameters"] as! [String: Any]
            p["tauMem"] = 0
            layers[0]["parameters"] = p
            n["layers"] = layers
        }
        network("net-readout-first", ["readout", "leaky"]) { n in n["layers"] = Array((n["layers"] as! [Any]).reversed()) }
        edit("meta-missing-network", ["spikeloop.network"]) { h in var m = meta; m["spikeloop.network"] = nil; h["__metadata__"] = m }
        edit("meta-network-not-json", ["spikeloop.network"]) { h in var m = meta; m["spikeloop.network"] = "{"; h["__metadata__"] = m }
        edit("meta-not-strings", ["spikeloop.network"]) { h in h["__metadata__"] = ["spikeloop.network": 3] }
        for (label, text) in [("deep-array", String(repeating: "[", count: 100_000)), ("deep-object", String(repeating: "{\"dt\":", count: 50_000))] {
            edit("meta-network-\(label)", ["spikeloop.network"]) { h in var m = meta; m["spikeloop.network"] = text; h["__metadata__"] = m }
            edit("meta-optimizer-\(label)", ["spikeloop.optimizer"]) { h in var m = meta; m["spikeloop.optimizer"] = text; h["__metadata__"] = m }
        }
        edit("meta-optimizer-invalid", ["spikeloop.optimizer"]) { h in var m = meta; m["spikeloop.optimizer"] = "[]"; h["__metadata__"] = m }
        let optJSON = meta["spikeloop.optimizer"]!
        for (label, from, to, words) in [
            ("opt-step-negative", "\"step\":0", "\"step\":-5", ["step"]),
            ("opt-step-string", "\"step\":0", "\"step\":\"x\"", ["spikeloop.optimizer"]),
            ("opt-beta1-one", "\"beta1\":0.9", "\"beta1\":1.5", ["beta1"]),
            ("opt-beta2-negative", "\"beta2\":0.999", "\"beta2\":-0.5", ["beta2"]),
            ("opt-lr-huge", "\"learningRate\":0.001", "\"learningRate\":1e400", ["learningRate", "spikeloop.optimizer"]),
        ] {
            let changed = optJSON.replacingOccurrences(of: from, with: to)
            #expect(changed != optJSON, "\(label): \(optJSON)")
            edit(label, words) { h in var m = meta; m["spikeloop.optimizer"] = changed; h["__metadata__"] = m }
        }
        // non-finite values in weights and optimizer state
        let specials: [(String, Float)] = [("nan", .nan), ("inf", .infinity), ("-inf", -.infinity), ("snan", .signalingNaN)]
        for (name, off) in [("layers.0.weight", 0), ("layers.0.recurrent_weight", 1), ("layers.1.weight", 2), ("optimizer.first.layers.0.weight", 0), ("optimizer.second.layers.1.weight", 1)] {
            for (sname, v) in specials {
                let o = ((header[name] as! [String: Any])["data_offsets"] as! [Int])[0] + 4 * off
                var b = body
                withUnsafeBytes(of: v.bitPattern.littleEndian) { b.replaceSubrange(o..<(o + 4), with: $0) }
                one("value-\(name)-\(sname)", Self.assemble(header, body: b), ["non-finite", name])
            }
        }
        // a file past the memory budget is refused before it is read
        let big = run.path("over-budget", ext: "safetensors")
        FileManager.default.createFile(atPath: big, contents: good)
        run.check("over-budget", source: big, words: ["memory budget"]) {
            _ = try Checkpoint.read(from: URL(fileURLWithPath: big), budget: 64)
        }
        // the unchanged file is read
        one("valid", good, [], mayAccept: true)
        run.report(minimumCases: 100)
    }

    @Test("byte-flipped checkpoints are errors or still-valid networks")
    func byteFlips() throws {
        let run = FuzzRun("safetensors byte flips")
        let good = try Self.valid()
        var rng = FuzzRandom(seed: FuzzSettings.seed ^ 0x5AFE)
        for i in 0..<FuzzSettings.iterations(default: 400) {
            let data = ByteFlip.mutate(good, &rng)
            let p = run.write(data, "flip-\(i)", ext: "safetensors")
            run.check("flip-\(i)", source: p, mayAccept: true, input: data) { try Self.read(p) }
        }
        run.report(minimumCases: 2)
    }
}
