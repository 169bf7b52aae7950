import Foundation
import SpikeCore
import SpikeKernels

/// Approximations of RTRL that run forward in time with per-synapse eligibility traces (DESIGN §5).
public enum OnlineRule: String, Codable, Sendable, CaseIterable {
    /// Block-diagonal Jacobian: each neuron keeps its own (I, V) dynamics, reset included; coupling through
    /// other neurons' spikes is dropped (e-prop; Bellec et al. 2020, doi:10.1038/s41467-020-17236-y).
    case eprop
    /// Diagonal Jacobian: each state variable keeps only its own decay, so the synaptic current's filtering of
    /// the input is dropped from the membrane's eligibility.
    case diagonal
    /// SuperSpike: presynaptic PSP trace × surrogate, no reset term (Zenke & Ganguli 2018).
    case superspike
}

/// How the readout error reaches hidden neurons.
public enum Feedback: String, Codable, Sendable, CaseIterable {
    /// The transposed readout weights (the last hidden layer; deeper layers fall back to random).
    case symmetric
    /// Fixed random weights, N(0, 1/K) (feedback alignment; Lillicrap et al. 2016).
    case random
    /// All ones (broadcast alignment).
    case uniform
}

/// Online gradient estimates from a substrate's observation: eligibility traces carried forward in time and a
/// learning signal broadcast from the readout error.
///
/// For hidden synapse j→i the eligibility is `e_ji[t] = σ'(V_i[t])·ε_ji[t]`, with `ε = ∂V_i/∂W_ji` inside the
/// neuron's own dynamics (rule-dependent). It is filtered by the readout's own impulse response (two traces,
/// `ē`), so that the estimate is `Σ_t Σ_k (∂ℓ/∂V_k[t])·B_ik·ē_ji[t] + Σ_t (∂ℓ/∂S_i[t])_reg·e_ji[t]`. Readout
/// weights get their exact gradient from presynaptic traces. With symmetric feedback and a single feed-forward
/// hidden layer, `eprop` is exact (nothing is dropped); deeper or recurrent networks lose the cross-neuron terms.
///
/// Learning signals: losses that decompose over time (sum, last step) give `∂ℓ/∂V_k[t]` at every step. For
/// max-over-time the loss depends on each output's peak; the observation (the substrate's forward run, the
/// chip's recording) gives the peak times and values, hence `∂ℓ/∂peak_k`, and the signal is applied at each
/// output's peak time — no stored history is needed beyond the K peak times.
/// - Complexity: memory O(#synapses) per worker, independent of T; time O(T·#synapses) per sample.
public final class OnlineLearning: @unchecked Sendable {
    public let rule: OnlineRule
    public let feedback: Feedback
    let workers: Int
    let stepCount: Int
    private let runner: BatchRunner
    let backend = CPUBackend()
    private let feedbackSeed: UInt64
    private var feedbackMatrices: [[Float]] = []  // per hidden layer [K][n]

    /// Whether hidden membranes are recomputed from the model instead of read from the observation.
    public let streaming: Bool
    /// Whether layers whose eligibility is presynaptic take the factored path (OnlineLearning+Factored); tests turn
    /// it off to compare with the per-synapse traces.
    var factoring = true

    /// - Parameter streaming: for the software substrate only: record just spikes and the readout, and recompute
    ///   each hidden layer's membrane alongside its traces, so that memory does not grow with T (the spike
    ///   lists aside). In the loop the membranes must come from the chip's recording: pass false.
    public init(network: Network, stepCount: Int, workers: Int, chunk: Int, rule: OnlineRule, feedback: Feedback, seed: UInt64 = 0xFEED, streaming: Bool = false) {
        self.rule = rule
        self.feedback = feedback
        self.workers = max(1, workers)
        self.stepCount = stepCount
        self.streaming = streaming
        feedbackSeed = seed
        // Streaming keeps memory flat in T: one sample per observation (its readout trace is the only T-long record).
        runner = BatchRunner(network: network, stepCount: stepCount, workers: self.workers, chunk: streaming ? 1 : chunk, recording: streaming ? .readout : .full)
        var rng = SeededRandom(seed: seed, stream: 0xB)
        let K = network.outputCount
        feedbackMatrices = network.layers.dropLast().map { layer in
            (0..<(K * layer.neuronCount)).map { _ in Float(rng.nextGaussian()) / Float(K).squareRoot() }
        }
    }

    /// Loss, statistics and the online gradient estimate of `objective` on `batch` run on `substrate`.
    public func gradients(network: Network, batch: SpikeBatch, substrate: Substrate, objective: Objective, noiseSeed: UInt64?) throws -> (Gradients, RunStatistics) {
        if let l = network.layers.firstIndex(where: { $0.isSpiking && $0.parameters.reset == .immediate }) {
            throw TrainingError.invalidParameter(
                field: "layers[\(l)].parameters.reset", message: "the online rules model subtract and zero resets; train an immediate (NIR) reset with BPTT")
        }
        let invB = 1 / Float(max(1, batch.sampleCount))
        let B = makeFeedback(network)
        if streaming && !substrate.capabilities.exactMembranes {
            throw TrainingError.invalidParameter(field: "learning", message: "streaming online learning recomputes membranes from the model, which needs a substrate with exact recordings; \(substrate.name) records its own membranes, so run the rule on them (streaming off)")
        }
        typealias WorkerState = (grads: Gradients, scratch: OnlineScratch)
        let (stats, parts) = try runner.run(batch, on: substrate) { _ -> WorkerState in
            (Gradients(zeroLike: network), OnlineScratch(network: network, stepCount: self.stepCount))
        } consume: { obs, samples, part, stats in
            for s in samples {
                sample(network, batch, obs, s, s - samples.lowerBound, objective, invB, B, noiseSeed, &part.scratch, &part.grads, &stats)
            }
        }
        var total = parts.first?.grads ?? Gradients(zeroLike: network)
        for g in parts.dropFirst().map(\.grads) {
            for l in total.weights.indices {
                Self.add(g.weights[l], to: &total.weights[l])
                Self.add(g.recurrent[l], to: &total.recurrent[l])
            }
        }
        return (total, stats)
    }

    private static func add(_ x: [Float], to y: inout [Float]) {
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in for i in yp.indices { yp[i] += xp[i] } } }
    }

    /// Feedback matrices `[K][n]` per hidden layer for the current weights.
    func makeFeedback(_ network: Network) -> [[Float]] {
        let K = network.outputCount
        return network.layers.dropLast().enumerated().map { l, layer in
            let n = layer.neuronCount
            switch feedback {
            case .uniform: return [Float](repeating: 1, count: K * n)
            case .random: return feedbackMatrices[l]
            case .symmetric:
                guard l == network.layers.count - 2 else { return feedbackMatrices[l] }
                let wo = network.layers.last!.weights  // [n][K]
                var b = [Float](repeating: 0, count: K * n)
                for i in 0..<n { for k in 0..<K { b[k * n + i] = wo[i * K + k] } }
                return b
            }
        }
    }

    private func sample(
        _ net: Network, _ batch: SpikeBatch, _ obs: Observation, _ s: Int, _ local: Int, _ objective: Objective, _ invB: Float,
        _ B: [[Float]], _ noiseSeed: UInt64?, _ sc: inout OnlineScratch, _ grads: inout Gradients, _ stats: inout RunStatistics
    ) {
        let T = stepCount
        let L = net.layers.count
        let out = obs.readout
        let K = out.neuronCount
        let label = Int(batch.labels[s])
        let ns = tieBreakSeed(noiseSeed, sample: batch.firstSampleIndex + s)
        let r = objective.loss.evaluate(
            trace: out.membrane!.pointer + local * T * out.stride, stepCount: T, outputs: K, stride: out.stride, label: label,
            amplitude: objective.regularizers.readoutAmplitude, seed: sc.seed.pointer, weight: invB, noiseSeed: ns)
        stats.samples += 1
        stats.lossSum += Double(r.loss)
        if r.predicted == label { stats.correct += 1 }
        let seed = sc.seed.pointer  // [T][out.stride]
        let regs = objective.regularizers
        if net.layers.dropLast().contains(where: factorizes) {
            let ro = net.layers.last!.parameters.discretized(dt: net.dt)
            let k = TraceConstants(
                ao: Float(ro.alpha), bo: Float(ro.beta), co: Float(ro.gain), beta: 0,
                readoutSameStep: net.layers.last!.parameters.currentTiming == .sameStep)
            Self.filterSignals(seed: seed, seedStride: out.stride, stepCount: T, outputs: K, constants: k, into: sc.signals.pointer)
        }
        for l in 0..<(L - 1) {
            let rec = obs.layers[l]
            stats.hiddenSpikes += rec.spikeCount(sample: local)
            // regularizer signal per neuron (constant over time)
            var g = [Float](repeating: 0, count: rec.neuronCount)
            if regs.actsOnCounts {
                var counts = [Float](repeating: 0, count: rec.neuronCount)
                let sn = rec.spikeIndices(sample: local)
                for k in 0..<rec.spikeCount(sample: local) { counts[Int(sn[k])] += 1 }
                counts.withUnsafeBufferPointer { cp in
                    g.withUnsafeMutableBufferPointer { gp in
                        stats.lossSum += Double(regs.countTerms(counts: cp.baseAddress!, n: rec.neuronCount, gradient: gp.baseAddress!, weight: invB))
                    }
                }
            }
            if factorizes(net.layers[l]) {
                hiddenLayerFactored(net, l, batch, obs, s, local, sc.signals.pointer, B[l], g, objective.surrogate, &sc, &grads)
            } else {
                hiddenLayer(net, l, batch, obs, s, local, seed, out.stride, B[l], g, objective.surrogate, &sc, &grads)
            }
        }
        readoutLayer(net, batch, obs, s, local, seed, out.stride, &grads)
    }


    private func hiddenLayer(
        _ net: Network, _ l: Int, _ batch: SpikeBatch, _ obs: Observation, _ s: Int, _ local: Int,
        _ seed: UnsafePointer<Float>, _ seedStride: Int, _ Bl: [Float], _ regSignal: [Float], _ surrogate: Surrogate,
        _ sc: inout OnlineScratch, _ grads: inout Gradients
    ) {
        let layer = net.layers[l]
        let n = layer.neuronCount, m = layer.inputCount
        let T = stepCount
        let K = net.outputCount
        let d = layer.parameters.discretized(dt: net.dt)
        let ro = net.layers.last!.parameters.discretized(dt: net.dt)
        let roSame = net.layers.last!.parameters.currentTiming == .sameStep
        let (alpha, beta, gain) = (Float(d.alpha), Float(d.beta), Float(d.gain))
        let step: NeuronStep<Float> = d.step { Float($0) }
        let (ao, bo, co) = (Float(ro.alpha), Float(ro.beta), Float(ro.gain))
        let th = layer.parameters.vThreshold
        let sameStep = layer.parameters.currentTiming == .sameStep
        let zero = layer.parameters.reset == .zero
        let diff = layer.parameters.resetGradient == .differentiable
        let rec = obs.layers[l]
        let rows = m + (layer.isRecurrent ? n : 0)  // presynaptic rows: inputs, then own neurons
        sc.prepare(rows: rows, n: n)
        let so = rec.spikeSteps(sample: local), sn = rec.spikeIndices(sample: local)
        let anyReg = regSignal.contains { $0 != 0 }
        // per-step vectors
        var x = [Float](repeating: 0, count: rows)
        var sig = [Float](repeating: 0, count: n), L = [Float](repeating: 0, count: n)
        var mask = [Float](repeating: 1, count: n), resetFactor = [Float](repeating: 0, count: n)
        var current = [Float](repeating: 0, count: n), nextCurrent = [Float](repeating: 0, count: n)
        var vSim = [Float](repeating: step.leak, count: n)  // streaming: the model's membrane, recomputed
        var spiking: [Int] = []  // neurons that spiked at t (reused: nothing is allocated in the time loop)
        spiking.reserveCapacity(n)
        let fromModel = streaming
        let W = layer.weights, R = layer.recurrentWeights
        let preI = sc.preI.pointer, epsV = sc.epsV.pointer, barI = sc.barI.pointer, barV = sc.barV.pointer
        grads.weights[l].withUnsafeMutableBufferPointer { gw in
            grads.recurrent[l].withUnsafeMutableBufferPointer { gr in
                for t in 0..<T {
                    // presynaptic activity at t: inputs, then own spikes S[t] (recurrent rows)
                    for j in 0..<rows { x[j] = 0 }
                    if l == 0 {
                        for k in Int(batch.offsets[s * T + t])..<Int(batch.offsets[s * T + t + 1]) { x[Int(batch.channels[k])] += 1 }
                    } else {
                        let below = obs.layers[l - 1]
                        let bo2 = below.spikeSteps(sample: local), bn = below.spikeIndices(sample: local)
                        for k in Int(bo2[t])..<Int(bo2[t + 1]) { x[Int(bn[k])] = 1 }
                    }
                    spiking.removeAll(keepingCapacity: true)
                    for k in Int(so[t])..<Int(so[t + 1]) { spiking.append(Int(sn[k])) }
                    if layer.isRecurrent { for i in spiking { x[m + i] = 1 } }
                    // model current I[t+1] from the observed inputs (needed for the zero-reset term)
                    for i in 0..<n { nextCurrent[i] = step.current(current[i]) }
                    for j in 0..<rows where x[j] != 0 {
                        let row = j < m ? j * n : 0
                        for i in 0..<n { nextCurrent[i] += x[j] * (j < m ? W[row + i] : R[(j - m) * n + i]) }
                    }
                    var anyL = false
                    for i in 0..<n { L[i] = 0 }
                    for k in 0..<K {
                        let e = seed[t * seedStride + k]
                        if e != 0 {
                            anyL = true
                            for i in 0..<n { L[i] += e * Bl[k * n + i] }
                        }
                    }
                    // σ'(V[t] − ϑ) at the observed (or, streaming, recomputed) membrane: the backward pass's kernel
                    sig.withUnsafeMutableBufferPointer { sp in
                        if fromModel {
                            backend.surrogateDerivative(surrogate, of: vSim, threshold: th, count: n, into: sp.baseAddress!)
                        } else {
                            let v = rec.membrane!.pointer + (local * T + t) * rec.stride
                            backend.surrogateDerivative(surrogate, of: v, threshold: th, count: n, into: sp.baseAddress!)
                        }
                    }
                    for i in 0..<n {
                        mask[i] = 1
                        resetFactor[i] = 0
                    }
                    for i in spiking where zero && rule != .superspike { mask[i] = 0 }
                    if rule == .eprop && diff {
                        for i in 0..<n {
                            let v = fromModel ? vSim[i] : rec.membrane(sample: local, step: t, neuron: i)
                            // ∂V[t+1]/∂S[t]: −ϑ (subtract) or −u[t] = −(β·V[t] + c·I[t+1 or t]) (zero)
                            resetFactor[i] = zero ? -step.membrane(v, drive: sameStep ? nextCurrent[i] : current[i]) : -th
                        }
                    }
                    // gradient at t from the traces of V[t], then advance the traces to t+1 (one fused pass)
                    let applyGrad = anyL || anyReg
                    L.withUnsafeBufferPointer { Lp in
                        sig.withUnsafeBufferPointer { sp in
                            mask.withUnsafeBufferPointer { mp in
                                resetFactor.withUnsafeBufferPointer { rp in
                                    regSignal.withUnsafeBufferPointer { gp in
                                        let k = TraceConstants(ao: ao, bo: bo, co: co, beta: beta, readoutSameStep: roSame)
                                        for j in 0..<rows {
                                            let input = x[j]
                                            let oldI = preI[j]
                                            let newI = alpha * oldI + input
                                            preI[j] = newI
                                            let drive: Float = rule == .diagonal ? (sameStep ? input : 0) : (sameStep ? newI : oldI)
                                            let base = j * n
                                            let g = j < m ? gw.baseAddress! + base : gr.baseAddress! + (j - m) * n
                                            backend.traceUpdate(
                                                n: n, epsV: epsV + base, barI: barI + base, barV: barV + base, grad: applyGrad ? g : nil,
                                                L: Lp.baseAddress!, reg: gp.baseAddress!, sig: sp.baseAddress!, mask: mp.baseAddress!,
                                                resetFactor: rp.baseAddress!, drive: gain * drive, k: k)
                                        }
                                    }
                                }
                            }
                        }
                    }
                    if fromModel {
                        // V[t+1] = reset(β·V[t] + c·I[t+1 or t]) with the observed spikes S[t]
                        for i in 0..<n { vSim[i] = step.membrane(vSim[i], drive: sameStep ? nextCurrent[i] : current[i]) }
                        for i in spiking {
                            vSim[i] = NeuronStep<Float>.reset(vSim[i], mode: layer.parameters.reset, threshold: th, vReset: layer.parameters.vReset)
                        }
                    }
                    swap(&current, &nextCurrent)
                }
            }
        }
    }

    /// Readout weights: their exact gradient `Σ_t (∂ℓ/∂V_k[t])·ε_j[t]` from presynaptic PSP traces (ε is the readout's
    /// own filter of row j's input, so nothing is approximated).
    private func readoutLayer(_ net: Network, _ batch: SpikeBatch, _ obs: Observation, _ s: Int, _ local: Int, _ seed: UnsafePointer<Float>, _ seedStride: Int, _ grads: inout Gradients) {
        let L = net.layers.count
        let layer = net.layers[L - 1]
        let m = layer.inputCount, K = layer.neuronCount, T = stepCount
        let step: NeuronStep<Float> = layer.parameters.discretized(dt: net.dt).step { Float($0) }
        let sameStep = layer.parameters.currentTiming == .sameStep
        // the readout's input events: the last hidden layer's spikes (or the input, without hidden layers)
        let (so, sn): (UnsafePointer<Int32>, UnsafePointer<Int32>)
        if L >= 2 {
            (so, sn) = (UnsafePointer(obs.layers[L - 2].spikeSteps(sample: local)), UnsafePointer(obs.layers[L - 2].spikeIndices(sample: local)))
        } else {
            (so, sn) = batch.offsets.withUnsafeBufferPointer { o in batch.channels.withUnsafeBufferPointer { c in (o.baseAddress! + s * T, c.baseAddress ?? emptyIndices) } }
        }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * m) { buf in
            let eI = buf.baseAddress!, eV = eI + m, old = eV + m
            eI.update(repeating: 0, count: 2 * m)
            grads.weights[L - 1].withUnsafeMutableBufferPointer { g in
                for t in 0..<T {
                    for k in 0..<K {
                        let e = seed[t * seedStride + k]
                        if e != 0 { for j in 0..<m { g[j * K + k] += e * eV[j] } }
                    }
                    // eI[t+1] = α·eI[t] + x[t];  eV[t+1] = β·eV[t] + c·(eI[t+1] or eI[t])
                    if !sameStep { old.update(from: eI, count: m) }
                    for j in 0..<m { eI[j] = step.current(eI[j]) }
                    for k in Int(so[t])..<Int(so[t + 1]) { eI[Int(sn[k])] += 1 }
                    let drive = sameStep ? eI : old
                    for j in 0..<m { eV[j] = step.membraneTangent(eV[j], drive: drive[j]) }
                }
            }
        }
    }

}
