import Foundation

/// A tensor a checkpoint carries beside the network, stored byte for byte (little-endian, row-major).
///
/// What it is for: records that do not drive the network but belong with it, such as the signed 6-bit codes an
/// emulated chip ran (`chip.layers.{l}.weight_codes`, `I8`), so a reader need not reimplement the chip's mapping.
public struct CheckpointTensor: Equatable, Sendable {
    /// The safetensors dtypes an attachment may have.
    public enum DType: String, CaseIterable, Sendable {
        case f32 = "F32"
        case i8 = "I8"

        public var byteCount: Int { self == .f32 ? 4 : 1 }
    }

    public var dtype: DType
    public var shape: [Int]
    public var data: Data

    public init(dtype: DType, shape: [Int], data: Data) {
        precondition(
            data.count == shape.reduce(1, *) * dtype.byteCount, "shape \(shape) of \(dtype.rawValue) needs \(shape.reduce(1, *) * dtype.byteCount) bytes, got \(data.count)")
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }

    /// Signed bytes (`I8`).
    public init(int8 values: [Int8], shape: [Int]) {
        self.init(dtype: .i8, shape: shape, data: values.withUnsafeBytes { Data($0) })
    }

    /// `Float`s (`F32`).
    public init(float values: [Float], shape: [Int]) {
        self.init(dtype: .f32, shape: shape, data: values.withUnsafeBytes { Data($0) })
    }

    /// The values of an `I8` tensor.
    public var int8Values: [Int8] { data.map { Int8(bitPattern: $0) } }
}

extension Checkpoint {
    /// `format` in the metadata: this file is a SpikeLoop checkpoint, not a PyTorch state dict.
    public static let format = "spikeloop"
    /// `spikeloop.weight_layout`: weights are `[in, out]`, row = presynaptic (transpose for `torch.nn.Linear`).
    public static let weightLayout = "in_out"
    /// Name prefixes of ``attachments``.
    public static let attachmentPrefixes = ["chip."]

    static func isAttachmentName(_ name: String) -> Bool { attachmentPrefixes.contains { name.hasPrefix($0) } }

    /// This checkpoint without optimizer state: the network, metadata and attachments only (a third of the size
    /// with Adam). It evaluates and exports the same; a resume from it starts the optimizer's moments afresh.
    public var weightsOnly: Checkpoint {
        Checkpoint(network: network, optimizer: nil, metadata: metadata, attachments: attachments)
    }
}
