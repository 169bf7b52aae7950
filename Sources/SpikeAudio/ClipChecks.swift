import Foundation
import SpikeCore

extension AudioClip {
    /// The checks both cochlea models run on a clip from an untrusted source before converting it: a sample rate
    /// from `minimumRate` to the top of `WAVFile.sampleRateRange`, at least one sample, every sample finite (one NaN
    /// would silence the whole clip through the RMS normalization), at most `maxSeconds` of audio, and a conversion
    /// whose `bytes` fit in `budget`.
    /// - Throws: `DatasetError` naming `source`, the field and the allowed range.
    func checkForConversion(
        source: String, minimumRate: Double, maxSeconds: Double, bytes: (AudioClip) -> Double, convertingRate: Double,
        threads: Int, budget: Int
    ) throws {
        let check = InputCheck(source: source)
        try datasetChecks {
            try check.finite(sampleRate, in: minimumRate...Double(WAVFile.sampleRateRange.upperBound), field: "sample rate", unit: " Hz")
            guard !samples.isEmpty else { throw check.error(.outOfRange, field: "samples", "the clip is empty", allowed: "at least 1 sample") }
            try check.allFinite(samples, field: "samples")
            try check.finite(duration, in: 0...maxSeconds, field: "duration (\(samples.count) samples at \(sampleRate) Hz)", unit: " s")
            let needed = bytes(self)
            guard needed <= Double(budget) else {
                throw check.error(
                    .tooLarge, field: "duration \(String(format: "%.2f", duration)) s",
                    "converting it at \(convertingRate) Hz with \(threads) threads needs \(InputLimits.formatBytes(Int(needed))), beyond the memory budget",
                    allowed: "≤ \(InputLimits.formatBytes(budget)); set SPIKELOOP_MEMORY_BUDGET to raise it")
            }
        }
    }
}
