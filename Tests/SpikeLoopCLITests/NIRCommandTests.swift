import Foundation
import Testing

@Suite(.serialized) struct NIRCommandTests {
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../SpikeNIRTests/Fixtures/\(name)"
        ).standardized.path
    }

    @Test(
        "nir import prints the graph and layers and writes a checkpoint; nir export writes it back; re-import is exact")
    func importExport() throws {
        let dir = CLI.tempDir()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let ckpt = dir + "/model.safetensors"
        var r = try CLI.run(["nir", "import", Self.fixture("recurrent.nir"), "--dt", "1e-3", "-o", ckpt, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stdout.contains("w_rec.0") && r.stdout.contains("LIF") && r.stdout.contains("lif.0 → w_rec.0"),
            "\(r.stdout)")
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

    @Test(
        "a network trained in the loop on the emulated chip exports to NIR, re-imports with the same software accuracy, and seeds a new run"
    )
    func chipTrainedRoundTrip() throws {
        // 100 test images: what the example evaluates on, and all an imported checkpoint (no run config) sees.
        let data = try Example.tinyMNIST(train: 260, test: 100)
        let dir = CLI.tempDir()
        var r = try Example.run(
            "TrainMNISTOnChip", [data, "200", "1", dir], environment: ["SPIKELOOP_UNCALIBRATED": "1"])
        #expect(r.status == 0, "\(r.stderr)")
        let ckpt = dir + "/last.safetensors"
        let original = try CLI.run(["evaluate", ckpt, "--substrate", "software", "--data-dir", data, "--json"])
        #expect(original.status == 0, "\(original.stderr)")
        r = try CLI.run(["nir", "export", ckpt, "-o", dir + "/model.nir"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try CLI.run(["nir", "import", dir + "/model.nir", "-o", dir + "/imported.safetensors"])
        #expect(r.status == 0, "\(r.stderr)")
        let again = try CLI.run([
            "evaluate", dir + "/imported.safetensors", "--dataset", "mnist", "--data-dir", data, "--substrate",
            "software", "--json",
        ])
        #expect(again.status == 0, "\(again.stderr)")
        let a = try #require(original.lastJSON?["accuracy"] as? Double)
        let b = try #require(again.lastJSON?["accuracy"] as? Double)
        #expect(a == b && a > 0.2, "software accuracy \(a) before export, \(b) after re-import")
        #expect(original.lastJSON?["confusion"] as? [[Int]] == again.lastJSON?["confusion"] as? [[Int]])
        let direct = try CLI.run([
            "evaluate", dir + "/model.nir", "--dataset", "mnist", "--data-dir", data, "--substrate", "software",
            "--json",
        ])
        #expect(direct.status == 0, "\(direct.stderr)")
        #expect(direct.lastJSON?["accuracy"] as? Double == a, "evaluate model.nir: \(direct.stdout.suffix(300))")
        print("chip-trained network, software accuracy before export \(a), after NIR re-import \(b)")
        r = try CLI.run([
            "train", "--dataset", "mnist", "--data-dir", data, "--train-samples", "200", "--validation-samples", "0",
            "--epochs", "1", "--threads", "2", "--init-from", dir + "/model.nir", "--run-dir", dir + "/finetune",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect((r.stdout + r.stderr).contains("initialized from \(dir)/model.nir: 256-246-10"), "\(r.stdout)")
    }
}
