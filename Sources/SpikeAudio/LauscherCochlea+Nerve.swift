import Foundation
import SpikeCore
import _CAudioKernels

extension LauscherCochlea {
    /// Bytes converting `sampleCount` samples at `sampleRate` takes at most: the conditioned clip, its block spectra,
    /// per worker two 16-lane membrane buffers, and the worst-case spike list (every channel at its refractory
    /// limit, 20 bytes per spike).
    public func conversionBytes(sampleCount: Int, sampleRate: Double, threads: Int) -> Double {
        let t = Double(sampleCount) / 2 + 1
        let block = max(32, parameters.impulseSeconds * sampleRate * 16 / 15)
        let workers = min(Double(max(1, threads)), Double((parameters.channels + 15) / 16))
        let spectra = (Double(sampleCount) / block + 1) * (block + 8) * 8
        let seconds = Double(sampleCount) / sampleRate
        let spikes = Double(parameters.channels) * seconds / parameters.refractory * 20
        return 4 * Double(sampleCount) + spectra + workers * (2 * 16 * t * 4 + 12 * block) + spikes
    }

    /// Converts a clip from an untrusted source after checking it (sample rate, emptiness, NaN, duration, memory);
    /// see ``Cochlea/convert(_:source:seed:threads:maxSeconds:budget:)``.
    /// - Throws: `DatasetError` naming `source`, the field and the allowed range.
    public func convert(
        _ clip: AudioClip, source: String, seed: UInt64 = 0, threads: Int = availableCores,
        maxSeconds: Double = Cochlea.maxClipSeconds, budget: Int = InputLimits.memoryBudget
    ) throws -> CochleaSpikes {
        try clip.checkForConversion(
            source: source, minimumRate: Double(max(4000, WAVFile.sampleRateRange.lowerBound)), maxSeconds: maxSeconds,
            bytes: { conversionBytes(sampleCount: $0.samples.count, sampleRate: $0.sampleRate, threads: threads) },
            convertingRate: clip.sampleRate, threads: threads, budget: budget)
        return convert(clip, seed: seed, threads: threads)
    }

    /// Hair cell → fibres → bushy cell for 16 channels (C kernel `spikeloop_lauscher_nerve`) at `rate` samples/s;
    /// `drive[16·t + lane]` is the membrane velocity. Returns (sample, channel) pairs.
    func nerve(
        _ drive: UnsafeMutablePointer<Float>, samples t: Int, rate: Int, firstChannel: Int, lanes: Int, seed: UInt64,
        probeLanes: [Int], probes: inout [Int: ChannelProbe]
    ) -> [(Int32, Int32)] {
        let p = parameters
        let fs = Double(rate), dt = 1 / fs
        var k = spikeloop_lauscher_params()
        (k.A, k.B, k.M) = (Float(p.hairA), Float(p.hairB), Float(p.hairM))
        (k.ym_dt, k.y_dt, k.x_dt) = (Float(p.hairY * p.hairM / fs), Float(p.hairY / fs), Float(p.hairX / fs))
        (k.r_dt, k.g_dt, k.h_dt, k.lr_dt) = (Float(p.hairR / fs), Float(p.hairG / fs), Float(p.hairH / fs), Float((p.hairL + p.hairR) / fs))
        k.alpha_m = Float(exp(-dt / p.bushyTauMem))
        k.alpha_s = Float(exp(-dt / p.bushyTauSyn))
        k.weight_dt = Float(p.bushyWeight / Double(p.fibresPerChannel) * dt)
        k.fibres = Int32(p.fibresPerChannel)
        // lauscher compares sample distances with the float τ_ref·fs: a fibre spike blocks the next ⌈τ·fs⌉ − 1
        // samples, a bushy spike freezes the cell for ⌈τ·fs⌉ samples.
        let refractorySamples = Int((p.refractory * fs).rounded(.up))
        k.bushy_frozen = Int32(refractorySamples)
        k.lanes = Int32(lanes)

        // Resting state: the hair cell's steady state at zero stimulus, as lauscher initializes it.
        let kt = p.hairG * p.hairA / (p.hairA + p.hairB)
        let c0 = p.hairM * p.hairY * kt / (p.hairL * kt + p.hairY * (p.hairL + p.hairR))
        var state = spikeloop_lauscher_state()
        let ringLength = max(1, refractorySamples - 1)
        let ring = UnsafeMutablePointer<Int32>.allocate(capacity: 16 * ringLength)
        ring.initialize(repeating: 0, count: 16 * ringLength)
        defer { ring.deallocate() }
        state.ring = ring
        state.ring_length = Int32(ringLength)
        func fill<Lanes, T>(_ lanes: inout Lanes, _ value: (Int) -> T) {
            withUnsafeMutableBytes(of: &lanes) { raw in
                for i in 0..<16 { raw.storeBytes(of: value(i), toByteOffset: i * MemoryLayout<T>.stride, as: T.self) }
            }
        }
        fill(&state.q) { _ in Float(c0 * (p.hairL + p.hairR) / kt) }
        fill(&state.c) { _ in Float(c0) }
        fill(&state.w) { _ in Float(c0 * p.hairR / p.hairX) }
        // Per-channel xorshift32 streams, so spikes do not depend on grouping or threads.
        fill(&state.rng) { lane -> UInt32 in
            var rng = SeededRandom(seed: seed, stream: 0x1A05C4E &+ UInt64(firstChannel + lane))
            return UInt32(truncatingIfNeeded: rng.next() >> 32) | 1
        }
        let capacity = t * 16 / 2 + 16
        var steps = [Int32](repeating: 0, count: capacity), lanesOut = [Int32](repeating: 0, count: capacity)
        var probability = probeLanes.isEmpty ? [] : [Float](repeating: 0, count: 16 * t)
        var count = probeLanes.isEmpty ? [] : [Int32](repeating: 0, count: 16 * t)
        let n = probability.withUnsafeMutableBufferPointer { rp in
            count.withUnsafeMutableBufferPointer { cp in
                spikeloop_lauscher_nerve(
                    &k, &state, drive, Int64(t), &steps, &lanesOut, rp.isEmpty ? nil : rp.baseAddress,
                    cp.isEmpty ? nil : cp.baseAddress)
            }
        }
        for lane in probeLanes {
            probes[firstChannel + lane] = ChannelProbe(
                releaseRate: (0..<t).map { probability[16 * $0 + lane] * Float(fs) }, fibreSpikes: (0..<t).map { count[16 * $0 + lane] })
        }
        return (0..<Int(n)).map { (steps[$0], Int32(firstChannel) + lanesOut[$0]) }
    }
}
