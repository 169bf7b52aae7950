import Foundation
import Testing

/// Bad values of this stop's flags end in an error naming the flag (or the setting), before any work.
@Suite struct NewFlagsCLITests {
    @Test("synthesizer, stretches, augmented copies, augmentation keys, bench workload and data-parallel flags are checked")
    func badValuesNameTheFlag() throws {
        let dir = CLI.tempDir()
        let cases: [([String], String)] = [
            (["dataset", "spoken-digits", "--output", dir, "--synthesizer", "sam"], "--synthesizer"),
            (["dataset", "spoken-digits", "--output", dir, "--synthesizer", "festival", "--stretches", "x"], "--stretches"),
            (["dataset", "spoken-digits", "--output", dir, "--synthesizer", "festival", "--stretches", "3"], "stretches"),
            (["dataset", "spoken-digits", "--output", dir, "--augmented-copies", "99"], "augmented-copies"),
            (["dataset", "spoken-digits", "--output", dir, "--synthesizer", "festival", "--augmented-copies", "1"], "augmented-copies"),
            (["train", "--dataset", "synthetic", "--augment-spike-drop", "1", "--run-dir", CLI.tempDir()], "augment_spike_drop"),
            (["train", "--dataset", "synthetic", "--augment-time-mask=-1", "--run-dir", CLI.tempDir()], "augment_time_mask"),
            (["bench", "--workload", "lstm"], "--workload"),
            (["bench", "--workload", "shd", "--inputs", "64"], "--inputs"),
            (["experiment", "data-parallel", "--workload", "mlp"], "--workload"),
            (["experiment", "data-parallel", "--steps", "0"], "--steps"),
        ]
        for (args, name) in cases {
            let r = try CLI.run(args)
            #expect(r.status != 0 && r.stderr.contains(name), "\(args): \(r.stderr)")
        }
    }
}
