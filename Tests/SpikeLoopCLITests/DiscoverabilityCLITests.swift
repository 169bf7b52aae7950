import Foundation
import Testing

/// Issue 19's discoverable configuration and run records, through the built binary.
@Suite(.serialized) struct DiscoverabilityCLITests {
    @Test("a misspelled subcommand gets the nearest name; --version names the version and commit")
    func didYouMeanAndVersion() throws {
        let typo = try CLI.run(["trian"])
        #expect(typo.status == 64 && typo.stderr.contains("Did you mean 'train'?"), "\(typo.stderr)")
        let nested = try CLI.run(["nir", "imprt", "x.nir"])
        #expect(nested.status == 64 && nested.stderr.contains("Did you mean 'import'?"), "\(nested.stderr)")
        let version = try CLI.run(["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("0.") && version.stdout.contains("(commit "))
    }

    @Test("a bad setting is named with the subcommand's usage; --help shows defaults; --print-config resolves")
    func usageDefaultsAndPrintConfig() throws {
        let bad = try CLI.run(["train", "--dataset", "fashion-mnst"])
        #expect(bad.status == 64 && bad.stderr.contains("Did you mean 'fashion-mnist'?"), "\(bad.stderr)")
        #expect(bad.stderr.contains("Usage: spikeloop train") && bad.stderr.contains("'spikeloop train --help'"))
        let help = try CLI.run(["train", "--help"])
        #expect(help.stdout.contains("--learning-rate, --lr") && help.stdout.contains("(default: 0.0015"))
        let printed = try CLI.run(["train", "--dataset", "synthetic", "--lr", "0.01", "--print-config"])
        #expect(printed.status == 0, "\(printed.stderr)")
        let config = try #require(
            try JSONSerialization.jsonObject(with: Data(printed.stdout.utf8)) as? [String: Any])
        #expect(config["learning_rate"] as? Double == 0.01 && config["chip_noise"] as? Double == 0.01)
        #expect(config["threads"] is Int && (config["provenance"] as? [String: String])?["spikeloop_version"] != nil)
        let keys = try CLI.run(["config", "keys"])
        #expect(keys.status == 0 && keys.stdout.contains("learning_rate") && keys.stdout.contains("flag --learning-rate"))
    }

    @Test("--resume of a finished run reports it and leaves test.json alone; a failed start leaves no folder")
    func finishedRunAndFailedStart() throws {
        let dir = CLI.tempDir()
        let first = try CLI.run(["train"] + CLI.quick + ["--epochs", "1", "--run-dir", dir])
        #expect(first.status == 0, "\(first.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: dir + "/test.json"))
        let again = try CLI.run(["train", "--resume", dir])
        #expect(again.status == 0 && again.stdout.contains("already finished its 1 epochs"), "\(again.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/test.json")) == before)
        let record = try #require(try JSONSerialization.jsonObject(with: before) as? [String: Any])
        #expect(record["checkpoint"] as? String == "best.safetensors" && record["epoch"] as? Int == 1)
        let export = try CLI.run(["export", dir + "/best.safetensors", "-o", dir + "/net.torch.safetensors"])
        #expect(export.status == 0 && export.stdout.contains("fc1.weight"), "\(export.stderr)")
        let failed = CLI.tempDir()
        let missing = try CLI.run(["train", "--dataset", "mnist", "--data-dir", failed + "-nothing", "--run-dir", failed])
        #expect(missing.status != 0 && !FileManager.default.fileExists(atPath: failed), "\(missing.stderr)")
    }
}
