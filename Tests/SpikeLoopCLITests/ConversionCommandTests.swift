import Foundation
import Testing

/// `spikeloop experiment conversion`: flag validation and missing data (the experiment itself runs in release, see
/// scripts/reproduce-conversion.sh).
@Suite struct ConversionCommandTests {
    @Test("flags out of range are errors that name the flag", arguments: [
        (["--max-rate", "1.5"], "--max-rate"), (["--profile", "bss3"], "--profile"), (["--mismatch-scale", "-1"], "--mismatch-scale"),
        (["--percentile", "0"], "--percentile"), (["--network", "100-10-5"], "--network"),
    ])
    func badFlags(flags: [String], name: String) throws {
        let r = try CLI.run(["experiment", "conversion"] + flags)
        #expect(r.status != 0)
        #expect(r.stderr.contains(name), "\(r.stderr)")
    }

    @Test("a missing MNIST folder is an error that names the file")
    func missingData() throws {
        let r = try CLI.run(["experiment", "conversion", "--data-dir", "/nonexistent-mnist", "--software-epochs", "0", "--iterations", "0"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("/nonexistent-mnist"), "\(r.stderr)")
    }
}
