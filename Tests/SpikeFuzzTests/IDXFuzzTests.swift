import CZlib
import Foundation
import SpikeCore
import SpikeData
import Testing

/// Malformed IDX files (MNIST / Fashion-MNIST): header, dimensions, gzip streams, labels, image sizes.
@Suite struct IDXFuzzTests {
    static func idx(type: UInt8 = 8, rank: UInt8, dims: [UInt32], body: [UInt8]) -> Data {
        var d = Data([0, 0, type, rank])
        for v in dims { d.appendBE(v) }
        d.append(contentsOf: body)
        return d
    }

    static func images(_ n: Int, _ rows: Int, _ cols: Int) -> Data {
        idx(rank: 3, dims: [UInt32(n), UInt32(rows), UInt32(cols)], body: (0..<(n * rows * cols)).map { UInt8(truncatingIfNeeded: $0 &* 37) })
    }

    static func labels(_ values: [UInt8]) -> Data { idx(rank: 1, dims: [UInt32(values.count)], body: values) }

    /// gzip-compresses `data` into `path` with zlib.
    static func writeGzip(_ data: Data, to path: String) {
        guard let gz = gzopen(path, "wb") else { return }
        data.withUnsafeBytes { _ = gzwrite(gz, $0.baseAddress, UInt32($0.count)) }
        gzclose(gz)
    }

    /// Reads with the fuzz budget and checks what was accepted is consistent.
    static func read(_ path: String, rank: Int) throws {
        let f = try IDXFile.read(path, expectedRank: rank, budget: FuzzSettings.memoryBudget)
        #expect(f.dimensions.count == rank && f.bytes.count == f.dimensions.reduce(1, *))
    }

    @Test("malformed IDX headers, dimensions and gzip streams end in errors naming the file and field")
    func generated() throws {
        let run = FuzzRun("IDX generated")
        func raw(_ label: String, _ data: Data, rank: Int = 3, _ words: [String]) {
            let p = run.write(data, label, ext: "idx")
            run.check(label, source: p, words: words, input: data) { try Self.read(p, rank: rank) }
        }
        func gz(_ label: String, _ data: Data, rank: Int = 3, _ words: [String]) {
            let p = run.path(label, ext: "idx.gz")
            Self.writeGzip(data, to: p)
            run.check(label, source: p, words: words, input: data + Data("gz".utf8)) { try Self.read(p, rank: rank) }
        }
        // magic and element type
        for (i, m) in [[1, 0], [0, 1], [0xFF, 0xFF], [0x1F, 0x8B]].enumerated() {
            raw("magic-\(i)", Data(m.map(UInt8.init)) + Self.images(1, 2, 2).dropFirst(2), ["magic"])
        }
        for t: UInt8 in [0x00, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0xFF] {
            raw("type-\(t)", Self.idx(type: t, rank: 3, dims: [1, 2, 2], body: [1, 2, 3, 4]), ["element type"])
        }
        for r: UInt8 in [0, 1, 2, 4, 255] {
            raw("rank-\(r)", Self.idx(rank: r, dims: [UInt32](repeating: 2, count: Int(r)), body: [UInt8](repeating: 0, count: 16)), ["dimensions"])
        }
        // truncated headers: every prefix of the 16 header bytes
        let valid = Self.images(2, 3, 3)
        for cut in 0..<16 { raw("header-cut-\(cut)", valid.prefix(cut), ["truncated", "magic"]) }
        // dimensions whose product overflows, is zero, or exceeds the file
        let max32 = UInt32.max
        let dimCases: [(String, [UInt32], [String])] = [
            ("dims-overflow", [3, max32, max32], ["overflows"]),
            ("dims-overflow-2", [max32, max32, max32], ["overflows"]),
            ("dims-zero-count", [0, 28, 28], ["no values"]),
            ("dims-zero-rows", [5, 0, 28], ["no values"]),
            ("dims-zero-cols", [5, 28, 0], ["no values"]),
            ("dims-huge-count", [max32, 28, 28], ["truncated", "memory budget"]),
            ("dims-60000-in-10-bytes", [60_000, 28, 28], ["truncated"]),
            ("dims-2^31", [1 << 31, 1, 1], ["truncated", "memory budget"]),
            ("dims-one-short", [2, 3, 3], ["truncated"]),
        ]
        for (label, dims, words) in dimCases {
            let body = label == "dims-one-short" ? [UInt8](repeating: 1, count: 17) : [UInt8](repeating: 1, count: 10)
            raw(label, Self.idx(rank: 3, dims: dims, body: body), words)
            gz(label + "-gz", Self.idx(rank: 3, dims: dims, body: body), words + ["gzip", "compression"])
        }
        raw("labels-overflow", Self.idx(rank: 1, dims: [max32], body: [1, 2]), rank: 1, ["truncated", "memory budget"])
        raw("trailing-byte", valid + Data([0]), ["trailing"])
        raw("trailing-kib", valid + Data(count: 1024), ["trailing"])
        gz("gz-trailing", valid + Data([9]), ["trailing"])
        // corrupt and truncated gzip streams
        let gzPath = run.path("gz-source", ext: "gz")
        Self.writeGzip(Self.images(20, 8, 8), to: gzPath)
        let gzBytes = try Data(contentsOf: URL(fileURLWithPath: gzPath))
        for cut in [11, 20, gzBytes.count / 2, gzBytes.count - 9, gzBytes.count - 1] {
            raw("gz-cut-\(cut)", gzBytes.prefix(cut), ["truncated", "gzip", "magic"])
        }
        for at in [12, 20, 40, gzBytes.count - 6] {
            var b = gzBytes
            b[at] ^= 0x5A
            raw("gz-flip-\(at)", b, ["gzip", "truncated", "trailing", "magic", "dimensions", "element type"])
        }
        // a missing file
        let missing = run.path("missing", ext: "idx")
        run.check("missing", source: missing, words: ["does not exist"]) { try Self.read(missing, rank: 3) }
        run.report(minimumCases: 60)
    }

    @Test("image folders with bad labels, counts or sizes end in errors; 5x5 MNIST images are the smallest accepted")
    func datasets() throws {
        let run = FuzzRun("IDX datasets")
        func folder(_ label: String, images: Data, labels: Data) -> String {
            let d = run.directory.appendingPathComponent(label)
            try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: d.appendingPathComponent("train-images-idx3-ubyte").path, contents: images)
            FileManager.default.createFile(atPath: d.appendingPathComponent("train-labels-idx1-ubyte").path, contents: labels)
            return d.path
        }
        for bad: UInt8 in [10, 11, 127, 200, 255] {
            let d = folder("label-\(bad)", images: Self.images(3, 28, 28), labels: Self.labels([1, bad, 2]))
            run.check("label-\(bad)", source: d, words: ["label \(bad)"]) { _ = try ImageDatasets.loadRaw(.mnist, split: "train", directory: d) }
        }
        for (n, m) in [(3, 2), (2, 3), (1, 100)] {
            let d = folder("count-\(n)-\(m)", images: Self.images(n, 28, 28), labels: Self.labels([UInt8](repeating: 1, count: m)))
            run.check("count-\(n)-\(m)", source: d, words: ["labels but"]) { _ = try ImageDatasets.loadRaw(.mnist, split: "train", directory: d) }
        }
        // MNIST crops 2 px per side: anything below 5x5 leaves no image
        for (rows, cols) in [(1, 1), (4, 4), (4, 28), (28, 4), (3, 3), (2, 9)] {
            let label = "mnist-\(rows)x\(cols)"
            let d = folder(label, images: Self.images(2, rows, cols), labels: Self.labels([0, 1]))
            run.check(label, source: d, words: ["image width", "image height"]) {
                _ = try ImageDatasets.load(.mnist, split: "train", directory: d, size: 16)
            }
        }
        for size in [0, -1, 5000, Int.max] {
            let d = folder("size-\(size)", images: Self.images(2, 28, 28), labels: Self.labels([0, 1]))
            run.check("size-\(size)", source: "imageSize", words: ["1...4096"]) {
                _ = try ImageDatasets.load(.fashionMNIST, split: "train", directory: d, size: size)
            }
        }
        // still valid: the smallest MNIST image and a 1x1 Fashion image are read and resized
        for (name, rows) in [(ImageDatasetName.mnist, 5), (.fashionMNIST, 1)] {
            let d = folder("ok-\(name.rawValue)-\(rows)", images: Self.images(2, rows, rows), labels: Self.labels([3, 4]))
            run.check("ok-\(name.rawValue)", source: d, mayAccept: true) {
                let s = try ImageDatasets.load(name, split: "train", directory: d, size: 4)
                #expect(s.count == 2 && s.pixels.count == 32 && s.pixels.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
            }
        }
        run.report(minimumCases: 20)
    }

    @Test("byte-flipped IDX files (raw and gzip) are errors or still-valid arrays")
    func byteFlips() throws {
        let run = FuzzRun("IDX byte flips")
        var rng = FuzzRandom(seed: FuzzSettings.seed ^ 0x1D)
        let valid = Self.images(4, 6, 6)
        let n = FuzzSettings.iterations(default: 300)
        for i in 0..<n {
            let data = ByteFlip.mutate(valid, &rng)
            let p = run.write(data, "flip-\(i)", ext: "idx")
            run.check("flip-\(i)", source: p, mayAccept: true, input: data) { try Self.read(p, rank: 3) }
        }
        let gzPath = run.path("gz-source", ext: "gz")
        Self.writeGzip(valid, to: gzPath)
        let gzValid = try Data(contentsOf: URL(fileURLWithPath: gzPath))
        for i in 0..<(n / 3) {
            let data = ByteFlip.mutate(gzValid, &rng)
            let p = run.write(data, "gzflip-\(i)", ext: "idx.gz")
            run.check("gzflip-\(i)", source: p, mayAccept: true, input: data) { try Self.read(p, rank: 3) }
        }
        run.report(minimumCases: 2)
    }
}
