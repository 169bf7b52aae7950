import CFFTW
import Foundation
import _CAudioKernels
import SpikeCore

extension Cochlea {
    /// The longest clip ``convert(_:source:seed:threads:maxSeconds:budget:)`` accepts by default. SHD utterances
    /// last about 1 s; a minute leaves room for sentences while a file that stands for hours is refused.
    public static let maxClipSeconds = 60.0

    /// Bytes converting `sampleCount` input samples at `inputRate` takes at most: the resampled signal, its block
    /// spectra and, per worker, 16 lanes of drive plus their interleaved copy; then the worst-case spike list
    /// (every channel firing at its refractory limit, 20 bytes per spike).
    public func conversionBytes(sampleCount: Int, inputRate: Double, threads: Int) -> Double {
        let t = Double(sampleCount) * parameters.sampleRate / inputRate
        let groups = Double((parameters.channels + 15) / 16)
        let workers = min(Double(max(1, threads)), groups)
        let spectra = (t / Double(block) + 1) * Double(binStride) * 8
        let perWorker = 16 * (t + Double(fftSize)) * 4 + 16 * t * 4 + Double(bins + fftSize) * 8
        let seconds = t / parameters.sampleRate
        let spikes = Double(parameters.channels) * seconds / max(parameters.bushyRefractory, 1 / parameters.sampleRate) * 20
        return 4 * t + spectra + workers * perWorker + spikes
    }

    /// Converts a clip from an untrusted source after checking it: a sample rate in `WAVFile.sampleRateRange`, at
    /// least one sample, every sample finite (one NaN would silence the whole clip through the RMS normalization),
    /// at most `maxSeconds` of audio, and a conversion that fits in `budget` bytes.
    ///
    /// - Throws: `DatasetError` naming `source` (the WAV file or synthesizer command), the field and the allowed range.
    public func convert(
        _ clip: AudioClip, source: String, seed: UInt64 = 0, threads: Int = availableCores,
        maxSeconds: Double = Cochlea.maxClipSeconds, budget: Int = InputLimits.memoryBudget
    ) throws -> CochleaSpikes {
        try clip.checkForConversion(
            source: source, minimumRate: Double(WAVFile.sampleRateRange.lowerBound), maxSeconds: maxSeconds,
            bytes: { conversionBytes(sampleCount: $0.samples.count, inputRate: $0.sampleRate, threads: threads) },
            convertingRate: parameters.sampleRate, threads: threads, budget: budget)
        return convert(clip, seed: seed, threads: threads)
    }

    /// Converts a clip to bushy-cell spikes (SHD format). Deterministic for a seed, independent of `threads`.
    ///
    /// `probe` channels additionally return their hair-cell release rate and fibre spike counts (for tests and plots).
    public func convert(_ clip: AudioClip, seed: UInt64 = 0, threads: Int = availableCores, probe: [Int] = []) -> CochleaSpikes {
        let x = condition(clip)
        let t = x.count
        let n = parameters.channels
        let groups = (n + 15) / 16
        guard t > 0 else { return CochleaSpikes(times: [], units: [], channelCount: n, audioSeconds: clip.duration) }
        let spectra = blockSpectra(x)
        defer { fftwf_free(spectra.pointer) }
        let events = PerWorker<[(Int32, Int32)]>(count: groups, initial: [])
        let probeSet = Set(probe)
        let probes = PerWorker<[Int: ChannelProbe]>(count: groups, initial: [:])
        parallelChunks(count: groups, workers: threads) { _, range in
            let stride = t + fftSize
            let drive = fftwf_alloc_real(16 * stride)!
            let interleaved = fftwf_alloc_real(16 * t)!
            let scratchC = fftwf_alloc_complex(bins)!
            let scratchR = fftwf_alloc_real(fftSize)!
            defer { fftwf_free(drive); fftwf_free(interleaved); fftwf_free(scratchC); fftwf_free(scratchR) }
            for group in range {
                drive.update(repeating: 0, count: 16 * stride)
                let first = group * 16
                let lanes = min(16, n - first)
                for lane in 0..<lanes {
                    filter(channel: first + lane, spectra: spectra, scratchC: scratchC, scratchR: scratchR) { start, values, count in
                        spikeloop_accumulate(drive + lane * stride + start, values, Int64(count))
                    }
                }
                var recorded: [Int: ChannelProbe] = [:]
                let wanted = (0..<lanes).filter { probeSet.contains(first + $0) }
                spikeloop_interleave16(drive, Int64(stride), Int64(t), interleaved)
                events[group] = nerve(interleaved, samples: t, firstChannel: first, lanes: lanes, seed: seed, probeLanes: wanted, probes: &recorded)
                probes[group] = recorded
            }
        }
        var all: [(Int32, Int32)] = []
        for g in 0..<groups { all += events[g] }
        // Events arrive ordered by channel group, then time; SHD stores them by time (ties by unit).
        all.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        let dt = 1 / parameters.sampleRate
        var merged: [Int: ChannelProbe] = [:]
        for g in 0..<groups { merged.merge(probes[g]) { a, _ in a } }
        return CochleaSpikes(
            times: all.map { Double($0.0) * dt }, units: all.map(\.1), channelCount: n,
            audioSeconds: clip.duration, probes: merged)
    }

    /// Hair cell → fibres → bushy cell for 16 channels at once (C kernel, `spikeloop_auditory_nerve`). `drive`
    /// holds the membrane displacement interleaved by lane (`drive[16·t + lane]`). Returns (sample, channel) pairs.
    func nerve(
        _ drive: UnsafeMutablePointer<Float>, samples t: Int, firstChannel: Int, lanes: Int, seed: UInt64,
        probeLanes: [Int], probes: inout [Int: ChannelProbe]
    ) -> [(Int32, Int32)] {
        let p = parameters
        let dt = 1 / p.sampleRate
        var k = spikeloop_nerve_params()
        (k.A, k.B, k.g, k.y) = (Float(p.meddisA), Float(p.meddisB), Float(p.meddisG), Float(p.meddisY))
        (k.l, k.r, k.x, k.h, k.M) = (Float(p.meddisL), Float(p.meddisR), Float(p.meddisX), Float(p.meddisH), Float(p.meddisM))
        k.dt = Float(dt)
        // The cleft update is exponential-Euler because (l + r)·dt is not small at speech sample rates.
        k.c_decay = Float(exp(-(p.meddisL + p.meddisR) * dt))
        k.c_gain = Float((1 - exp(-(p.meddisL + p.meddisR) * dt)) / (p.meddisL + p.meddisR))
        k.gain = Float(p.hairCellGain)
        k.alpha_m = Float(exp(-dt / p.bushyTauMem))
        k.alpha_s = Float(exp(-dt / p.bushyTauSyn))
        k.weight = Float(p.bushyWeight)
        k.fibres = Int32(p.fibresPerChannel)
        k.bushy_refractory = Int32(max(1, (p.bushyRefractory / dt).rounded()))
        k.lanes = Int32(lanes)

        // Resting state: the hair cell's analytic steady state at zero stimulus; no fibre refractory.
        let (A, B, g, y, l, r, x, M) = (p.meddisA, p.meddisB, p.meddisG, p.meddisY, p.meddisL, p.meddisR, p.meddisX, p.meddisM)
        let k0 = g * A / (A + B)
        let q0 = y * M / (y + l * k0 / (l + r))
        let c0 = k0 * q0 / (l + r)
        let w0 = r * c0 / x
        var state = spikeloop_nerve_state()
        let ringLength = max(1, Int((p.fibreRefractory / dt).rounded()))
        let ring = UnsafeMutablePointer<Int32>.allocate(capacity: 16 * ringLength)
        ring.initialize(repeating: 0, count: 16 * ringLength)
        defer { ring.deallocate() }
        state.ring = ring
        state.ring_length = Int32(ringLength)
        /// Writes 16 values into one of the state's fixed-size C arrays (imported as tuples).
        func fill<Lanes, T>(_ lanes: inout Lanes, _ value: (Int) -> T) {
            withUnsafeMutableBytes(of: &lanes) { raw in
                for i in 0..<16 { raw.storeBytes(of: value(i), toByteOffset: i * MemoryLayout<T>.stride, as: T.self) }
            }
        }
        fill(&state.q) { _ in Float(q0) }
        fill(&state.c) { _ in Float(c0) }
        fill(&state.w) { _ in Float(w0) }
        // Per-lane xorshift32 streams, seeded per channel so spikes do not depend on grouping or threads.
        fill(&state.rng) { lane -> UInt32 in
            var rng = SeededRandom(seed: seed, stream: 0xC0C1E &+ UInt64(firstChannel + lane))
            return UInt32(truncatingIfNeeded: rng.next() >> 32) | 1
        }
        let capacity = t * 16 / (Int(k.bushy_refractory) + 1) + 16
        var steps = [Int32](repeating: 0, count: capacity), lanesOut = [Int32](repeating: 0, count: capacity)
        var rate = probeLanes.isEmpty ? [] : [Float](repeating: 0, count: 16 * t)
        var count = probeLanes.isEmpty ? [] : [Int32](repeating: 0, count: 16 * t)
        let n = rate.withUnsafeMutableBufferPointer { rp in
            count.withUnsafeMutableBufferPointer { cp in
                spikeloop_auditory_nerve(&k, &state, drive, Int64(t), &steps, &lanesOut, rp.isEmpty ? nil : rp.baseAddress, cp.isEmpty ? nil : cp.baseAddress)
            }
        }
        for lane in probeLanes {
            probes[firstChannel + lane] = ChannelProbe(
                releaseRate: (0..<t).map { rate[16 * $0 + lane] }, fibreSpikes: (0..<t).map { count[16 * $0 + lane] })
        }
        return (0..<Int(n)).map { (steps[$0], Int32(firstChannel) + lanesOut[$0]) }
    }
}
