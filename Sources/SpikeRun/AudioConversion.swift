import Foundation
import SpikeAudio
import SpikeCore
import SpikeData

/// WAV files → bushy-cell spikes in one SHD-format HDF5 file, through the cochlea model (the Spiking Heidelberg
/// Digits pipeline): what `spikeloop convert audio` does.
public struct AudioConversion: Sendable {
    /// Which model converts: `.lauscher` (default, the SHD chain at each file's own rate) or `.fast`.
    public var model: CochleaModel = .lauscher
    /// Parameters of the `.lauscher` model.
    public var lauscher = LauscherParameters()
    /// Parameters of the `.fast` model.
    public var parameters: CochleaParameters
    /// Seed of the auditory-nerve fibres' spike generation.
    public var seed: UInt64 = 0
    /// Label and speaker id stored for every sample.
    public var label = 0
    public var speaker = 0
    /// Worker threads per clip; nil: all cores.
    public var threads: Int? = nil
    /// Convert the files this many times and keep the fastest pass's timing (benchmarking).
    public var repetitions = 1

    public init(parameters: CochleaParameters = CochleaParameters()) { self.parameters = parameters }

    /// Timings and totals of a conversion.
    public struct Summary: Sendable {
        public var files: Int
        public var audioSeconds: Double
        public var spikes: Int
        public var channels: Int
        /// Wall-clock seconds of the fastest pass (filter-bank setup excluded).
        public var wallSeconds: Double
        /// Building the filter bank, seconds.
        public var setupSeconds: Double
        public var realTimeFactor: Double { audioSeconds / max(wallSeconds, 1e-9) }
    }

    /// Converts `inputs` (one sample each, in order; the file names become the keys) and writes `output`.
    /// - Throws: the WAV reader's error naming the file, `CochleaError` for bad parameters.
    public func run(inputs: [String], output: String) throws -> Summary {
        try validate()
        let clips = try inputs.map { try WAVFile.read(path: $0) }
        let t0 = monotonicSeconds()
        let cochlea = try makeCochlea(sampleRates: clips.map(\.sampleRate))
        let setup = monotonicSeconds() - t0
        var t1 = 0.0
        var t2 = Double.infinity
        var samples: [SHDSample] = []
        var audio = 0.0
        var spikes = 0
        for _ in 0..<repetitions {
            let start = monotonicSeconds()
            samples = []
            audio = 0
            spikes = 0
            for (clip, path) in zip(clips, inputs) {
                // The checked entry: rate, NaN samples, duration and memory are refused naming the file.
                let s = try cochlea.convert(
                    clip, source: path, seed: seed, threads: threads ?? availableCores, maxSeconds: Cochlea.maxClipSeconds,
                    budget: InputLimits.memoryBudget)
                samples.append(SHDSample(times: s.times, units: s.units, label: Int32(label)))  // in 0...65535 (validate)
                audio += s.audioSeconds
                spikes += s.times.count
            }
            let end = monotonicSeconds()
            if end - start < t2 - t1 { (t1, t2) = (start, end) }
        }
        try SHDWriter.write(
            samples, speakers: [Int32](repeating: Int32(speaker), count: samples.count),
            keys: inputs.map { ($0 as NSString).lastPathComponent }, to: output)
        return Summary(
            files: clips.count, audioSeconds: audio, spikes: spikes, channels: channelCount,
            wallSeconds: t2 - t1,
            setupSeconds: setup)
    }

    /// Channels of the chosen model.
    public var channelCount: Int { model == .lauscher ? lauscher.channels : parameters.channels }

    /// The chosen model, with the lauscher filter banks for `sampleRates` built (so setup time is measured apart).
    public func makeCochlea(sampleRates: [Double] = []) throws -> any SpikeCochlea {
        switch model {
        case .fast: return try Cochlea(parameters)
        case .lauscher:
            let c = try LauscherCochlea(lauscher)
            for rate in Set(sampleRates.map { Int($0) }).sorted() where rate >= 4000 {
                _ = c.filterBank(sampleRate: Double(rate), threads: threads ?? availableCores)
            }
            return c
        }
    }
}
