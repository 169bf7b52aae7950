import Foundation
import Testing
import SpikeData

@Suite(.serialized) struct SHDTrainingTests {
    /// Writes an SHD-format pair of files with 20 classes of noisy spike patterns over 700 channels.
    static func makeFiles() throws -> String {
        let dir = CLI.tempDir()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var x: UInt64 = 0x1234_5678
        func next() -> Double {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            return Double(x >> 11) / Double(1 << 53)
        }
        // class prototypes: 40 (channel, time) pairs each, on channels the 70-of-700 subsampling keeps
        let protos = (0..<20).map { _ in (0..<40).map { _ in (70 + 9 * Int(next() * 70), next() * 0.8) } }
        func samples(_ n: Int) -> [SHDSample] {
            (0..<n).map { i in
                let label = i % 20
                var ev = protos[label].filter { _ in next() > 0.1 }.map { ($0.0, max(0, $0.1 + 0.01 * (next() - 0.5))) }
                for _ in 0..<10 { ev.append((Int(next() * 700), next() * 0.9)) }
                ev.sort { $0.1 < $1.1 }
                return SHDSample(times: ev.map { Double(Float($0.1)) }, units: ev.map { Int32($0.0) }, label: Int32(label))
            }
        }
        try SHDWriter.write(samples(400), to: dir + "/shd_train.h5")
        try SHDWriter.write(samples(200), to: dir + "/shd_test.h5")
        return dir
    }

    @Test("train reads SHD-format files and learns a recurrent network")
    func trainsOnSHD() throws {
        let data = try Self.makeFiles()
        let run = CLI.tempDir()
        let r = try CLI.run([
            "train", "--dataset", "shd", "--data-dir", data, "--hidden", "40", "--steps", "60", "--dt", "8e-6", "--readout-scale", "0.2",
            "--epochs", "10", "--validation-samples", "40", "--threads", "2", "--run-dir", run, "--json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try #require(r.lastJSON)
        let acc = j["test_accuracy"] as? Double ?? 0
        #expect(acc > 0.5, "test accuracy \(acc) on 20 classes")
        // the same recurrent network in the loop on an emulated (uncalibrated, to keep the test fast) chip
        let chip = try CLI.run([
            "train", "--dataset", "shd", "--data-dir", data, "--hidden", "40", "--steps", "60", "--dt", "8e-6", "--readout-scale", "0.2",
            "--epochs", "6", "--validation-samples", "40", "--threads", "2", "--substrate", "chip:1", "--uncalibrated", "--run-dir", CLI.tempDir(), "--json",
        ])
        #expect(chip.status == 0, "\(chip.stderr)")
        let cacc = (chip.lastJSON?["test_accuracy"] as? Double) ?? 0
        #expect(cacc > 0.15, "in-the-loop test accuracy \(cacc) on 20 classes")
        let missing = try CLI.run(["train", "--dataset", "shd", "--run-dir", CLI.tempDir()])
        #expect(missing.status != 0 && missing.stderr.contains("--data-dir"), "\(missing.stderr)")
    }
}
