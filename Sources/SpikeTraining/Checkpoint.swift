import Foundation

/// A trained network (and optionally optimizer state) in the safetensors format.
///
/// Readable from PyTorch (`safetensors.torch.load_file`) and JAX. Tensors, all `F32`, row-major:
/// - `layers.{l}.weight` — `[inputCount, neuronCount]` (row = presynaptic; transpose for `nn.Linear`);
/// - `layers.{l}.recurrent_weight` — `[neuronCount, neuronCount]` for recurrent layers;
/// - `optimizer.first.<name>`, `optimizer.second.<name>` — Adam moments (SGD: velocity in `first`).
/// Metadata (`__metadata__`, strings): `spikeloop.network` (architecture and neuron parameters as JSON, weights
/// omitted), `spikeloop.optimizer` (config and step), plus free-form keys such as `spikeloop.config`,
/// `spikeloop.epoch` and `spikeloop.provenance`.
public struct Checkpoint: Sendable {
    public var network: Network
    public var optimizer: Optimizer?
    public var metadata: [String: String]

    public init(network: Network, optimizer: Optimizer? = nil, metadata: [String: String] = [:]) {
        self.network = network
        self.optimizer = optimizer
        self.metadata = metadata
    }

    private struct OptimizerHeader: Codable {
        var config: OptimizerConfig
        var step: Int
    }

    /// Serializes to safetensors bytes.
    public func encoded() throws -> Data {
        var tensors: [(String, [Int], [Float])] = []
        for (l, layer) in network.layers.enumerated() {
            tensors.append(("layers.\(l).weight", [layer.inputCount, layer.neuronCount], layer.weights))
            if layer.isRecurrent {
                tensors.append(("layers.\(l).recurrent_weight", [layer.neuronCount, layer.neuronCount], layer.recurrentWeights))
            }
        }
        var meta = metadata
        var skeleton = network
        for l in skeleton.layers.indices {
            skeleton.layers[l].weights = []
            skeleton.layers[l].recurrentWeights = []
        }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        meta["spikeloop.network"] = String(decoding: try enc.encode(skeleton), as: UTF8.self)
        meta["format"] = "pt"
        if let opt = optimizer {
            meta["spikeloop.optimizer"] = String(decoding: try enc.encode(OptimizerHeader(config: opt.config, step: opt.step)), as: UTF8.self)
            let names = network.tensorNames
            for (k, name) in names.enumerated() {
                let shape = tensors.first { $0.0 == name }!.1
                tensors.append(("optimizer.first.\(name)", shape, opt.first[k]))
                if !opt.second.isEmpty { tensors.append(("optimizer.second.\(name)", shape, opt.second[k])) }
            }
        }
        var header: [String: Any] = ["__metadata__": meta]
        var offset = 0
        for (name, shape, values) in tensors {
            header[name] = ["dtype": "F32", "shape": shape, "data_offsets": [offset, offset + values.count * 4]]
            offset += values.count * 4
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while (json.count + 8) % 8 != 0 { json.append(0x20) }  // pad header so data is 8-byte aligned
        var out = Data(capacity: 8 + json.count + offset)
        var len = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
        out.append(json)
        for (_, _, values) in tensors {
            values.withUnsafeBufferPointer { p in
                out.append(UnsafeBufferPointer(start: UnsafeRawPointer(p.baseAddress!).assumingMemoryBound(to: UInt8.self), count: values.count * 4))
            }
        }
        return out
    }

    /// Writes atomically (temporary file in the same folder, then rename): a crash never leaves a partial file.
    public func write(to url: URL) throws {
        let data = try encoded()
        try atomicWrite(data, to: url)
    }

    /// Reads and validates a checkpoint; errors name the file, the tensor and the shapes.
    public static func read(from url: URL) throws -> Checkpoint {
        let path = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TrainingError.checkpoint(path: path, message: "cannot read: \(error.localizedDescription)")
        }
        return try decode(data, path: path)
    }

    /// Decodes bytes held in memory (tests of malformed files).
    public static func decodeForTesting(_ data: Data) throws -> Checkpoint { try decode(Data(data), path: "<memory>") }

    static func decode(_ data: Data, path: String) throws -> Checkpoint {
        func fail(_ m: String) -> TrainingError { .checkpoint(path: path, message: m) }
        guard data.count >= 8 else { throw fail("truncated: \(data.count) bytes, a safetensors file has at least an 8-byte header length") }
        let headerLength = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("truncated or corrupt: header length \(headerLength) exceeds the \(data.count - 8) bytes after it")
        }
        let headerData = data.subdata(in: 8..<(8 + Int(headerLength)))
        guard let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            throw fail("corrupt: the header is not a JSON object")
        }
        let body = data.subdata(in: (8 + Int(headerLength))..<data.count)
        let meta = header["__metadata__"] as? [String: String] ?? [:]
        guard let netJSON = meta["spikeloop.network"] else { throw fail("missing metadata 'spikeloop.network' (not a SpikeLoop checkpoint?)") }
        var network: Network
        do { network = try JSONDecoder().decode(Network.self, from: Data(netJSON.utf8)) } catch {
            throw fail("metadata 'spikeloop.network' is not a valid network: \(error)")
        }
        func tensor(_ name: String, shape: [Int]) throws -> [Float] {
            guard let entry = header[name] as? [String: Any] else { throw fail("missing tensor '\(name)' of shape \(shape)") }
            guard let dtype = entry["dtype"] as? String, dtype == "F32" else {
                throw fail("tensor '\(name)' has dtype \(entry["dtype"] ?? "none"), expected F32")
            }
            guard let s = entry["shape"] as? [Int], s == shape else {
                throw fail("tensor '\(name)' has shape \(entry["shape"] ?? "none"), expected \(shape)")
            }
            guard let off = entry["data_offsets"] as? [Int], off.count == 2, off[0] >= 0, off[1] >= off[0] else {
                throw fail("tensor '\(name)' has invalid data_offsets")
            }
            let bytes = shape.reduce(1, *) * 4
            guard off[1] - off[0] == bytes else {
                throw fail("tensor '\(name)' spans \(off[1] - off[0]) bytes, shape \(shape) needs \(bytes)")
            }
            guard off[1] <= body.count else {
                throw fail("truncated: tensor '\(name)' ends at byte \(off[1]) of the data, which holds \(body.count)")
            }
            var out = [Float](repeating: 0, count: bytes / 4)
            out.withUnsafeMutableBytes { dst in
                body.withUnsafeBytes { src in dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[off[0]..<off[1]])) }
            }
            for (i, v) in out.enumerated() where !v.isFinite {
                throw fail("tensor '\(name)' holds a non-finite value at index \(i)")
            }
            return out
        }
        for l in network.layers.indices {
            let layer = network.layers[l]
            network.layers[l].weights = try tensor("layers.\(l).weight", shape: [layer.inputCount, layer.neuronCount])
            if layer.isRecurrent {
                network.layers[l].recurrentWeights = try tensor("layers.\(l).recurrent_weight", shape: [layer.neuronCount, layer.neuronCount])
            }
        }
        do { try network.validate() } catch { throw fail("\(error)") }
        var optimizer: Optimizer? = nil
        if let optJSON = meta["spikeloop.optimizer"] {
            guard let h = try? JSONDecoder().decode(OptimizerHeader.self, from: Data(optJSON.utf8)) else {
                throw fail("metadata 'spikeloop.optimizer' is invalid")
            }
            var opt = Optimizer(config: h.config, network: network)
            opt.step = h.step
            for (k, name) in network.tensorNames.enumerated() {
                let shape = (header[name] as? [String: Any])?["shape"] as? [Int] ?? []
                opt.first[k] = try tensor("optimizer.first.\(name)", shape: shape)
                if h.config.kind == .adam { opt.second[k] = try tensor("optimizer.second.\(name)", shape: shape) }
            }
            optimizer = opt
        }
        var extra = meta
        extra.removeValue(forKey: "spikeloop.network")
        extra.removeValue(forKey: "spikeloop.optimizer")
        extra.removeValue(forKey: "format")
        return Checkpoint(network: network, optimizer: optimizer, metadata: extra)
    }
}

/// Writes `data` to `url` through a temporary file and `rename(2)`, so readers never see a partial file; the
/// file and its folder are fsync'd, so the new content survives a power loss (see ``DurableFile``).
public func atomicWrite(_ data: Data, to url: URL) throws {
    try DurableFile.write(data, to: url)
}
