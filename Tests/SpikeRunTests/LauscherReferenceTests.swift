import Foundation
import SpikeAudio
import XCTest
@testable import SpikeRun

/// Our default cochlea against lauscher 1.0.1's spikes for the committed WAV set (Tests/Fixtures/lauscher, made by
/// scripts/make-lauscher-wavs.sh and scripts/make-lauscher-reference.sh): the issue-18 figures for every file.
/// Seeded, so deterministic; see ``LauscherComparison`` for why the per-channel figure is the noise-corrected one.
final class LauscherReferenceTests: XCTestCase {
    func testEveryFileMatchesLauscherStatistically() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/lauscher")
        let pairs = try LauscherComparison.pairs(in: folder)
        XCTAssertGreaterThanOrEqual(pairs.count, 20, "WAVs with a lauscher reference in \(folder.path)")
        XCTAssertGreaterThanOrEqual(Set(pairs.map { $0.wav.lastPathComponent.prefix(5) }).count, 6, "six sample rates")
        let cochlea = try LauscherCochlea()
        var comparison = LauscherComparison()
        comparison.seed = 1
        for (wav, reference) in pairs {
            let r = try comparison.compare(wav: wav, reference: reference, cochlea: cochlea)
            let name = r.file
            XCTAssertGreaterThanOrEqual(r.expectedChannelCorrelation, 0.95, "\(name): per-channel counts, expected")
            // One run against one run can be no better than our run against our own second run (sampling noise).
            XCTAssertGreaterThanOrEqual(r.channelCorrelation, r.splitHalfReliability - 0.05, "\(name): per-channel counts, one run")
            XCTAssertEqual(r.totalRatio, 1, accuracy: 0.1, "\(name): \(r.spikes) spikes, lauscher \(r.lauscherSpikes)")
            XCTAssertGreaterThanOrEqual(r.histogramCorrelation, 0.9, "\(name): 20 bands × 10 ms histogram")
        }
    }
}
