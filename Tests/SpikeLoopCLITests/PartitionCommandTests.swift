import Foundation
import Testing

@Suite struct PartitionCommandTests {
    static let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../configs/partition-mnist784.yaml").standardized.path

    @Test("partition prints the mapping of a config's network, and --json the same as one line")
    func mnist() throws {
        let r = try CLI.run(["partition", "--config", Self.config, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("8 circuits per neuron, 4 partitions (64, 64, 64, 64)"), "\(r.stdout)")
        #expect(r.stdout.contains("5 runs per sample in 5 waves; chip time 179.0 µs"), "\(r.stdout)")
        let json = try #require(r.lastJSON)
        #expect(json["network"] as? String == "784-256-10" && json["subnetworks"] as? Int == 5)
        let wide = try CLI.run(["partition", "--config", Self.config, "--chip-count", "5", "--json"])
        #expect(wide.lastJSON?["waves_per_sample"] as? Int == 1)
    }

    @Test("an impossible mapping or a bad count is an error naming the setting")
    func errors() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("partition-\(UUID().uuidString).yaml")
        try Data("dataset: shd\nshd_channel_offset: 0\nshd_channel_stride: 1\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let recurrent = try CLI.run(["partition", "--config", file.path])
        #expect(recurrent.status != 0 && recurrent.stderr.contains("lockstep") && recurrent.stderr.contains("--chip-count"), "\(recurrent.stderr)")
        let zero = try CLI.run(["partition", "--config", Self.config, "--chip-count", "0"])
        #expect(zero.status != 0 && zero.stderr.contains("--chip-count"), "\(zero.stderr)")
    }
}
