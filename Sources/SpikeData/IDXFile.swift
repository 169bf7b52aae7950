import CZlib
import Foundation
import SpikeCore

/// An array read from an IDX file (the MNIST / Fashion-MNIST format), gzip-compressed or raw.
///
/// Layout: big-endian magic `0x0000_08DD` (`08` = unsigned byte, `DD` = number of dimensions), then one
/// big-endian UInt32 per dimension, then the bytes. zlib's `gzread` reads compressed and plain files alike.
public struct IDXFile: Sendable {
    public var dimensions: [Int]
    public var bytes: [UInt8]

    /// Deflate never expands more than about 1032:1, so a gzip file of `n` bytes cannot hold more values.
    static let maxGzipRatio = 1032.0

    /// Reads and validates `path`; `expectedRank` is 3 for images (count, rows, columns), 1 for labels.
    ///
    /// Dimensions are untrusted: their product is computed with overflow checks, must fit in the file (raw:
    /// exactly; gzip: at deflate's maximum ratio) and in `budget` bytes, and the values are read in chunks, so a
    /// small file declaring a huge array fails before anything large is allocated.
    public static func read(_ path: String, expectedRank: Int, budget: Int = InputLimits.memoryBudget) throws -> IDXFile {
        guard FileManager.default.fileExists(atPath: path) else { throw DatasetError(.notFound, path: path, "file does not exist") }
        guard let gz = gzopen(path, "rb") else { throw DatasetError(.unreadable, path: path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { gzclose(gz) }
        gzbuffer(gz, 1 << 20)
        let check = InputCheck(source: path)
        func readExactly(_ n: Int, what: String) throws -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(min(n, 1 << 24))
            var chunk = [UInt8](repeating: 0, count: min(n, 1 << 24))
            while out.count < n {
                let want = min(n - out.count, chunk.count)
                let r = chunk.withUnsafeMutableBytes { gzread(gz, $0.baseAddress!, UInt32(want)) }
                if r < 0 {
                    var err: Int32 = 0
                    let msg = String(cString: gzerror(gz, &err))
                    throw DatasetError(.corrupt, path: path, "corrupt or truncated gzip data while reading \(what): \(msg)")
                }
                if r == 0 { break }
                out.append(contentsOf: chunk[0..<Int(r)])
            }
            if out.count < n {
                throw DatasetError(.corrupt, path: path, "truncated: \(what) needs \(n) bytes, only \(out.count) present")
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
        let shape = dims.map(String.init).joined(separator: "x")
        let total = try datasetChecks { () throws -> Int in
            let total = try check.product(dims, field: "dimensions")
            guard total > 0 else {
                throw check.error(.outOfRange, field: "dimensions", "\(shape) holds no values", allowed: "every dimension ≥ 1")
            }
            let payload = max(0, (InputLimits.fileSize(path) ?? Int.max) - 4 - 4 * rank)
            if gzdirect(gz) == 0 {
                try check.fits(total, minBytesPerElement: 1, available: payload, ratio: maxGzipRatio, field: "dimensions \(shape)")
            }
            try check.allocation(count: total, elementBytes: 1, field: "dimensions \(shape)", budget: budget)
            return total
        }
        if gzdirect(gz) != 0, let size = InputLimits.fileSize(path), total > size - 4 - 4 * rank {
            throw DatasetError(.corrupt, path: path, "truncated: \(shape) values need \(total) bytes, only \(max(0, size - 4 - 4 * rank)) present")
        }
        let data = try readExactly(total, what: "\(shape) values")
        // One more read: it finds trailing bytes and, for gzip, verifies the stream's CRC and length trailer.
        var extra: UInt8 = 0
        let r = gzread(gz, &extra, 1)
        if r > 0 {
            throw DatasetError(.corrupt, path: path, "trailing data after the \(total) values that dimensions \(dims) declare")
        }
        // zlib reports a stream cut inside its 8-byte trailer only through gzerror (Z_BUF_ERROR), not gzread.
        var err: Int32 = 0
        let msg = String(cString: gzerror(gz, &err))
        if r < 0 || err != Z_OK {
            throw DatasetError(.corrupt, path: path, "corrupt or truncated gzip data after the \(total) values: \(msg)")
        }
        return IDXFile(dimensions: dims, bytes: data)
    }
}
