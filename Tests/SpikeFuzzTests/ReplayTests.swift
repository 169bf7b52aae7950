import Foundation
import Testing

/// Re-reads saved inputs (`SPIKELOOP_FUZZ_REPLAY=a.h5:b.wav`, e.g. a file a soak run stopped on) with the reader
/// their extension names; skipped unless the variable is set.
@Suite struct ReplayTests {
    static let paths = (ProcessInfo.processInfo.environment["SPIKELOOP_FUZZ_REPLAY"] ?? "").split(separator: ":").map(String.init)

    @Test("replays saved fuzz inputs", .enabled(if: !paths.isEmpty))
    func replay() {
        let run = FuzzRun("replay")
        for p in Self.paths {
            run.check((p as NSString).lastPathComponent, source: p, mayAccept: true) {
                switch (p as NSString).pathExtension {
                case "h5": try SHDFuzzTests.read(p)
                case "safetensors": try CheckpointFuzzTests.read(p)
                case "wav": try WAVFuzzTests.read(p)
                default: try IDXFuzzTests.read(p, rank: 3)
                }
            }
        }
        run.report()
    }
}
