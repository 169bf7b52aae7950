import Foundation
import Testing

/// `spikeloop experiment vmm`: flag validation and missing data (the experiment itself runs in release, see
/// scripts/reproduce-vmm.sh).
@Suite struct VMMCommandTests {
    @Test("a mismatch scale that is not a number is a flag error that names the flag")
    func badScales() throws {
        let r = try CLI.run(["experiment", "vmm", "--mismatch-scales", "1,x"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--mismatch-scales"), "\(r.stderr)")
    }

    @Test("a missing MNIST folder is an error that names the file")
    func missingData() throws {
        let r = try CLI.run(["experiment", "vmm", "--data-dir", "/nonexistent-mnist", "--software-epochs", "0", "--loop-epochs", "0"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("/nonexistent-mnist/train-images-idx3-ubyte"), "\(r.stderr)")
    }
}
