import Foundation
import SpikeData
import SpikeTraining
import Testing

/// End-to-end runs of the `Examples/` programs on tiny data (the built debug binaries).
enum Example {
    static func run(_ name: String, _ args: [String], environment: [String: String] = [:]) throws -> CLI.Result {
        let p = Process()
        p.executableURL = CLI.binary.deletingLastPathComponent().appendingPathComponent(name)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CLI.Result(
            status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
            stderr: String(decoding: e, as: UTF8.self))
    }

    /// The first `train` and `test` samples of the MNIST files in `../shared/data/mnist`, as uncompressed IDX files.
    static func tinyMNIST(train: Int, test: Int) throws -> String {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../../shared/data/mnist"
        ).standardized.path
        let dir = CLI.tempDir()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func bigEndian(_ v: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((v >> $0) & 0xFF) } }
        for (split, n) in [("train", train), ("t10k", test)] {
            let images = try IDXFile.read(source + "/\(split)-images-idx3-ubyte.gz", expectedRank: 3)
            let labels = try IDXFile.read(source + "/\(split)-labels-idx1-ubyte.gz", expectedRank: 1)
            let px = images.dimensions[1] * images.dimensions[2]
            let imageHeader =
                bigEndian(0x803) + bigEndian(n) + bigEndian(images.dimensions[1]) + bigEndian(images.dimensions[2])
            try Data(imageHeader + images.bytes.prefix(n * px)).write(
                to: URL(fileURLWithPath: dir + "/\(split)-images-idx3-ubyte"))
            try Data(bigEndian(0x801) + bigEndian(n) + labels.bytes.prefix(n)).write(
                to: URL(fileURLWithPath: dir + "/\(split)-labels-idx1-ubyte"))
        }
        return dir
    }

    /// The number after `prefix` in `text` (e.g. the accuracy in "test accuracy on chip:1: 47.50 %").
    static func number(after prefix: String, in text: String) -> Double? {
        guard let r = text.range(of: prefix) else { return nil }
        return Double(text[r.upperBound...].prefix { "0123456789.".contains($0) })
    }
}

@Suite(.serialized) struct ExampleTests {
    @Test("TrainMNISTOnChip trains 16x16 MNIST in the loop on a chip, learns, and evaluates on a second chip")
    func trainMNISTOnChip() throws {
        let data = try Example.tinyMNIST(train: 260, test: 120)
        let run = CLI.tempDir()
        let r = try Example.run(
            "TrainMNISTOnChip", [data, "200", "1", run], environment: ["SPIKELOOP_UNCALIBRATED": "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("200 training images, 100 test images, on chip:1"), "\(r.stdout)")
        let onChip = try #require(Example.number(after: "test accuracy on chip:1: ", in: r.stdout), "\(r.stdout)")
        let transfer = try #require(Example.number(after: "test accuracy on chip:2: ", in: r.stdout), "\(r.stdout)")
        #expect(onChip > 20, "in-the-loop accuracy \(onChip) % on 10 classes")
        #expect(transfer >= 0 && transfer <= 100)
        for f in ["config.json", "metrics.jsonl", "best.safetensors", "last.safetensors", "test.json", "report.html"] {
            #expect(FileManager.default.fileExists(atPath: run + "/" + f), "missing \(f)")
        }
        let config =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json")))
            as? [String: Any]
        #expect(config?["substrate"] as? String == "chip:1")
        #expect(config?["chip_calibrated"] as? Bool == false)
    }

    @Test("RecurrentSHD trains a hand-built two-layer recurrent network on SHD-format files")
    func recurrentSHD() throws {
        let data = try SHDTrainingTests.makeFiles()
        let run = CLI.tempDir()
        let r = try Example.run("RecurrentSHD", [data, "2", run])
        #expect(r.status == 0, "\(r.stderr)")
        let accuracy = try #require(Example.number(after: "test accuracy ", in: r.stdout), "\(r.stdout)")
        #expect(accuracy > 10, "test accuracy \(accuracy) % on 20 classes (chance 5 %)")
        let network = try Checkpoint.read(from: URL(fileURLWithPath: run + "/last.safetensors")).network
        #expect(network.layers.map(\.kind) == [.recurrentLIF, .recurrentLIF, .leakyReadout])
        #expect(network.layers.map(\.neuronCount) == [64, 32, 20])
        let usage = try Example.run("RecurrentSHD", [])
        #expect(usage.status == 2 && usage.stdout.contains("usage"))
    }
}
