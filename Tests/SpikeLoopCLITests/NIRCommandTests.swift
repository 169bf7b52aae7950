import Foundation
import Testing

@Suite(.serialized) struct NIRCommandTests {
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../SpikeNIRTests/Fixtures/\(name)").standardized.path
    }

    @Test("nir import prints the graph and layers and writes a checkpoint; nir export writes it back; re-import is exact")
    func importExport() throws {
        let dir = CLI.tempDir()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let ckpt = dir + "/model.safetensors"
        var r = try CLI.run(["nir", "import", Self.fixture("recurrent.nir"), "--dt", "1e-3", "-o", ckpt, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("w_rec.0") && r.stdout.contains("LIF") && r.stdout.contains("lif.0 → w_rec.0"), "\(r.stdout)")
        #expect(r.stdout.contains("recurrent-lif") && r.stdout.contains("reset immediate"), "\(r.stdout)")
        let j = try #require(r.lastJSON)
        #expect(j["sizes"] as? [Int] == [8, 6, 3] && j["producer"] as? String == "nir")
        #expect(FileManager.default.fileExists(atPath: ckpt))
        let nirOut = dir + "/back.nir"
        r = try CLI.run(["nir", "export", ckpt, "-o", nirOut])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("recurrent.0") && FileManager.default.fileExists(atPath: nirOut))
        r = try CLI.run(["nir", "import", nirOut, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lastJSON?["producer"] as? String == "spikeloop" && r.lastJSON?["dt"] as? Double == 1e-3)
        // nir run simulates the exported file and writes per-node traces.
        r = try CLI.run(["nir", "run", nirOut, "--input", Self.fixture("recurrent-input.npy"), "-o", dir + "/traces"])
        #expect(r.status == 0, "\(r.stderr)")
        // the exported graph names its nodes SpikeLoop's way: neurons.0, neurons.1
        for f in ["neurons.0.spikes.npy", "neurons.0.v.npy", "neurons.1.v.npy"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/traces/" + f), "missing \(f): \(r.stdout)")
        }
    }

    @Test("nir import of what a network cannot express fails with the node named and no checkpoint")
    func errors() throws {
        let dir = CLI.tempDir()
        var r = try CLI.run(["nir", "import", Self.fixture("conv.nir"), "--dt", "1e-3", "-o", dir + "/x.safetensors"])
        #expect(r.status != 0 && r.stderr.contains("conv.0") && r.stderr.contains("Conv2d"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/x.safetensors"))
        r = try CLI.run(["nir", "import", Self.fixture("bad-nan-param.nir"), "--dt", "1e-3"])
        #expect(r.status != 0 && r.stderr.contains("'lif' parameter 'tau'"), "\(r.stderr)")
        r = try CLI.run(["nir", "import", Self.fixture("cubalif.nir")])
        #expect(r.status != 0 && r.stderr.contains("--dt"), "\(r.stderr)")
        r = try CLI.run(["nir", "import", Self.fixture("cubalif.nir"), "--dt=-1"])
        #expect(r.status != 0 && r.stderr.contains("--dt must be a positive"), "\(r.stderr)")
    }
}
