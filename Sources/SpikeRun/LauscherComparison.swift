import Foundation
import SpikeAudio
import SpikeCore

/// Compares our conversion of WAV files with lauscher's (the SHD authors' chain) on the figures issue 18 sets:
/// per-channel spike counts correlate ≥ 0.95, total spikes within 10 %, and (20 channel bands × 10 ms) histograms
/// correlate ≥ 0.9. What `make test` checks against the committed references (`Tests/Fixtures/lauscher/*.lauscher.npy`)
/// and `spikeloop convert compare-lauscher` prints.
///
/// Both chains are stochastic, and a 0.5 s digit gives only ≈ 5–15 spikes per channel: two runs of the *same* chain
/// correlate only ≈ 0.8–0.93 per channel (sampling noise, var/mean ≈ 0.5 in both). So besides the raw correlation of
/// one run with lauscher's one run, we report the correlation of the **expected** counts, corrected for that noise
/// (Spearman's correction for attenuation): with two seeds s1, s2 of ours, the single-run reliability is
/// ρ = r(s1, s2); the mean of two runs has reliability 2ρ/(1 + ρ) (Spearman–Brown); lauscher's single run is
/// assumed to have ρ too (the same model; checked on files run twice through lauscher, docs/COCHLEA-LAUSCHER.md); then
/// r_expected = r((s1 + s2)/2, lauscher) / √(ρ · 2ρ/(1 + ρ)).
public struct LauscherComparison: Sendable {
    /// The figures of one file.
    public struct FileResult: Codable, Sendable {
        public var file: String
        public var sampleRate: Double
        public var audioSeconds: Double
        public var lauscherSpikes: Int
        public var spikes: Int
        /// Pearson correlation of the 700 per-channel spike counts (one run each).
        public var channelCorrelation: Double
        /// Correlation of two of our runs (seeds `seed`, `seed + 1`): the single-run reliability ρ.
        public var splitHalfReliability: Double
        /// Correlation of the expected per-channel counts, corrected for sampling noise (see the type).
        public var expectedChannelCorrelation: Double
        /// Our total over lauscher's.
        public var totalRatio: Double
        /// Pearson correlation of the (bands × 10 ms) spike-count histograms.
        public var histogramCorrelation: Double
        /// Conversion wall time and CPU time of all threads, s (filter-bank setup excluded). On a shared machine the
        /// CPU time is the steadier figure: wall ≈ CPU / threads when the cores are free.
        public var wallSeconds: Double
        public var cpuSeconds: Double
    }

    public var bands = 20
    public var binSeconds = 0.01
    public var seed: UInt64 = 0
    public var threads = availableCores

    public init() {}

    /// The reference spikes: a float32 `.npy` of shape [2, N] (times in s; channels), as
    /// `scripts/make-lauscher-reference.sh` writes it from lauscher's `.npz`.
    /// - Throws: ``RunError`` (`.inputFile`) when the array has another shape.
    public static func readReference(_ url: URL) throws -> (times: [Double], units: [Int]) {
        let a = try NPYArray.read(url)
        guard a.shape.count == 2, a.shape[0] == 2 else {
            throw RunError(.inputFile, subject: url.path, "expected a [2, N] array (times; channels), found shape \(a.shape)")
        }
        let n = a.shape[1]
        return ((0..<n).map { Double(a.values[$0]) }, (0..<n).map { Int(a.values[n + $0]) })
    }

    /// Converts `wav` with `cochlea` and compares the result with the reference at `reference`.
    public func compare(wav: URL, reference: URL, cochlea: any SpikeCochlea) throws -> FileResult {
        let clip = try WAVFile.read(path: wav.path)
        let ref = try LauscherComparison.readReference(reference)
        let ours = try cochlea.convert(
            clip, source: wav.path, seed: seed, threads: threads, maxSeconds: Cochlea.maxClipSeconds,
            budget: InputLimits.memoryBudget)
        // Timed: the second conversion, after the first built the filter bank for this rate.
        let (t0, c0) = (monotonicSeconds(), LauscherComparison.processCPUSeconds())
        let second = try cochlea.convert(
            clip, source: wav.path, seed: seed &+ 1, threads: threads, maxSeconds: Cochlea.maxClipSeconds,
            budget: InputLimits.memoryBudget)
        let (wall, cpu) = (monotonicSeconds() - t0, LauscherComparison.processCPUSeconds() - c0)
        let channels = ours.channelCount
        let a = counts(ours.times, ours.units.map(Int.init), channels: channels, seconds: clip.duration)
        let a2 = counts(second.times, second.units.map(Int.init), channels: channels, seconds: clip.duration)
        let b = counts(ref.times, ref.units, channels: channels, seconds: clip.duration)
        let rho = LauscherComparison.pearson(a.channels, a2.channels)
        let mean = zip(a.channels, a2.channels).map { ($0 + $1) / 2 }
        let meanReliability = 2 * rho / (1 + rho)
        return FileResult(
            file: wav.lastPathComponent, sampleRate: clip.sampleRate, audioSeconds: clip.duration,
            lauscherSpikes: ref.times.count, spikes: ours.times.count,
            channelCorrelation: LauscherComparison.pearson(a.channels, b.channels),
            splitHalfReliability: rho,
            expectedChannelCorrelation: rho > 0
                ? LauscherComparison.pearson(mean, b.channels) / (rho * meanReliability).squareRoot() : 0,
            totalRatio: Double(ours.times.count) / Double(max(1, ref.times.count)),
            histogramCorrelation: LauscherComparison.pearson(a.histogram, b.histogram), wallSeconds: wall,
            cpuSeconds: cpu)
    }

    /// Per-channel counts and the band × time-bin histogram (bands of channels/bands channels, row-major by band).
    func counts(_ times: [Double], _ units: [Int], channels: Int, seconds: Double) -> (channels: [Double], histogram: [Double]) {
        let bins = max(1, Int((seconds / binSeconds).rounded(.up)) + 1)
        var perChannel = [Double](repeating: 0, count: channels)
        var histogram = [Double](repeating: 0, count: bands * bins)
        for (t, u) in zip(times, units) where u >= 0 && u < channels {
            perChannel[u] += 1
            let band = u * bands / channels
            let bin = min(bins - 1, max(0, Int(t / binSeconds)))
            histogram[band * bins + bin] += 1
        }
        return (perChannel, histogram)
    }

    /// Pearson correlation; 0 when either side is constant.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "\(x.count) vs \(y.count) values")
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : 0
    }

    /// User + system CPU seconds of this process so far (all threads).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
    }

    /// Every `*.wav` in `directory` that has a `<name>.lauscher.npy` next to it, sorted by name.
    public static func pairs(in directory: URL) throws -> [(wav: URL, reference: URL)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        return names.filter { $0.hasSuffix(".wav") }.compactMap { name in
            let ref = directory.appendingPathComponent(String(name.dropLast(4)) + ".lauscher.npy")
            return FileManager.default.fileExists(atPath: ref.path) ? (directory.appendingPathComponent(name), ref) : nil
        }
    }
}
