import CZlib
import Foundation

/// An array read from an IDX file (the MNIST / Fashion-MNIST format), gzip-compressed or raw.
///
/// Layout: big-endian magic `0x0000_08DD` (`08` = unsigned byte, `DD` = number of dimensions), then one
/// big-endian UInt32 per dimension, then the bytes. zlib's `gzread` reads compressed and plain files alike.
public struct IDXFile: Sendable {
    public var dimensions: [Int]
    public var bytes: [UInt8]

    /// Reads and validates `path`; `expectedDimensions` (2 for images' trailing dims + count = 3, 1 for labels).
    public static func read(_ path: String, expectedRank: Int) throws -> IDXFile {
        guard FileManager.default.fileExists(atPath: path) else { throw DatasetError(.notFound, path: path, "file does not exist") }
        guard let gz = gzopen(path, "rb") else { throw DatasetError(.unreadable, path: path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { gzclose(gz) }
        gzbuffer(gz, 1 << 20)
        func readExactly(_ n: Int, what: String) throws -> [UInt8] {
            var out = [UInt8](repeating: 0, count: n)
            var got = 0
            while got < n {
                let chunk = Int32(min(n - got, 1 << 30))
                let r = out.withUnsafeMutableBytes { gzread(gz, $0.baseAddress! + got, UInt32(chunk)) }
                if r < 0 {
                    var err: Int32 = 0
                    let msg = String(cString: gzerror(gz, &err))
                    throw DatasetError(.corrupt, path: path, "corrupt or truncated gzip data while reading \(what): \(msg)")
                }
                if r == 0 { break }
                got += Int(r)
            }
            if got < n {
                throw DatasetError(.corrupt, path: path, "truncated: \(what) needs \(n) bytes, only \(got) present")
            }
            return out
        }
        let head = try readExactly(4, what: "the magic number")
        guard head[0] == 0, head[1] == 0 else {
            throw DatasetError(.corrupt, path: path, String(format: "bad magic number 0x%02X%02X%02X%02X: not an IDX file", head[0], head[1], head[2], head[3]))
        }
        guard head[2] == 0x08 else {
            throw DatasetError(.corrupt, path: path, String(format: "element type 0x%02X, expected 0x08 (unsigned byte)", head[2]))
        }
        let rank = Int(head[3])
        guard rank == expectedRank else {
            throw DatasetError(.mismatch, path: path, "has \(rank) dimensions (magic 0x0000080\(rank)), expected \(expectedRank) (magic 0x0000080\(expectedRank))")
        }
        let dimBytes = try readExactly(4 * rank, what: "the dimensions")
        var dims: [Int] = []
        for d in 0..<rank {
            let v = (UInt32(dimBytes[4 * d]) << 24) | (UInt32(dimBytes[4 * d + 1]) << 16) | (UInt32(dimBytes[4 * d + 2]) << 8) | UInt32(dimBytes[4 * d + 3])
            dims.append(Int(v))
        }
        let total = dims.reduce(1, *)
        guard total > 0, total < 1 << 32 else { throw DatasetError(.corrupt, path: path, "implausible dimensions \(dims)") }
        let data = try readExactly(total, what: "\(dims.map(String.init).joined(separator: "x")) values")
        var extra: UInt8 = 0
        if gzread(gz, &extra, 1) > 0 {
            throw DatasetError(.corrupt, path: path, "trailing data after the \(total) values that dimensions \(dims) declare")
        }
        return IDXFile(dimensions: dims, bytes: data)
    }
}
