import CISAL
import Foundation

/// TFRecord framing, the container of TensorBoard event files: per record the data length (UInt64, little
/// endian), the masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data.
///
/// The CRC comes from Intel's ISA-L (`crc32_iscsi`, Debian `libisal-dev`: CRC-32C is the iSCSI checksum), with
/// hardware CRC32 instructions where the CPU has them. The mask (rotate right by 15, add 0xa282ead8) is
/// TensorFlow's, which keeps a CRC of data that itself holds CRCs from degenerating.
public enum TFRecord {
    /// CRC-32C (Castagnoli) of `bytes`: `crc32c("123456789") == 0xE3069283`.
    public static func crc32c<Bytes: ContiguousBytes>(_ bytes: Bytes) -> UInt32 {
        bytes.withUnsafeBytes { raw in
            // ISA-L returns the register without the final inversion.
            guard let base = raw.baseAddress, raw.count > 0 else { return 0 }
            let p = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UInt8.self))
            return ~UInt32(crc32_iscsi(p, Int32(raw.count), 0xFFFF_FFFF))
        }
    }

    /// TensorFlow's masked CRC: `((crc >> 15) | (crc << 17)) + 0xa282ead8` (wrapping).
    public static func maskedCRC32C<Bytes: ContiguousBytes>(_ bytes: Bytes) -> UInt32 {
        let crc = crc32c(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }

    /// One framed record.
    public static func frame(_ data: Data) -> Data {
        var out = Data(capacity: data.count + 16)
        let length = withUnsafeBytes(of: UInt64(data.count).littleEndian) { Data($0) }
        out.append(length)
        withUnsafeBytes(of: maskedCRC32C(length).littleEndian) { out.append(contentsOf: $0) }
        out.append(data)
        withUnsafeBytes(of: maskedCRC32C(data).littleEndian) { out.append(contentsOf: $0) }
        return out
    }

    /// The records of a TFRecord file, each CRC checked.
    /// - Throws: ``TensorBoardError`` naming the file and the byte offset of a truncated or corrupt record.
    public static func records(in data: Data, path: String = "<memory>") throws -> [Data] {
        var records: [Data] = []
        var offset = data.startIndex
        func u32(_ at: Int) -> UInt32 { data.subdata(in: at..<(at + 4)).withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) } }
        while offset < data.endIndex {
            guard data.endIndex - offset >= 12 else { throw TensorBoardError(path: path, "truncated record header at byte \(offset)") }
            let lengthBytes = data.subdata(in: offset..<(offset + 8))
            guard u32(offset + 8) == maskedCRC32C(lengthBytes) else { throw TensorBoardError(path: path, "length CRC mismatch at byte \(offset)") }
            let length = lengthBytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            guard length <= UInt64(data.endIndex - offset - 16) else { throw TensorBoardError(path: path, "truncated record at byte \(offset)") }
            let start = offset + 12, end = start + Int(length)
            let record = data.subdata(in: start..<end)
            guard u32(end) == maskedCRC32C(record) else { throw TensorBoardError(path: path, "data CRC mismatch in the record at byte \(offset)") }
            records.append(record)
            offset = end + 4
        }
        return records
    }
}

/// An event file could not be written or read; the message names the file.
public struct TensorBoardError: Error, CustomStringConvertible, Equatable, Sendable {
    public var path: String
    public var message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
