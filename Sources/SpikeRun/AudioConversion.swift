import Foundation
import SpikeAudio
import SpikeCore
import SpikeData

/// WAV files → bushy-cell spikes in one SHD-format HDF5 file, through the cochlea model (the Spiking Heidelberg
/// Digits pipeline): what `spikeloop convert audio` does.
public struct AudioConversion: Sendable {
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
        let cochlea = try Cochlea(parameters)
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
            for clip in clips {
                let s = cochlea.convert(clip, seed: seed, threads: threads ?? availableCores)
                samples.append(SHDSample(times: s.times, units: s.units, label: Int32(label)))
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
            files: clips.count, audioSeconds: audio, spikes: spikes, channels: parameters.channels,
            wallSeconds: t2 - t1,
            setupSeconds: setup)
    }
}
