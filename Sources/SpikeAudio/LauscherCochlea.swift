import CFFTW
import Foundation
import SpikeCore
import _CAudioKernels

/// The SHD conversion chain as lauscher 1.0.1 runs it, at the file's own sample rate: RMS normalization to 0.3, a
/// full Hann window, the shallow-water basilar membrane (700 places, channel 0 = base), Meddis hair cells, 40
/// auditory-nerve fibres and one bushy cell per channel, all after the membrane at half the input rate.
///
/// Statistically equal to lauscher, not sample-equal (it draws unseeded numpy random numbers; we draw seeded ones):
/// the membrane is an FFT filter bank (``LauscherFilterBank``, one per sample rate, built on first use), the nerve
/// stages one C kernel for 16 channels per SIMD vector. `convert` is thread-safe.
public final class LauscherCochlea: SpikeCochlea, @unchecked Sendable {
    public let parameters: LauscherParameters
    private var banks: [Int: LauscherFilterBank] = [:]
    private let lock = NSLock()

    public init(_ parameters: LauscherParameters = LauscherParameters()) throws {
        try parameters.validate()
        self.parameters = parameters
    }

    /// The filter bank for input at `sampleRate` Hz (an integer rate, as WAV files have), built once.
    public func filterBank(sampleRate: Double, threads: Int = availableCores) -> LauscherFilterBank {
        let key = Int(sampleRate)
        lock.lock()
        defer { lock.unlock() }
        if let bank = banks[key] { return bank }
        let bank = LauscherFilterBank(parameters, sampleRate: Double(key), threads: threads)
        banks[key] = bank
        return bank
    }

    /// RMS normalization, then lauscher's window: the first ⌊N/2⌋ samples rise along `np.hanning(2⌊N/2⌋)`, the
    /// last ⌊N/2⌋ fall along it mirrored (a full Hann window over the clip).
    public func condition(_ samples: [Float]) -> [Float] {
        var x = samples
        guard !x.isEmpty else { return x }
        var sq = 0.0
        for v in x { sq += Double(v) * Double(v) }
        let rms = (sq / Double(x.count)).squareRoot()
        let g = rms > 0 ? parameters.rmsLevel / rms : 0
        let half = x.count / 2
        let denominator = Double(max(1, 2 * half - 1))
        for i in 0..<x.count { x[i] = Float(Double(x[i]) * g) }
        for i in 0..<half {
            let w = 0.5 - 0.5 * cos(2 * Double.pi * Double(i) / denominator)
            x[i] = Float(Double(x[i]) * w)
            x[x.count - 1 - i] = Float(Double(x[x.count - 1 - i]) * w)
        }
        return x
    }

    /// Membrane velocity (lauscher's units) of the given channels at the output rate, for tests and plots.
    public func membrane(_ clip: AudioClip, channels: [Int]) -> [[Float]] {
        let bank = filterBank(sampleRate: clip.sampleRate)
        let x = condition(clip.samples)
        let count = x.count / 2 + 1
        let spectra = bank.blockSpectra(x)
        let (scratchC, scratchR) = bank.makeScratch()
        let out = fftwf_alloc_real(count)!
        defer { fftwf_free(spectra.pointer); fftwf_free(scratchC); fftwf_free(scratchR); fftwf_free(out) }
        return channels.map { c in
            bank.filter(channel: c, spectra: spectra, scratchC: scratchC, scratchR: scratchR, into: out, count: count)
            return Array(UnsafeBufferPointer(start: out, count: count))
        }
    }

    /// Converts a clip at its own sample rate to bushy-cell spikes (SHD format: times s, ascending, ties by unit).
    /// Spike k at output sample n lies at n/(fs // 2) s, as in lauscher. Deterministic for a seed, independent of
    /// `threads`. `probe` channels also return the fibres' firing probability per sample and their spike counts.
    public func convert(_ clip: AudioClip, seed: UInt64 = 0, threads: Int = availableCores, probe: [Int] = []) -> CochleaSpikes {
        let n = parameters.channels
        guard !clip.samples.isEmpty else { return CochleaSpikes(times: [], units: [], channelCount: n, audioSeconds: 0) }
        let bank = filterBank(sampleRate: clip.sampleRate, threads: threads)
        let x = condition(clip.samples)
        let t = x.count / 2 + 1  // lauscher's membrane output length
        let groups = (n + 15) / 16
        let spectra = bank.blockSpectra(x)
        defer { fftwf_free(spectra.pointer) }
        let events = PerWorker<[(Int32, Int32)]>(count: groups, initial: [])
        let probes = PerWorker<[Int: ChannelProbe]>(count: groups, initial: [:])
        let probeSet = Set(probe)
        parallelChunks(count: groups, workers: threads) { _, range in
            let drive = fftwf_alloc_real(16 * t)!, interleaved = fftwf_alloc_real(16 * t)!
            let (scratchC, scratchR) = bank.makeScratch()
            defer { fftwf_free(drive); fftwf_free(interleaved); fftwf_free(scratchC); fftwf_free(scratchR) }
            for group in range {
                let first = group * 16
                let lanes = min(16, n - first)
                // `filter` overwrites each lane it fills; lanes past the last channel stay silent.
                if lanes < 16 { (drive + lanes * t).update(repeating: 0, count: (16 - lanes) * t) }
                for lane in 0..<lanes {
                    bank.filter(channel: first + lane, spectra: spectra, scratchC: scratchC, scratchR: scratchR, into: drive + lane * t, count: t)
                }
                spikeloop_interleave16(drive, Int64(t), Int64(t), interleaved)
                var recorded: [Int: ChannelProbe] = [:]
                let wanted = (0..<lanes).filter { probeSet.contains(first + $0) }
                events[group] = nerve(
                    interleaved, samples: t, rate: bank.outputRate, firstChannel: first, lanes: lanes, seed: seed,
                    probeLanes: wanted, probes: &recorded)
                probes[group] = recorded
            }
        }
        var all: [(Int32, Int32)] = []
        for g in 0..<groups { all += events[g] }
        all.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var merged: [Int: ChannelProbe] = [:]
        for g in 0..<groups { merged.merge(probes[g]) { a, _ in a } }
        let rate = Double(bank.outputRate)
        return CochleaSpikes(
            times: all.map { Double($0.0) / rate }, units: all.map(\.1), channelCount: n,
            audioSeconds: clip.duration, probes: merged)
    }
}
