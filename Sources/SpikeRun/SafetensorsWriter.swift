import Foundation
import SpikeTraining

/// Writes tensors and string metadata as a safetensors file (the format `safetensors.torch.load_file` reads).
///
/// Layout: an 8-byte little-endian header length, a JSON header (`__metadata__` plus, per tensor, `dtype`, `shape`
/// and `data_offsets`), padded with spaces to 8 bytes, then the tensors' bytes back to back in the header's order.
struct SafetensorsWriter {
    private var entries: [(name: String, tensor: CheckpointTensor)] = []
    var metadata: [String: String] = [:]

    mutating func add(_ name: String, _ tensor: CheckpointTensor) {
        precondition(!entries.contains { $0.name == name }, "tensor '\(name)' added twice")
        entries.append((name, tensor))
    }

    /// A row-major `Float` tensor.
    mutating func add(_ name: String, floats: [Float], shape: [Int]) {
        add(name, CheckpointTensor(float: floats, shape: shape))
    }

    var names: [String] { entries.map(\.name) }

    func encoded() throws -> Data {
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        for (name, t) in entries {
            header[name] = ["dtype": t.dtype.rawValue, "shape": t.shape, "data_offsets": [offset, offset + t.data.count]]
            offset += t.data.count
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while (json.count + 8) % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(json)
        for (_, t) in entries { out.append(t.data) }
        return out
    }

    /// Writes atomically and durably (``atomicWrite(_:to:)``).
    func write(to url: URL) throws { try atomicWrite(try encoded(), to: url) }
}

extension Array where Element == Float {
    /// The `[rows, columns]` row-major matrix transposed to `[columns, rows]`.
    func transposed(rows: Int, columns: Int) -> [Float] {
        precondition(count == rows * columns, "\(count) values are not \(rows)x\(columns)")
        var out = [Float](repeating: 0, count: count)
        for r in 0..<rows {
            for c in 0..<columns { out[c * rows + r] = self[r * columns + c] }
        }
        return out
    }
}

extension Array where Element == Int8 {
    func transposed(rows: Int, columns: Int) -> [Int8] {
        precondition(count == rows * columns, "\(count) values are not \(rows)x\(columns)")
        var out = [Int8](repeating: 0, count: count)
        for r in 0..<rows {
            for c in 0..<columns { out[c * rows + r] = self[r * columns + c] }
        }
        return out
    }
}
