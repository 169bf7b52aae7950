import Foundation
import Testing
@testable import SpikeData
import SpikeCore

/// Writes IDX files for tests (raw or gzip via the system's gzip).
enum IDXFixture {
    static func dir() -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("spikeloop-idx-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    static func bytes(magic: [UInt8], dims: [Int], body: [UInt8]) -> Data {
        var d = Data(magic)
        for v in dims { d.append(contentsOf: [UInt8(v >> 24 & 255), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)]) }
        d.append(contentsOf: body)
        return d
    }

    static func images(_ n: Int, rows: Int = 28, cols: Int = 28) -> Data {
        bytes(magic: [0, 0, 8, 3], dims: [n, rows, cols], body: (0..<(n * rows * cols)).map { UInt8($0 % 256) })
    }

    static func labels(_ n: Int) -> Data { bytes(magic: [0, 0, 8, 1], dims: [n], body: (0..<n).map { UInt8($0 % 10) }) }

    @discardableResult
    static func gzip(_ url: URL) -> URL {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-f", url.path]
        try! p.run()
        p.waitUntilExit()
        return URL(fileURLWithPath: url.path + ".gz")
    }
}

@Suite struct IDXTests {
    @Test("reads raw and gzip-compressed IDX files")
    func readsBoth() throws {
        let d = IDXFixture.dir()
        let raw = d.appendingPathComponent("a-idx3-ubyte")
        try IDXFixture.images(3).write(to: raw)
        let a = try IDXFile.read(raw.path, expectedRank: 3)
        #expect(a.dimensions == [3, 28, 28])
        #expect(a.bytes.count == 3 * 784 && a.bytes[300] == UInt8(300 % 256))
        let gz = IDXFixture.gzip(raw)
        let b = try IDXFile.read(gz.path, expectedRank: 3)
        #expect(b.bytes == a.bytes)
    }

    @Test("a truncated gzip file is an error naming the file")
    func truncatedGzip() throws {
        let d = IDXFixture.dir()
        let raw = d.appendingPathComponent("t-idx3-ubyte")
        try IDXFixture.images(50).write(to: raw)
        let gz = IDXFixture.gzip(raw)
        let full = try Data(contentsOf: gz)
        try full.prefix(full.count / 2).write(to: gz)
        do {
            _ = try IDXFile.read(gz.path, expectedRank: 3)
            Issue.record("truncated file accepted")
        } catch let e as DatasetError {
            #expect(e.path == gz.path)
            #expect("\(e)".contains("truncated"), "\(e)")
        }
    }

    @Test("wrong magic, wrong rank, short data and trailing bytes are errors")
    func malformed() throws {
        let d = IDXFixture.dir()
        let cases: [(String, Data, String)] = [
            ("magic", IDXFixture.bytes(magic: [1, 2, 8, 3], dims: [1, 2, 2], body: [0, 0, 0, 0]), "magic"),
            ("type", IDXFixture.bytes(magic: [0, 0, 9, 3], dims: [1, 2, 2], body: [0, 0, 0, 0]), "unsigned byte"),
            ("rank", IDXFixture.labels(4), "dimensions"),
            ("short", IDXFixture.bytes(magic: [0, 0, 8, 3], dims: [2, 2, 2], body: [0, 0, 0]), "truncated"),
            ("trailing", IDXFixture.bytes(magic: [0, 0, 8, 3], dims: [1, 1, 2], body: [0, 0, 7]), "trailing"),
        ]
        for (name, data, word) in cases {
            let u = d.appendingPathComponent(name)
            try data.write(to: u)
            do {
                _ = try IDXFile.read(u.path, expectedRank: 3)
                Issue.record("\(name) accepted")
            } catch let e as DatasetError {
                #expect("\(e)".contains(word) && "\(e)".contains(u.path), "\(name): \(e)")
            }
        }
    }

    @Test("image/label count mismatch and missing folders are errors that say what to do")
    func datasetErrors() throws {
        let d = IDXFixture.dir()
        try IDXFixture.images(5).write(to: d.appendingPathComponent("train-images-idx3-ubyte"))
        try IDXFixture.labels(4).write(to: d.appendingPathComponent("train-labels-idx1-ubyte"))
        do {
            _ = try ImageDatasets.loadRaw(.mnist, split: "train", directory: d.path)
            Issue.record("mismatch accepted")
        } catch let e as DatasetError {
            #expect(e.code == .mismatch && "\(e)".contains("4 labels") && "\(e)".contains("5 images"), "\(e)")
        }
        do {
            _ = try ImageDatasets.loadRaw(.mnist, split: "t10k", directory: d.path)
            Issue.record("missing split accepted")
        } catch let e as DatasetError {
            #expect(e.code == .notFound && "\(e)".contains("--data-dir"), "\(e)")
        }
    }

    @Test("the real Fashion-MNIST files load with their published shape and class balance")
    func realFashion() throws {
        let dir = ImageDatasetName.debianFashionMNIST
        guard FileManager.default.fileExists(atPath: dir + "/t10k-images-idx3-ubyte.gz") else { return }
        let test = try ImageDatasets.loadRaw(.fashionMNIST, split: "t10k", directory: dir)
        #expect(test.count == 10_000 && test.width == 28 && test.height == 28)
        var counts = [Int](repeating: 0, count: 10)
        for l in test.labels { counts[Int(l)] += 1 }
        #expect(counts == [Int](repeating: 1000, count: 10))
    }

    @Test("the real MNIST files load with the published label counts")
    func realMNIST() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/mnist").standardized.path
        guard FileManager.default.fileExists(atPath: dir + "/t10k-labels-idx1-ubyte.gz") else { return }
        let test = try ImageDatasets.loadRaw(.mnist, split: "t10k", directory: dir)
        var counts = [Int](repeating: 0, count: 10)
        for l in test.labels { counts[Int(l)] += 1 }
        #expect(counts == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        let mean = test.pixels.reduce(0, +) / Float(test.pixels.count)
        #expect(abs(mean - 0.1325) < 0.001)
        let small = ImageOps.cropAndResize(test.subset([0, 1, 2]), crop: 2, to: 16)
        #expect(small.width == 16 && small.pixels.count == 3 * 256)
    }
}

@Suite struct PreprocessingTests {
    @Test("area weights sum to one and a uniform image stays uniform", arguments: [(28, 16), (24, 16), (16, 16), (7, 3)])
    func areaResize(_ c: (Int, Int)) {
        let w = ImageOps.areaWeights(from: c.0, to: c.1)
        for row in w { #expect(abs(row.reduce(0) { $0 + $1.1 } - 1) < 1e-5) }
        let img = ImageSet(width: c.0, height: c.0, pixels: [Float](repeating: 0.6, count: c.0 * c.0), labels: [1])
        let out = ImageOps.cropAndResize(img, crop: 0, to: c.1)
        #expect(out.pixels.allSatisfy { abs($0 - 0.6) < 1e-5 })
    }

    @Test("area resize averages blocks exactly for integer factors")
    func blockAverage() {
        var px = [Float](repeating: 0, count: 16)
        px[0] = 1; px[1] = 1; px[4] = 1; px[5] = 0.2  // top-left 2x2 block
        let out = ImageOps.cropAndResize(ImageSet(width: 4, height: 4, pixels: px, labels: [0]), crop: 0, to: 2)
        #expect(abs(out.pixels[0] - 0.8) < 1e-6 && out.pixels[1] == 0 && out.pixels[3] == 0)
    }

    @Test("latency code: brighter is earlier, dim pixels are silent, times follow τ·ln(x/(x−ϑ))")
    func latency() {
        let enc = LatencyEncoder(tauIn: 8e-6, thresholdIn: 0.2, dt: 1.7e-6, stepCount: 20)
        let px: [Float] = [1.0, 0.5, 0.21, 0.2, 0.0, 0.3]
        let b = enc.encode(images: px, pixels: 6, labels: [3])
        let ev = b.events(ofSample: 0)
        let t0 = 8e-6 * log(1.0 / 0.8)
        func step(_ x: Double) -> Int { Int(((8e-6 * log(x / (x - 0.2)) - t0) / 1.7e-6).rounded(.down)) }
        var expected: [(Int, Int)] = [(0, 0), (step(0.5), 1), (step(0.3), 5)]
        if step(0.21) < 20 { expected.append((step(0.21), 2)) }
        expected.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        #expect(ev.map { "\($0.step):\($0.channel)" } == expected.map { "\($0.0):\($0.1)" })
        #expect(b.labels == [3])
    }

    @Test("the threshold-table encoder agrees with the logarithm formula on random pixels")
    func latencyTable() {
        let enc = LatencyEncoder(tauIn: 8e-6, thresholdIn: 0.2, dt: 1.7e-6, stepCount: 20)
        var rng = SpikeCore.SeededRandom(seed: 3)
        let px = (0..<5000).map { _ in rng.nextUnitFloat() }
        let b = enc.encode(images: px, pixels: 5000, labels: [0])
        var got = [Int](repeating: -1, count: 5000)
        for e in b.events(ofSample: 0) { got[e.channel] = e.step }
        let shift = 8e-6 * log(1.0 / 0.8)
        var mismatches = 0
        for (p, x) in px.enumerated() {
            var expected = -1
            if x > 0.2 {
                let t = (8e-6 * log(Double(x) / (Double(x) - 0.2)) - shift) / 1.7e-6
                if t < 20 { expected = Int(t.rounded(.down)) }
                if got[p] != expected && abs(t - t.rounded()) > 1e-3 { mismatches += 1 }
            } else if got[p] != -1 { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test("rotation by zero is the identity and by 90 degrees moves a corner")
    func rotation() {
        var px = [Float](repeating: 0, count: 9)
        px[0] = 1
        let img = ImageSet(width: 3, height: 3, pixels: px, labels: [0])
        #expect(ImageOps.rotate(img, angles: [0]).pixels == px)
        let r = ImageOps.rotate(img, angles: [Double.pi / 2]).pixels
        #expect(abs(r.reduce(0, +) - 1) < 1e-4 && r[0] < 1e-4)
    }
}
