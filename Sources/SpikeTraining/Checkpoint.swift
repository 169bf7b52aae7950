import Foundation
import SpikeCore

/// A trained network (and optionally optimizer state) in the safetensors format.
///
/// Readable from PyTorch (`safetensors.torch.load_file`) and JAX. Tensors, all `F32`, row-major:
/// - `layers.{l}.weight` — `[inputCount, neuronCount]` (row = presynaptic; transpose for `nn.Linear`);
/// - `layers.{l}.recurrent_weight` — `[neuronCount, neuronCount]` for recurrent layers;
/// - `optimizer.first.<name>`, `optimizer.second.<name>` — Adam moments (SGD: velocity in `first`); absent in a
///   weights-only checkpoint (``optimizer`` nil), which is a third of the size;
/// - `chip.*` — ``attachments``: records that do not drive the network, e.g. the 6-bit codes a chip ran.
/// Metadata (`__metadata__`, strings): `format` = `spikeloop` and `spikeloop.weight_layout` = `in_out` (this is
/// not a PyTorch state dict: `spikeloop export --format torch` writes one), `spikeloop.network` (architecture and
/// neuron parameters as JSON, weights omitted), `spikeloop.optimizer` (config and step), plus free-form keys such
/// as `spikeloop.config`, `spikeloop.epoch` and `spikeloop.provenance`.
public struct Checkpoint: Sendable {
    public var network: Network
    public var optimizer: Optimizer?
    public var metadata: [String: String]
    /// Extra tensors by name (each starting with one of ``attachmentPrefixes``), kept as written.
    public var attachments: [String: CheckpointTensor]

    public init(
        network: Network, optimizer: Optimizer? = nil, metadata: [String: String] = [:],
        attachments: [String: CheckpointTensor] = [:]
    ) {
        self.network = network
        self.optimizer = optimizer
        self.metadata = metadata
        self.attachments = attachments
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
        // Not "pt": safetensors' convention marks PyTorch state dicts so, and ours are [in, out], not nn.Linear's.
        meta["format"] = Self.format
        meta["spikeloop.weight_layout"] = Self.weightLayout
        if let opt = optimizer {
            meta["spikeloop.optimizer"] = String(decoding: try enc.encode(OptimizerHeader(config: opt.config, step: opt.step)), as: UTF8.self)
            let names = network.tensorNames
            for (k, name) in names.enumerated() {
                let shape = tensors.first { $0.0 == name }!.1
                tensors.append(("optimizer.first.\(name)", shape, opt.first[k]))
                if !opt.second.isEmpty { tensors.append(("optimizer.second.\(name)", shape, opt.second[k])) }
            }
        }
        for (name, a) in attachments.sorted(by: { $0.key < $1.key }) {
            precondition(Self.isAttachmentName(name), "attachment '\(name)' must start with one of \(Self.attachmentPrefixes)")
            tensors.append((name, a.shape, []))
        }
        var header: [String: Any] = ["__metadata__": meta]
        var offset = 0
        for (name, shape, values) in tensors {
            let a = attachments[name]
            let bytes = a?.data.count ?? values.count * 4
            header[name] = ["dtype": a?.dtype.rawValue ?? "F32", "shape": shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while (json.count + 8) % 8 != 0 { json.append(0x20) }  // pad header so data is 8-byte aligned
        var out = Data(capacity: 8 + json.count + offset)
        var len = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
        out.append(json)
        for (name, _, values) in tensors {
            if let a = attachments[name] {
                out.append(a.data)
                continue
            }
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
    ///
    /// Nothing in the file is trusted: the header length, every tensor's shape and `data_offsets` (which must
    /// tile the data exactly, as the safetensors format requires: no overlap, no gap, nothing past the end), the
    /// network's layer sizes (checked arithmetic, so `[2⁶², 8]` is an error rather than an overflow trap), the
    /// values (finite) and the optimizer's state. A file larger than the memory budget is refused before reading.
    public static func read(from url: URL, budget: Int = InputLimits.memoryBudget) throws -> Checkpoint {
        let path = url.path
        if let size = InputLimits.fileSize(path), size > budget {
            throw TrainingError.checkpoint(
                path: path, message: "file size: \(InputLimits.formatBytes(size)) is beyond the memory budget (allowed: ≤ \(InputLimits.formatBytes(budget)); set SPIKELOOP_MEMORY_BUDGET to raise it)")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TrainingError.checkpoint(path: path, message: "cannot read: \(error.localizedDescription)")
        }
        return try decode(data, path: path)
    }

    /// Decodes bytes held in memory (tests of malformed files).
    public static func decodeForTesting(_ data: Data) throws -> Checkpoint { try decode(Data(data), path: "<memory>") }

    /// Element sizes of the safetensors dtypes, for checking the offsets of every entry (ours are all `F32`).
    static let dtypeBytes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
        "I32": 4, "U32": 4, "F32": 4, "F64": 8, "I64": 8, "U64": 8,
    ]

    /// The deepest JSON nesting accepted in a header; ours is 3 deep. Bounds the parser's recursion.
    static let maxHeaderDepth = 64

    static func decode(_ data: Data, path: String) throws -> Checkpoint {
        func fail(_ m: String) -> TrainingError { .checkpoint(path: path, message: m) }
        let check = InputCheck(source: path)
        func checked<T>(_ body: () throws -> T) throws -> T {
            do { return try body() } catch let e as InputError { throw fail(e.detail) }
        }
        guard data.count >= 8 else { throw fail("truncated: \(data.count) bytes, a safetensors file has at least an 8-byte header length") }
        let headerLength = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("truncated or corrupt: header length \(headerLength) exceeds the \(data.count - 8) bytes after it")
        }
        let headerData = data.subdata(in: 8..<(8 + Int(headerLength)))
        var depth = 0, inString = false, escaped = false
        for b in headerData {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
            } else if b == UInt8(ascii: "\"") {
                inString = true
            } else if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") {
                depth += 1
                guard depth <= maxHeaderDepth else { throw fail("corrupt: the header nests deeper than \(maxHeaderDepth) levels") }
            } else if b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
                depth -= 1
            }
        }
        guard let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            throw fail("corrupt: the header is not a JSON object")
        }
        let body = data.subdata(in: (8 + Int(headerLength))..<data.count)

        // Every entry's dtype, shape and offsets; together the offsets must tile the data exactly.
        struct Entry {
            var name: String
            var shape: [Int]
            var range: Range<Int>
        }
        var entries: [String: Entry] = [:]
        try checked {
            for (name, value) in header where name != "__metadata__" {
                guard let entry = value as? [String: Any] else { throw check.error(.malformed, field: "tensor '\(name)'", "is not an object with dtype, shape and data_offsets") }
                guard let dtype = entry["dtype"] as? String, let width = dtypeBytes[dtype] else {
                    throw check.error(.malformed, field: "tensor '\(name)'", "has dtype \(entry["dtype"] ?? "none")", allowed: dtypeBytes.keys.sorted().joined(separator: ", "))
                }
                guard let shape = entry["shape"] as? [Int] else {
                    throw check.error(.malformed, field: "tensor '\(name)'", "has shape \(entry["shape"] ?? "none")", allowed: "a list of integers")
                }
                let count = try check.product(shape, field: "tensor '\(name)' shape \(shape)")
                let bytes = try check.multiply(count, width, field: "tensor '\(name)' shape \(shape)")
                guard let off = entry["data_offsets"] as? [Int], off.count == 2 else {
                    throw check.error(.malformed, field: "tensor '\(name)'", "has invalid data_offsets \(entry["data_offsets"] ?? "none")", allowed: "[begin, end]")
                }
                guard off[0] >= 0, off[1] >= off[0] else {
                    throw check.error(.malformed, field: "tensor '\(name)'", "has invalid data_offsets \(off)", allowed: "0 ≤ begin ≤ end")
                }
                guard off[1] - off[0] == bytes else {
                    throw check.error(.malformed, field: "tensor '\(name)'", "spans \(off[1] - off[0]) bytes, shape \(shape) needs \(bytes)")
                }
                guard off[1] <= body.count else {
                    throw check.error(.truncated, field: "tensor '\(name)'", "truncated: ends at byte \(off[1]) of the data, which holds \(body.count)")
                }
                entries[name] = Entry(name: name, shape: shape, range: off[0]..<off[1])
            }
            var end = 0
            for e in entries.values.sorted(by: { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }) {
                guard e.range.lowerBound >= end else {
                    throw check.error(.malformed, field: "tensor '\(e.name)'", "data_offsets \([e.range.lowerBound, e.range.upperBound]) overlap the previous tensor, which ends at \(end)", allowed: "disjoint ranges")
                }
                guard e.range.lowerBound == end else {
                    throw check.error(.malformed, field: "tensor '\(e.name)'", "data_offsets leave bytes \(end)..<\(e.range.lowerBound) unused", allowed: "contiguous ranges")
                }
                end = e.range.upperBound
            }
            guard end == body.count else {
                throw check.error(.malformed, field: "data", "\(body.count - end) bytes after the last tensor (ending at \(end)) belong to no tensor", allowed: "data exactly covered by data_offsets")
            }
        }

        let meta = header["__metadata__"] as? [String: String] ?? [:]
        guard let netJSON = meta["spikeloop.network"] else { throw fail("missing metadata 'spikeloop.network' (not a SpikeLoop checkpoint?)") }
        var network: Network
        do { network = try JSONDecoder().decode(Network.self, from: Data(netJSON.utf8)) } catch {
            throw fail("metadata 'spikeloop.network' is not a valid network: \(error)")
        }
        // Layer sizes come from the file: check them before any arithmetic or allocation uses them.
        var shapes: [String: [Int]] = [:]
        try checked {
            try check.inRange(network.layers.count, 1...1024, field: "metadata 'spikeloop.network' layers")
            for (l, layer) in network.layers.enumerated() {
                try check.inRange(layer.inputCount, 1...Int(Int32.max), field: "metadata 'spikeloop.network' layers[\(l)].inputCount")
                try check.inRange(layer.neuronCount, 1...Int(Int32.max), field: "metadata 'spikeloop.network' layers[\(l)].neuronCount")
                if let limit = layer.weightLimit {
                    try check.finite(limit, in: Float.leastNormalMagnitude...Float.greatestFiniteMagnitude, field: "metadata 'spikeloop.network' layers[\(l)].weightLimit")
                }
                shapes["layers.\(l).weight"] = [layer.inputCount, layer.neuronCount]
                if layer.isRecurrent { shapes["layers.\(l).recurrent_weight"] = [layer.neuronCount, layer.neuronCount] }
            }
        }
        func tensor(_ name: String, shape: [Int]) throws -> [Float] {
            guard let e = entries[name] else { throw fail("missing tensor '\(name)' of shape \(shape)") }
            guard let dtype = (header[name] as? [String: Any])?["dtype"] as? String, dtype == "F32" else {
                throw fail("tensor '\(name)' has dtype \((header[name] as? [String: Any])?["dtype"] ?? "none"), expected F32")
            }
            guard e.shape == shape else {
                throw fail("tensor '\(name)' has shape \(e.shape), expected \(shape)")
            }
            var out = [Float](repeating: 0, count: e.range.count / 4)
            out.withUnsafeMutableBytes { dst in
                body.withUnsafeBytes { src in dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[e.range])) }
            }
            for (i, v) in out.enumerated() where !v.isFinite {
                throw fail("tensor '\(name)' holds a non-finite value at index \(i) (\(v); allowed: finite)")
            }
            return out
        }
        for l in network.layers.indices {
            network.layers[l].weights = try tensor("layers.\(l).weight", shape: shapes["layers.\(l).weight"]!)
            if network.layers[l].isRecurrent {
                network.layers[l].recurrentWeights = try tensor("layers.\(l).recurrent_weight", shape: shapes["layers.\(l).recurrent_weight"]!)
            } else {
                network.layers[l].recurrentWeights = []
            }
        }
        do { try network.validate() } catch { throw fail("\(error)") }
        var optimizer: Optimizer? = nil
        if let optJSON = meta["spikeloop.optimizer"] {
            guard let h = try? JSONDecoder().decode(OptimizerHeader.self, from: Data(optJSON.utf8)) else {
                throw fail("metadata 'spikeloop.optimizer' is invalid")
            }
            try checked {
                let field = "metadata 'spikeloop.optimizer'"
                try check.inRange(h.step, 0...Int.max, field: "\(field) step")
                let c = h.config
                for (key, v) in [("learningRate", c.learningRate), ("weightDecay", c.weightDecay), ("momentum", c.momentum), ("decayFactor", c.decayFactor), ("epsilon", c.epsilon)] {
                    try check.finite(v, field: "\(field) config.\(key)")
                }
                try check.finite(c.beta1, in: 0...0.999_999_999, field: "\(field) config.beta1")
                try check.finite(c.beta2, in: 0...0.999_999_999, field: "\(field) config.beta2")
            }
            var opt = Optimizer(config: h.config, network: network)
            opt.step = h.step
            for (k, name) in network.tensorNames.enumerated() {
                let shape = shapes[name]!
                opt.first[k] = try tensor("optimizer.first.\(name)", shape: shape)
                if h.config.kind == .adam { opt.second[k] = try tensor("optimizer.second.\(name)", shape: shape) }
            }
            optimizer = opt
        }
        // Every tensor in the file must belong to the network or its optimizer: anything else means the metadata
        // and the data disagree, and reading on would silently drop weights.
        let hasOptimizer = optimizer != nil
        var attachments: [String: CheckpointTensor] = [:]
        for name in entries.keys.sorted() where isAttachmentName(name) {
            guard let e = entries[name], let dtype = ((header[name] as? [String: Any])?["dtype"] as? String).flatMap(CheckpointTensor.DType.init) else {
                throw fail("tensor '\(name)' has a dtype other than \(CheckpointTensor.DType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            attachments[name] = CheckpointTensor(dtype: dtype, shape: e.shape, data: body.subdata(in: e.range))
        }
        for name in entries.keys.sorted() where !isAttachmentName(name) {
            let base = name.hasPrefix("optimizer.first.") ? String(name.dropFirst(16)) : name.hasPrefix("optimizer.second.") ? String(name.dropFirst(17)) : name
            let used = base == name || (hasOptimizer && (name.hasPrefix("optimizer.first.") || optimizer?.config.kind == .adam))
            guard shapes[base] != nil, used else {
                throw fail("tensor '\(name)' is not part of the network described in metadata 'spikeloop.network' (expected only \(shapes.keys.sorted().joined(separator: ", "))\(hasOptimizer ? " and their optimizer state" : ""))")
            }
        }
        var extra = meta
        extra.removeValue(forKey: "spikeloop.network")
        extra.removeValue(forKey: "spikeloop.optimizer")
        extra.removeValue(forKey: "format")
        extra.removeValue(forKey: "spikeloop.weight_layout")
        return Checkpoint(network: network, optimizer: optimizer, metadata: extra, attachments: attachments)
    }
}

/// Writes `data` to `url` through a temporary file and `rename(2)`, so readers never see a partial file; the
/// file and its folder are fsync'd, so the new content survives a power loss (see ``DurableFile``).
public func atomicWrite(_ data: Data, to url: URL) throws {
    try DurableFile.write(data, to: url)
}
