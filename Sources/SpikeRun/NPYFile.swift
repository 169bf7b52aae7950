import Foundation
import SpikeCore

/// NumPy `.npy` files (format 1.0/2.0, little-endian float32 or float64, C order), for exchanging spike and
/// membrane arrays with Python simulators.
///
/// Layout: `\x93NUMPY`, version bytes, a little-endian header length (2 bytes in 1.0, 4 in 2.0), a Python dict
/// literal `{'descr': '<f4', 'fortran_order': False, 'shape': (T, B, C), }` padded with spaces to a multiple of 64,
/// then the data.
public struct NPYArray: Equatable, Sendable {
    public var shape: [Int]
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values do not fill shape \(shape)")
        self.shape = shape
        self.values = values
    }

    /// Reads a float32 or float64 array (float64 is rounded to float32).
    /// - Throws: ``RunError`` (`.inputFile`) naming the file and what is wrong with it; `InputError` for a declared
    ///   shape that overflows or exceeds the file.
    public static func read(_ url: URL) throws -> NPYArray {
        let data = try Data(contentsOf: url)
        func fail(_ m: String) -> RunError { RunError(.inputFile, subject: url.path, m) }
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw fail("not a .npy file")
        }
        let major = bytes[6]
        let headerStart = major == 1 ? 10 : 12
        guard major == 1 || major == 2, bytes.count >= headerStart else {
            throw fail("unsupported .npy version \(major)")
        }
        let headerLength =
            major == 1 ? Int(bytes[8]) | Int(bytes[9]) << 8 : (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        guard bytes.count >= headerStart + headerLength else { throw fail("truncated header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard !header.contains("'fortran_order': True") else {
            throw fail("Fortran order is not supported; save with np.ascontiguousarray")
        }
        let descr =
            header.range(of: "'descr': '")
            .map { header[$0.upperBound...].prefix { $0 != "'" } }.map(String.init) ?? ""
        guard descr == "<f4" || descr == "<f8" else {
            throw fail("dtype '\(descr)' is not float32 or float64 (little-endian)")
        }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")")
        else {
            throw fail("header has no shape")
        }
        let shape = header[open.upperBound..<close].split(separator: ",").compactMap {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        let size = descr == "<f4" ? 4 : 8
        let start = headerStart + headerLength
        // A corrupt header may declare any shape: no overflow trap, no allocation beyond the file's bytes.
        let check = InputCheck(source: url.path)
        let count = try check.product(shape, field: "shape")
        guard try check.multiply(count, size, field: "shape") <= bytes.count - start else {
            throw fail("holds \(bytes.count - start) data bytes, shape \(shape) needs \(count * size)")
        }
        var values = [Float](repeating: 0, count: count)
        data.withUnsafeBytes { raw in
            for k in 0..<count {
                let off = start + k * size
                values[k] =
                    size == 4
                    ? Float(bitPattern: raw.loadUnaligned(fromByteOffset: off, as: UInt32.self).littleEndian)
                    : Float(Double(bitPattern: raw.loadUnaligned(fromByteOffset: off, as: UInt64.self).littleEndian))
            }
        }
        return NPYArray(shape: shape, values: values)
    }

    /// The file's bytes: format 1.0, `<f4`, C order.
    public func encoded() -> Data {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dims)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var out = Data(
            [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        out.append(Data(header.utf8))
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        return out
    }

    /// Writes the array atomically.
    public func write(to url: URL) throws { try atomicWrite(encoded(), to: url) }
}
