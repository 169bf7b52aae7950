import _CSpikeKernels
import Foundation
import SpikeCore
import SpikeTraining

/// One network layer as placed on the chip: realized per-neuron constants for the substep grid, effective
/// (quantized, mismatched) weights, and the readout calibration of its channels. Padding lanes never spike.
final class ChipLayer: @unchecked Sendable {
    let inputCount: Int
    let neuronCount: Int
    let stride: Int
    let firstNeuron: Int
    let dt: Double
    let spiking: Bool
    let recurrent: Bool
    var delayed: Bool
    var unitScaling: Bool
    let weights: FloatBuffer
    let recurrentWeights: FloatBuffer?
    // per neuron, substep grid
    let alpha, beta, gain, leak, threshold, reset, noiseScale: FloatBuffer
    let adcA, adcB, normLeak, normInv: FloatBuffer
    let refractorySteps: Int32Buffer
    /// ADC sample period, seconds.
    var adcPeriod = 1.7e-6
    /// Largest ADC code (2^bits − 1).
    var adcMaxCode: Float = 255
    /// Output layers only: the dynamic scale that mapped weights to integers.
    var outputScale = 240.0
    /// The scale of the last weight write (`w_hw = round(scale·w)`).
    var codeScale: Float = 240
    /// This layer's synapse gains in weight order (`[input row][neuron]`, rows of the recurrent matrix after the
    /// inputs), so that writing the weights reads them contiguously.
    private var layerGains: [Float] = []
    /// The signed 6-bit codes in the synapse array (`[input row][neuron]`, recurrent rows after the inputs): what
    /// the plasticity processor reads and writes.
    var codes: [Int8] = []

    /// Where each neuron sits: a chip and the neuron slots its circuits occupy there (several slots: a compound
    /// neuron, ``ChipInstance/realized(slots:)``). The neurons of one layer may sit on different chips.
    let placements: [NeuronPlacement]
    /// The chip model every placement shares.
    let config: ChipConfig

    /// A layer whose neuron `i` occupies `slotsPerNeuron` consecutive slots of `chip` from `firstNeuron + i·slotsPerNeuron`.
    convenience init(_ layer: Layer, firstNeuron: Int, slotsPerNeuron k: Int = 1, dt: Double, chip: EmulatedChip) {
        let placements = (0..<layer.neuronCount).map { i in
            NeuronPlacement(chip: chip, slots: (firstNeuron + i * k)..<(firstNeuron + (i + 1) * k))
        }
        self.init(layer, placements: placements, dt: dt)
    }

    init(_ layer: Layer, placements: [NeuronPlacement], dt: Double) {
        precondition(placements.count == layer.neuronCount, "\(placements.count) placements for \(layer.neuronCount) neurons")
        inputCount = layer.inputCount
        neuronCount = layer.neuronCount
        stride = neuronStride(layer.neuronCount)
        self.placements = placements
        self.config = placements[0].chip.config
        self.firstNeuron = placements[0].slots.lowerBound
        self.dt = dt
        spiking = layer.isSpiking
        recurrent = layer.isRecurrent
        delayed = layer.parameters.currentTiming == .delayed
        unitScaling = layer.parameters.inputScaling == .unit
        weights = FloatBuffer(count: inputCount * stride)
        recurrentWeights = recurrent ? FloatBuffer(count: neuronCount * stride) : nil
        (alpha, beta, gain, leak, threshold, reset, noiseScale) = (
            FloatBuffer(count: stride), FloatBuffer(count: stride), FloatBuffer(count: stride), FloatBuffer(count: stride),
            FloatBuffer(count: stride), FloatBuffer(count: stride), FloatBuffer(count: stride))
        (adcA, adcB, normLeak, normInv) = (FloatBuffer(count: stride), FloatBuffer(count: stride), FloatBuffer(count: stride), FloatBuffer(count: stride))
        refractorySteps = Int32Buffer(count: stride)
        refreshParameters(layer, dt: dt)
    }

    func refreshParameters(_ layer: Layer, dt: Double) {
        delayed = layer.parameters.currentTiming == .delayed
        unitScaling = layer.parameters.inputScaling == .unit
        let cfg = config
        let h = dt / Double(cfg.substeps)
        adcMaxCode = Float((1 << cfg.adcBits) - 1)
        adcPeriod = cfg.adcSamplePeriod
        for i in 0..<stride {
            guard i < neuronCount else {
                threshold.pointer[i] = .greatestFiniteMagnitude
                normInv.pointer[i] = 0
                continue
            }
            let chip = placements[i].chip
            let n = placements[i].slots.lowerBound  // the first slot's comparator and ADC channel
            let r = chip.instance.realized(slots: placements[i].slots)
            // The layer's family on this neuron's realized time constants (`NeuronParameters.discretized` per
            // substep). Without a synaptic current an input event is a jump of the membrane, whatever the substeps.
            let family = layer.parameters.family
            let b = family.leaks ? NeuronStep<Double>.decay(dt: h, tau: r.tauMem) : 1
            alpha.pointer[i] = family.hasSynapticCurrent ? Float(NeuronStep<Double>.decay(dt: h, tau: r.tauSyn)) : 0
            beta.pointer[i] = Float(b)
            let jump = unitScaling ? 1 : 1 - (family.leaks ? NeuronStep<Double>.decay(dt: dt, tau: r.tauMem) : 1)
            gain.pointer[i] = Float(Double(layer.parameters.r) * (family.hasSynapticCurrent ? (unitScaling ? h / dt : 1 - b) : jump))
            leak.pointer[i] = Float(r.leak)
            // Readout neurons have their threshold disabled on the chip.
            threshold.pointer[i] = spiking ? Float(r.threshold) : .greatestFiniteMagnitude
            reset.pointer[i] = Float(r.reset)
            noiseScale.pointer[i] = Float(cfg.membraneNoise * (1 - b * b).squareRoot())
            refractorySteps.pointer[i] = Int32((r.refractory / h).rounded())
            let inst = chip.instance
            adcA.pointer[i] = Float(inst.adcOffset[n] + inst.adcGain[n] * cfg.adcLeakCode)
            adcB.pointer[i] = Float(inst.adcGain[n] * (cfg.adcThresholdCode - cfg.adcLeakCode))
            normLeak.pointer[i] = Float(chip.readoutLeakCode[n])
            normInv.pointer[i] = Float(1 / (chip.readoutThresholdCode[n] - chip.readoutLeakCode[n]))
        }
    }

    /// Quantizes and writes the weights: `w_hw = clip(round(scale·w), ±63)`; the effective synapse is
    /// `w_hw/scale` times the synapse's fixed gain. Hidden layers use scale 240; the output layer the dynamic
    /// `min(63/max|w|, 250)`, and its traces are thereby reported in model units.
    func writeWeights(_ layer: Layer, isOutput: Bool) {
        let cfg = config
        // The mapping of `ChipWeights` (what a chip-trained checkpoint records), so the two cannot drift apart.
        let scale = cfg.weightScale(for: layer, isOutput: isOutput)
        if isOutput { outputScale = scale }
        let s = Float(scale)
        cacheGains(fanIn: cfg.maxFanIn)
        let limit = Float(cfg.weightMax)
        func q(_ w: Float) -> Float { ChipConfig.code(w, scale: s, limit: limit) / s }
        // (contiguous, through buffer pointers: this runs for every weight at every training step)
        let n = neuronCount
        if !codes.isEmpty { codes = [] }  // filled lazily by the synapse-array access (ChipLayer+Synapses)
        codeScale = s
        layerGains.withUnsafeBufferPointer { g in
            layer.weights.withUnsafeBufferPointer { w in
                for j in 0..<inputCount {
                    let row = weights.pointer + j * stride
                    for i in 0..<n { row[i] = q(w[j * n + i]) * g[j * n + i] }
                }
            }
            if let r = recurrentWeights {
                layer.recurrentWeights.withUnsafeBufferPointer { w in
                    for j in 0..<n {
                        let row = r.pointer + j * stride
                        for i in 0..<n { row[i] = q(w[j * n + i]) * g[(inputCount + j) * n + i] }
                    }
                }
            }
        }
    }
}

extension ChipLayer {
    /// Takes this layer's gains from the instances' `[slot][fanIn]` arrays once (they are fixed per chip): source `j`
    /// sits on row `j mod fanIn` (``SynapseRows``) of the neuron's slot `⌊j/fanIn⌋` when the neuron is compound,
    /// else of its only slot.
    fileprivate func cacheGains(fanIn fan: Int) {
        guard layerGains.isEmpty else { return }
        let rows = inputCount + (recurrent ? neuronCount : 0)
        var out = [Float](repeating: 0, count: rows * neuronCount)
        for (i, p) in placements.enumerated() {
            p.chip.instance.synapseGain.withUnsafeBufferPointer { gains in
                let compound = p.slots.count > 1
                for j in 0..<rows {
                    let slot = p.slots.lowerBound + (compound ? j / fan : 0)
                    out[j * neuronCount + i] = gains[slot * fan + j % fan]
                }
            }
        }
        layerGains = out
    }
}

/// Where one logical neuron sits: a chip and the neuron slots (standard `circuitsPerNeuron`-circuit neurons) its
/// circuits occupy there; more than one slot connects their membranes into one compound neuron.
struct NeuronPlacement {
    /// Unowned: the chip owns its layers (and a `PartitionedChip` owns its chips).
    unowned let chip: EmulatedChip
    let slots: Range<Int>
}

extension ChipLayer {
    /// Synapse rows: the inputs, then (recurrent layers) the layer's own neurons.
    var synapseRows: Int { inputCount + (recurrent ? neuronCount : 0) }

    /// The codes of the last write, recovered once from the effective weights (`code = w_eff·scale/gain`, exact:
    /// every gain is positive) so that the host path pays nothing for them.
    private func ensureCodes() {
        guard codes.isEmpty else { return }
        let n = neuronCount
        codes = [Int8](repeating: 0, count: synapseRows * n)
        for j in 0..<synapseRows {
            let row = j < inputCount ? weights.pointer + j * stride : recurrentWeights!.pointer + (j - inputCount) * stride
            for i in 0..<n {
                let g = layerGains[j * n + i]
                codes[j * n + i] = g > 0 ? Int8((row[i] * codeScale / g).rounded()) : 0
            }
        }
    }

    func synapseRow(_ j: Int) -> [Int8] {
        ensureCodes()
        return Array(codes[(j * neuronCount)..<((j + 1) * neuronCount)])
    }

    /// Writes one row of codes; the effective weights the next run uses follow (`code/scale·gain`).
    func writeSynapseRow(_ j: Int, codes new: [Int8]) {
        ensureCodes()
        let n = neuronCount
        let row = j < inputCount ? weights.pointer + j * stride : recurrentWeights!.pointer + (j - inputCount) * stride
        for i in 0..<n {
            codes[j * n + i] = new[i]
            row[i] = Float(new[i]) / codeScale * layerGains[j * n + i]
        }
    }
}

typealias Vec = SIMD16<Float>

@inline(__always) func vec(_ p: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Vec> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Vec.self)
}

/// Emulates one layer of one sample on the substep grid and records what the chip reports.
///
/// Per substep (mirroring the model's update order so that an ideal chip at one substep per step is exact):
/// spikes where `V > ϑ_i`; `V ← leak_i + β_i(V − leak_i) + c_i·I` and `I ← α_i·I` (order per the layer's
/// current timing); input rows added as events arrive (layer 0 at the first substep of its step, deeper
/// layers at the substep the spike happened); noise; neurons that spiked go to `reset_i` and stay there for
/// their refractory time. The ADC samples every neuron every `adcSamplePeriod` (1.7 µs); when the model's Δt
/// differs, the samples are interpolated linearly onto the model grid.
func emulateLayer(
    _ c: ChipLayer, stepCount T: Int, window: Int, substeps S: Int, layer l: Int, slot: ChipSlot,
    stepInput: (offsets: UnsafePointer<Int32>, indices: UnsafePointer<Int32>)?,
    record: UnsafeMutablePointer<Float>?,
    observed: (indices: UnsafeMutablePointer<Int32>, offsets: UnsafeMutablePointer<Int32>)?,
    noise: inout NoiseSource
) {
    let stride = c.stride
    let C = stride / 16
    let V = vec(slot.v.pointer), I = vec(slot.i.pointer)
    // Refractory neurons as a short list (spikes are sparse): (neuron, substeps left).
    let refNeuron = slot.refractory.pointer
    let refLeft = slot.refractoryLeft.pointer
    var refCount = 0
    let alpha = vec(c.alpha.pointer), beta = vec(c.beta.pointer), gain = vec(c.gain.pointer), leak = vec(c.leak.pointer)
    let ns = vec(c.noiseScale.pointer)
    let adcA = vec(c.adcA.pointer), adcB = vec(c.adcB.pointer), nl = vec(c.normLeak.pointer), ni = vec(c.normInv.pointer)
    let refSteps = c.refractorySteps.pointer
    for k in 0..<C {
        V[k] = leak[k]
        I[k] = Vec()
    }
    let W = c.weights.pointer
    let R = c.recurrentWeights?.pointer
    let own = slot.spikes[l].pointer
    let ownOff = slot.offsets[l].pointer
    let below = l > 0 ? (slot.spikes[l - 1].pointer, slot.offsets[l - 1].pointer) : nil
    let thr = c.threshold.pointer
    let maxCode = Vec(repeating: c.adcMaxCode)
    let zero = Vec()
    let noisy = c.noiseScale.pointer[0] > 0
    // The ADC's grid: sample k at substep round(k·P/h); identical to the model grid when P = Δt.
    let period = c.adcPeriod
    let h = c.dt / Double(S)
    let onGrid = abs(period - c.dt) <= 1e-9 * c.dt
    let sampleCount = onGrid ? 0 : Int((Double(T) * c.dt / period).rounded(.up)) + 1
    if record != nil && !onGrid && slot.adc.count < sampleCount * stride { slot.adc = FloatBuffer(count: sampleCount * stride) }
    var nextSample = 0
    @inline(__always) func sampleADC(into r: UnsafeMutablePointer<Vec>) {
        for k in 0..<C {
            var code = (adcA[k] + adcB[k] * V[k]).rounded(.toNearestOrEven)
            code.replace(with: zero, where: code .< zero)
            code.replace(with: maxCode, where: code .> maxCode)
            r[k] = (code - nl[k]) * ni[k]
        }
    }
    var n = 0
    for t in 0..<T {
        if let rec = record, onGrid {
            let r = vec(rec + t * stride)
            if t < window {
                for k in 0..<C {
                    var code = (adcA[k] + adcB[k] * V[k]).rounded(.toNearestOrEven)
                    code.replace(with: zero, where: code .< zero)
                    code.replace(with: maxCode, where: code .> maxCode)
                    r[k] = (code - nl[k]) * ni[k]
                }
            } else {
                for k in 0..<C { r[k] = zero }
            }
        }
        for s in 0..<S {
            let u = t * S + s
            ownOff[u] = Int32(n)
            if record != nil && !onGrid {
                while nextSample < sampleCount && Int((Double(nextSample) * period / h).rounded()) == u {
                    sampleADC(into: vec(slot.adc.pointer + nextSample * stride))
                    nextSample += 1
                }
            }
            if t >= window { continue }
            let first = n
            if c.spiking { n += Int(spikeloop_threshold_compress_each(slot.v.pointer, thr, Int32(stride), own + n)) }
            if c.delayed {
                for k in 0..<C {
                    let step = NeuronStep(alpha: alpha[k], beta: beta[k], gain: gain[k], leak: leak[k])
                    V[k] = step.membrane(V[k], drive: I[k])
                    I[k] = step.current(I[k])
                }
            } else {
                for k in 0..<C { I[k] = NeuronStep(alpha: alpha[k], beta: beta[k], gain: gain[k], leak: leak[k]).current(I[k]) }
            }
            if let inp = stepInput, s == 0 {
                for e in Int(inp.offsets[t])..<Int(inp.offsets[t + 1]) {
                    let row = vec(W + Int(inp.indices[e]) * stride)
                    for k in 0..<C { I[k] += row[k] }
                }
            }
            if let (bs, bo) = below {
                for e in Int(bo[u])..<Int(bo[u + 1]) {
                    let row = vec(W + Int(bs[e]) * stride)
                    for k in 0..<C { I[k] += row[k] }
                }
            }
            if let R = R, n > first {
                for e in first..<n {
                    let row = vec(R + Int(own[e]) * stride)
                    for k in 0..<C { I[k] += row[k] }
                }
            }
            if !c.delayed {
                for k in 0..<C { V[k] = NeuronStep(alpha: alpha[k], beta: beta[k], gain: gain[k], leak: leak[k]).membrane(V[k], drive: I[k]) }
            }
            if noisy {
                for k in 0..<C { V[k] += ns[k] * noise.next() }
            }
            var r = 0
            while r < refCount {
                let i = Int(refNeuron[r])
                slot.v.pointer[i] = NeuronStep<Float>.reset(slot.v.pointer[i], mode: .zero, threshold: thr[i], vReset: c.reset.pointer[i])
                refLeft[r] -= 1
                if refLeft[r] == 0 {
                    refCount -= 1
                    refNeuron[r] = refNeuron[refCount]
                    refLeft[r] = refLeft[refCount]
                } else {
                    r += 1
                }
            }
            if n > first {
                for e in first..<n {
                    let i = Int(own[e])
                    // The circuit resets to its reset potential (no subtractive reset on the chip).
                    slot.v.pointer[i] = NeuronStep<Float>.reset(slot.v.pointer[i], mode: .zero, threshold: thr[i], vReset: c.reset.pointer[i])
                    if refSteps[i] > 0 {
                        refNeuron[refCount] = Int32(i)
                        refLeft[refCount] = refSteps[i]
                        refCount += 1
                    }
                }
            }
        }
    }
    ownOff[T * S] = Int32(n)
    if let rec = record, !onGrid {
        // samples the run did not reach (after the window) repeat the last one taken
        while nextSample < sampleCount {
            let last = max(0, nextSample - 1)
            vec(slot.adc.pointer + nextSample * stride).update(from: vec(slot.adc.pointer + last * stride), count: C)
            nextSample += 1
        }
        // linear interpolation of the ADC samples onto the model grid t·Δt
        for t in 0..<T {
            let x = Double(t) * c.dt / period
            let k0 = min(sampleCount - 1, Int(x.rounded(.down)))
            let k1 = min(sampleCount - 1, k0 + 1)
            let f = Vec(repeating: Float(x - Double(k0)))
            let a = vec(slot.adc.pointer + k0 * stride), b = vec(slot.adc.pointer + k1 * stride)
            let r = vec(rec + t * stride)
            for k in 0..<C { r[k] = a[k] + f * (b[k] - a[k]) }
        }
    }
    // What the user records: spike times binned onto the model grid (a spike at substep u belongs to the
    // first sample time at or after it, step ⌈u/S⌉; spikes after the last step fall outside the window).
    if let (oi, oo) = observed {
        var m = 0
        for t in 0..<T {
            oo[t] = Int32(m)
            let lo = t == 0 ? 0 : Int(ownOff[(t - 1) * S + 1])
            let hi = Int(ownOff[t * S + 1])
            for e in lo..<hi {
                oi[m] = own[e]
                m += 1
            }
        }
        oo[T] = Int32(m)
    }
}
