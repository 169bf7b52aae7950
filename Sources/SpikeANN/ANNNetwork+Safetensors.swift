import Foundation
import SpikeCore

extension ANNNetwork {
    /// Reads a bias-free ReLU MLP from a PyTorch `nn.Sequential` state dict saved with safetensors, for conversion.
    ///
    /// Tensor names and layout are PyTorch's: `<i>.weight`, `F32`, shape `[out, in]` (`nn.Linear`), for the
    /// sequential indices `i = 0, 2, 4, …` of `Linear, ReLU, Linear, ReLU, …, Linear` — what
    /// `safetensors.torch.save_file(nn.Sequential(nn.Linear(100, 15, bias=False), nn.ReLU(), …).state_dict(), path)`
    /// writes. A `<i>.bias` must be absent or zero: the converted network has no constant currents.
    /// - Throws: `DatasetError` naming the file and the tensor that is missing, misshapen or not F32.
    public init(safetensors path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(.notFound, path: path, "cannot read the safetensors file")
        }
        guard data.count >= 8 else { throw DatasetError(.corrupt, path: path, "is \(data.count) bytes, shorter than the 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard headerLength > 0, 8 + headerLength <= data.count,
              let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + headerLength))) as? [String: Any] else {
            throw DatasetError(.corrupt, path: path, "has no valid JSON header (length \(headerLength))")
        }
        let body = data.subdata(in: (8 + headerLength)..<data.count)
        func tensor(_ name: String) throws -> (shape: [Int], values: [Float])? {
            guard let entry = header[name] as? [String: Any] else { return nil }
            guard entry["dtype"] as? String == "F32", let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int],
                  offsets.count == 2, offsets[0] >= 0, offsets[1] <= body.count, offsets[1] - offsets[0] == 4 * shape.reduce(1, *) else {
                throw DatasetError(.corrupt, path: path, "tensor '\(name)' must be F32 with data_offsets matching its shape, got \(entry)")
            }
            let values = body.subdata(in: offsets[0]..<offsets[1]).withUnsafeBytes { raw in
                (0..<(shape.reduce(1, *))).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
            return (shape, values)
        }
        var layers: [ANNLayer] = [], weights: [[Float]] = []
        var i = 0
        while let w = try tensor("\(i).weight") {
            guard w.shape.count == 2, layers.isEmpty || w.shape[1] == layers.compactMap(\.weightShape).last!.columns else {
                throw DatasetError(.mismatch, path: path, "tensor '\(i).weight' has shape \(w.shape); expected [out, in] with in = the previous layer's out")
            }
            if let b = try tensor("\(i).bias"), b.values.contains(where: { $0 != 0 }) {
                throw DatasetError(.invalid, path: path, "tensor '\(i).bias' is not zero; conversion needs a bias-free network (bias=False)")
            }
            let (o, n) = (w.shape[0], w.shape[1])
            if !layers.isEmpty { layers.append(.relu); weights.append([]) }
            layers.append(.linear(inputs: n, outputs: o))
            // [out, in] → our [in][out]
            weights.append((0..<(n * o)).map { k in w.values[(k % o) * n + k / o] })
            i += 2
        }
        guard let first = layers.first?.weightShape, layers.count >= 3 else {
            throw DatasetError(.mismatch, path: path, "holds no '0.weight', '2.weight', … sequence of at least two linear layers")
        }
        self.init(layers: layers, inputCount: first.rows, weightStd: layers.compactMap(\.weightShape).map { _ in 0 }, logitScale: 1, seed: 0)
        self.weights = weights
    }
}
