import Foundation
import SpikeTraining
import SpikeCore

/// Stimulate one neuron and record it, the way calibration software drives a real chip: reference voltages on
/// the ADC, current injection, one synaptic input, the threshold comparator on or off, and a fast
/// single-channel ADC (`ChipConfig.probeSamplePeriod`). Probes return ADC codes and spike times only.
struct Probe {
    let chip: ChipInstance
    let neuron: Int
    var rng: SeededRandom

    init(chip: ChipInstance, neuron: Int, round: Int = 0) {
        self.chip = chip
        self.neuron = neuron
        rng = SeededRandom(seed: chip.seed, stream: 0x9B0BE &+ UInt64(neuron) &* 131 &+ UInt64(round))
    }

    /// ADC codes of a reference voltage (model units) applied to this neuron's channel.
    func referenceCode(_ v: Double) -> Double { chip.adcCode(v, neuron) }

    /// Records `duration` seconds: `current(t)` is injected directly (V∞ = leak + current), `synapticKick` is
    /// one input of that size at `kickTime` into the synaptic current. Returns codes and spike times.
    mutating func record(duration: Double, current: (Double) -> Double = { _ in 0 }, synapticKick: Double = 0, kickTime: Double = 0, spiking: Bool = true) -> (codes: [Double], spikes: [Double]) {
        let r = chip.realized(neuron)
        let h = chip.config.probeSamplePeriod
        let b = NeuronStep<Double>.decay(dt: h, tau: r.tauMem), a = NeuronStep<Double>.decay(dt: h, tau: r.tauSyn)
        let noise = chip.config.membraneNoise * (1 - b * b).squareRoot()
        let refr = Int((r.refractory / h).rounded())
        var v = r.leak, i = 0.0, held = 0
        var codes: [Double] = [], spikes: [Double] = []
        let steps = Int((duration / h).rounded())
        var kicked = false
        for k in 0..<steps {
            let t = Double(k) * h
            codes.append(chip.adcCode(v, neuron))
            if spiking && v > r.threshold && held == 0 {
                spikes.append(t)
                v = r.reset
                held = refr
                continue
            }
            if !kicked && t >= kickTime && synapticKick != 0 {
                i += synapticKick
                kicked = true
            }
            // The neuron's own step (delayed current, (1 − β) scaling) at the probe's sample period.
            let step = NeuronStep<Double>(alpha: a, beta: b, gain: 1 - b, leak: r.leak)
            v = step.membrane(v, drive: i + current(t))
            i = step.current(i)
            let u1 = rng.nextUnitDouble(), u2 = rng.nextUnitDouble()
            v += noise * (u1 + u2 - 1) * 2.449_489_7
            if held > 0 {
                v = r.reset
                held -= 1
            }
        }
        return (codes, spikes)
    }

    /// Mean ADC code at rest.
    func idleCode() -> Double {
        var p = self
        let c = p.record(duration: 20e-6, spiking: false).codes
        return c.reduce(0, +) / Double(c.count)
    }

    /// Records a neuron driven just above its threshold: a weak drive approaches threshold slowly, so the
    /// last sample before a reset lies within a fraction of an LSB of the threshold. The drive is raised
    /// until the neuron fires a few times.
    mutating func fireSlowly() -> (codes: [Double], spikes: [Double]) {
        var drive = 1.15
        var rec = record(duration: 80e-6, current: { _ in drive })
        while rec.spikes.count < 3 && drive < 4 {
            drive += 0.25
            let d = drive
            rec = record(duration: 80e-6, current: { _ in d })
        }
        return rec
    }

    /// Mean ADC code just before the resets of a slowly firing neuron (its threshold as the ADC sees it).
    func thresholdCode() -> Double {
        var p = self
        let rec = p.fireSlowly()
        let h = chip.config.probeSamplePeriod
        var peaks: [Double] = []
        for s in rec.spikes {
            let k = Int((s / h).rounded())
            // the last sample below and the first above the threshold bracket it
            if k >= 1 && k < rec.codes.count { peaks.append(0.5 * (rec.codes[k - 1] + rec.codes[k])) }
        }
        if peaks.isEmpty { return rec.codes.max() ?? chip.config.adcThresholdCode }
        return peaks.reduce(0, +) / Double(peaks.count)
    }
}

/// What calibration measured of every neuron (model units), from probe recordings only.
public struct NeuronMeasurements: Sendable {
    public var tauMem: [Double] = []
    public var tauSyn: [Double] = []
    public var leak: [Double] = []
    public var threshold: [Double] = []
    public var reset: [Double] = []

    /// Relative SD of a parameter (for τ) or absolute SD (for potentials), over neurons.
    public static func spread(_ xs: [Double], relative: Bool) -> Double {
        guard xs.count > 1 else { return 0 }
        let m = xs.reduce(0, +) / Double(xs.count)
        let sd = (xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count - 1)).squareRoot()
        return relative ? sd / max(abs(m), 1e-30) : sd
    }
}

/// Probe-based calibration of every neuron to target time constants, leak 0, threshold 1 and reset 0.
///
/// Each round, per neuron: (1) calibrate the ADC channel against reference voltages (offset and gain by least
/// squares), (2) leak from the resting trace, (3) threshold and reset from a regularly firing neuron under
/// current injection, (4) τ_m from the exponential relaxation after a current step (comparator off), (5) τ_s
/// by fitting the shape of a single PSP with τ_m known. Settings are corrected multiplicatively (τ) or
/// additively (potentials) and quantized by the 10-bit DACs; the residual spread comes from that
/// quantization, noise and ADC resolution. Per-synapse gains cannot be calibrated (no per-synapse trim).
public enum Calibration {
    static func run(chip: EmulatedChip, tauMem: Double, tauSyn: Double) {
        var inst = chip.instance
        for i in 0..<inst.neurons {
            inst.tauMemSetting[i] = tauMem
            inst.tauSynSetting[i] = tauSyn
            inst.leakSetting[i] = 0
            inst.thresholdSetting[i] = 1
            inst.resetSetting[i] = 0
        }
        for round in 0..<chip.config.calibrationRounds {
            let m = measure(inst, tauMemGuess: tauMem, tauSynGuess: tauSyn, round: round + 1)
            for i in 0..<inst.neurons {
                inst.leakSetting[i] -= m.leak[i]
                inst.thresholdSetting[i] -= m.threshold[i] - 1
                inst.resetSetting[i] -= m.reset[i]
                if m.tauMem[i] > 0 { inst.tauMemSetting[i] *= tauMem / m.tauMem[i] }
                if m.tauSyn[i] > 0 { inst.tauSynSetting[i] *= tauSyn / m.tauSyn[i] }
            }
        }
        chip.setInstance(inst)
    }

    /// Measures the neurons of `inst` in `neurons` (all when nil) through probes (no access to realized values);
    /// the arrays of the result are indexed from the range's start.
    public static func measure(
        _ inst: ChipInstance, tauMemGuess: Double, tauSynGuess: Double, round: Int = 0, neurons: Range<Int>? = nil
    ) -> NeuronMeasurements {
        var out = NeuronMeasurements()
        let cfg = inst.config
        let h = cfg.probeSamplePeriod
        let repetitions = 8
        let range = (neurons ?? 0..<inst.neurons).clamped(to: 0..<inst.neurons)
        for i in range {
            var p = Probe(chip: inst, neuron: i, round: round)
            // (1) ADC channel: code = o + g·V' with V' the nominal code of V; least squares on references.
            let refs = [-0.25, 0.25, 0.75, 1.25, 1.5]
            let xs = refs.map { cfg.adcLeakCode + (cfg.adcThresholdCode - cfg.adcLeakCode) * $0 }
            let ys = refs.map { p.referenceCode($0) }
            let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
            var sxy0 = 0.0, sxx0 = 0.0
            for (x, y) in zip(xs, ys) {
                sxy0 += (x - mx) * (y - my)
                sxx0 += (x - mx) * (x - mx)
            }
            let g = sxy0 / sxx0
            let o = my - g * mx
            func volts(_ code: Double) -> Double { ((code - o) / g - cfg.adcLeakCode) / (cfg.adcThresholdCode - cfg.adcLeakCode) }
            // (2) leak
            let idle = p.record(duration: 20e-6, spiking: false).codes.map(volts)
            let leak = idle.reduce(0, +) / Double(idle.count)
            // (3) threshold and reset under current injection
            let fire = p.fireSlowly()
            let v = fire.codes.map(volts)
            var peaks: [Double] = [], troughs: [Double] = []
            for s in fire.spikes {
                let k = Int((s / h).rounded())
                if k >= 1 && k + 1 < v.count {
                    peaks.append(0.5 * (v[k - 1] + v[k]))
                    troughs.append(v[k + 1])
                }
            }
            let threshold = peaks.isEmpty ? (v.max() ?? 1) : peaks.reduce(0, +) / Double(peaks.count)
            let reset = troughs.isEmpty ? leak : troughs.reduce(0, +) / Double(troughs.count)
            // (4) τ_m: relaxation after a current step (comparator off)
            let on = 8 * tauMemGuess
            // Averaging repetitions suppresses membrane noise (as calibration on hardware does).
            var stepCodes = p.record(duration: on + 4 * tauMemGuess, current: { $0 < on ? 0.6 : 0 }, spiking: false).codes
            for _ in 1..<repetitions {
                let r = p.record(duration: on + 4 * tauMemGuess, current: { $0 < on ? 0.6 : 0 }, spiking: false).codes
                for k in stepCodes.indices { stepCodes[k] += r[k] }
            }
            let sv = stepCodes.map { volts($0 / Double(repetitions)) }
            let k0 = Int((on / h).rounded()) + 1
            let tm = fitRelaxation(Array(sv[k0...]), step: h, guess: tauMemGuess)
            // (5) τ_s: PSP shape with τ_m known, amplitude free, grid search over τ_s
            let t0 = 2e-6
            var pspCodes = p.record(duration: t0 + 8 * max(tauMemGuess, tauSynGuess), synapticKick: 2, kickTime: t0, spiking: false).codes
            for _ in 1..<repetitions {
                let r = p.record(duration: t0 + 8 * max(tauMemGuess, tauSynGuess), synapticKick: 2, kickTime: t0, spiking: false).codes
                for k in pspCodes.indices { pspCodes[k] += r[k] }
            }
            let psp = pspCodes.map { volts($0 / Double(repetitions)) }
            let k1 = Int((t0 / h).rounded())
            let ys2 = Array(psp[k1...])
            var bestErr = Double.infinity, ts = tauSynGuess
            var cand = tauSynGuess * 0.2
            while cand < tauSynGuess * 5 {
                // kernel of a CUBA PSP sampled at the probe grid
                var kv = [Double](repeating: 0, count: ys2.count)
                let a = NeuronStep<Double>.decay(dt: h, tau: cand), b = NeuronStep<Double>.decay(dt: h, tau: tm)
                let step = NeuronStep<Double>(alpha: a, beta: b, gain: 1 - b, leak: 0)
                var vv = 0.0, ii = 1.0
                for k in 0..<kv.count {
                    kv[k] = vv
                    vv = step.membrane(vv, drive: ii)
                    ii = step.current(ii)
                }
                let err = residual(basis: kv, data: ys2)
                if err < bestErr { bestErr = err; ts = cand }
                cand *= 1.01
            }
            out.tauMem.append(tm)
            out.tauSyn.append(ts)
            out.leak.append(leak)
            out.threshold.append(threshold)
            out.reset.append(reset)
        }
        return out
    }
}

/// Least-squares residual of `data ≈ c0 + c1·basis` (offset and amplitude free).
func residual(basis: [Double], data: [Double]) -> Double {
    let n = Double(basis.count)
    var sb = 0.0, sd = 0.0, sbb = 0.0, sbd = 0.0, sdd = 0.0
    for k in basis.indices {
        sb += basis[k]; sd += data[k]; sbb += basis[k] * basis[k]; sbd += basis[k] * data[k]; sdd += data[k] * data[k]
    }
    let det = n * sbb - sb * sb
    guard det > 0 else { return sdd }
    let c1 = (n * sbd - sb * sd) / det
    let c0 = (sd - c1 * sb) / n
    return sdd - c0 * sd - c1 * sbd
}

/// τ of `trace ≈ leak + A·exp(−t/τ)` by a grid search (1 % steps) with leak and A fitted by least squares, so
/// that an error in the separately measured leak does not bias τ.
func fitRelaxation(_ trace: [Double], step h: Double, guess: Double) -> Double {
    let n = min(trace.count, Int(5 * guess / h))
    let data = Array(trace.prefix(n))
    var best = (Double.infinity, guess)
    var tau = guess * 0.3
    while tau < guess * 3 {
        let d = exp(-h / tau)
        var basis = [Double](repeating: 1, count: n)
        for k in 1..<max(1, n) { basis[k] = basis[k - 1] * d }
        let e = residual(basis: basis, data: data)
        if e < best.0 { best = (e, tau) }
        tau *= 1.005
    }
    return best.1
}

extension EmulatedChip {
    func setInstance(_ inst: ChipInstance) { setInstanceStorage(inst) }
}
