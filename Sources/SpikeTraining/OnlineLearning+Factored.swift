import SpikeCore
import SpikeKernels

/// The online rules without e-prop's differentiable-reset term, computed per event instead of per synapse.
///
/// There the membrane eligibility is a presynaptic trace `ε_j` (subtract reset; SuperSpike), or one that a zero reset
/// clears when the postsynaptic neuron spikes; the trace is linear, so the cleared one is
/// `ε_ji[t] = ε_j[t] − β^(t−s−1)·ε_j[s+1]` after the neuron's last spike `s`. The hidden-weight estimate
/// ```
/// G_ji = Σ_t L_i[t]·ē_ji[t] + Σ_t g_i·σ'_i[t]·ε_ji[t],   ē = readout filter of e_ji = σ'_i·ε_ji
///      = Σ_t ε_ji[t] · Q_i[t],   Q_i = σ'_i·(Σ_k B_ki·w_k + g_i),   w_k = adjoint readout filter of ∂ℓ/∂V_k
/// ```
/// is the same sum regrouped: the readout filter moves from each synapse onto the K learning signals (the loss
/// seeds of the whole sample are known once the readout is observed). `ε_j` is a linear filter of row j's events,
/// so per block of steps `Σ_t ε_j[t]·Q[t]` is the block-start state times the adjoint of the filter at the block's
/// start, plus for each event in the block the adjoint one step after it: `O(block·n)` for the adjoint and
/// `O((active rows + events)·n)` per block, instead of `O(rows·n)` trace updates per step. The zero reset adds one
/// correction per postsynaptic spike. Memory `O(block·n + rows·n)`, flat in T; exact up to floating-point order.
extension OnlineLearning {
    /// Steps per block.
    static let factoredBlock = 64

    /// Whether layer `layer`'s eligibility factorizes (see above).
    func factorizes(_ layer: Layer) -> Bool {
        guard factoring else { return false }
        return !(rule == .eprop && layer.parameters.resetGradient == .differentiable)
    }

    /// `w_k[t]` for every output `k` (`[T][K]` into `w`): the adjoint of the readout filter `ē_I ← a_o ē_I + e`,
    /// `ē_V ← b_o ē_V + c_o ē_I` applied to the loss seeds, so that `Σ_t L[t]·ē_V[t] = Σ_t e[t]·w[t]`.
    static func filterSignals(
        seed: UnsafePointer<Float>, seedStride: Int, stepCount T: Int, outputs K: Int, constants k: TraceConstants,
        into w: UnsafeMutablePointer<Float>
    ) {
        for o in 0..<K {
            var gV: Float = 0, gI: Float = 0  // adjoints of ē_V[t+1], ē_I[t+1]
            for t in stride(from: T - 1, through: 0, by: -1) {
                let wt = gI + (k.roSame ? k.co * gV : 0)
                w[t * K + o] = wt
                let nextGV = seed[t * seedStride + o] + k.bo * gV
                gI = k.ao * wt + (k.roSame ? 0 : k.co * gV)
                gV = nextGV
            }
        }
    }

    func hiddenLayerFactored(
        _ net: Network, _ l: Int, _ batch: SpikeBatch, _ obs: Observation, _ s: Int, _ local: Int,
        _ signals: UnsafePointer<Float>, _ Bl: [Float], _ regSignal: [Float], _ surrogate: Surrogate,
        _ sc: inout OnlineScratch, _ grads: inout Gradients
    ) {
        let layer = net.layers[l]
        let n = layer.neuronCount, m = layer.inputCount, T = stepCount, K = net.outputCount
        let th = layer.parameters.vThreshold
        let rec = obs.layers[l]
        let so = rec.spikeSteps(sample: local), sn = rec.spikeIndices(sample: local)
        var most = layer.isRecurrent ? n : 0  // events in one step, at most
        if l == 0 {
            for t in 0..<T { most = max(most, (layer.isRecurrent ? n : 0) + Int(batch.offsets[s * T + t + 1] - batch.offsets[s * T + t])) }
        } else {
            most += m
        }
        var pass = FactoredPass(layer: layer, dt: net.dt, rule: rule, block: Self.factoredBlock, eventsPerStep: most, scratch: &sc)
        let feedback = sc.feedback(Bl), reg = sc.regularizer(regSignal)
        var model = streaming ? ModelMembrane(layer: layer, dt: net.dt, scratch: &sc) : nil
        let sig = sc.sig.pointer
        grads.weights[l].withUnsafeMutableBufferPointer { gw in
            grads.recurrent[l].withUnsafeMutableBufferPointer { gr in
                pass.bind(gw.baseAddress, gr.baseAddress)
                for t in 0..<T {
                    if l == 0 {
                        for k in Int(batch.offsets[s * T + t])..<Int(batch.offsets[s * T + t + 1]) { pass.event(Int(batch.channels[k])) }
                    } else {
                        let below = obs.layers[l - 1]
                        let bo = below.spikeSteps(sample: local), bn = below.spikeIndices(sample: local)
                        for k in Int(bo[t])..<Int(bo[t + 1]) { pass.event(Int(bn[k])) }
                    }
                    if layer.isRecurrent { for k in Int(so[t])..<Int(so[t + 1]) { pass.event(m + Int(sn[k])) } }
                    // σ'(V[t] − ϑ) at the observed (or, streaming, recomputed) membrane
                    let v = model.map { UnsafePointer($0.v) } ?? UnsafePointer(rec.membrane!.pointer + (local * T + t) * rec.stride)
                    backend.surrogateDerivative(surrogate, of: v, threshold: th, count: n, into: sig)
                    pass.step(signals: signals + t * K, outputs: K, feedback: feedback, regularizer: reg, surrogate: sig)
                    for k in Int(so[t])..<Int(so[t + 1]) { pass.spiked(Int(sn[k])) }
                    model?.advance(events: pass.stepEvents, spikes: so, sn, t)
                    pass.endStep()
                }
                pass.finish()
            }
        }
    }
}

/// One sample's pass over a factored hidden layer (see `hiddenLayerFactored`): presynaptic states, the block of `Q`
/// rows and its events, the zero-reset bookkeeping, and the gradient rows it adds to.
struct FactoredPass {
    let rows, m, n, block: Int
    let alpha, beta, gain: Float
    /// Impulse of one event on (ε, preI) one step later, and the preI → ε coupling of the adjoint.
    let e0, p0, coupling: Float
    let clears: Bool
    let pre, eps, preStart, epsStart, q, lamE, lamP, snap, ghost, power: UnsafeMutablePointer<Float>
    let active, isActive, blockEvents: UnsafeMutablePointer<Int32>
    var activeCount = 0, filled = 0, blockEventCount = 0, stepStart = 0
    var gw: UnsafeMutablePointer<Float>? = nil, gr: UnsafeMutablePointer<Float>? = nil

    init(layer: Layer, dt: Double, rule: OnlineRule, block: Int, eventsPerStep: Int, scratch sc: inout OnlineScratch) {
        (n, m, self.block) = (layer.neuronCount, layer.inputCount, block)
        rows = m + (layer.isRecurrent ? n : 0)
        let d = layer.parameters.discretized(dt: dt)
        (alpha, beta, gain) = (Float(d.alpha), Float(d.beta), Float(d.gain))
        let sameStep = layer.parameters.currentTiming == .sameStep
        // eprop/superspike: drive = preI[t+1] (same step) or preI[t]; diagonal: drive = x[t] (same step) or nothing
        e0 = sameStep ? gain : 0
        p0 = rule == .diagonal ? 0 : 1
        coupling = rule == .diagonal ? 0 : gain * (sameStep ? alpha : 1)
        clears = layer.parameters.reset == .zero && rule != .superspike
        sc.prepareFactored(rows: rows, n: n, block: block, events: block * eventsPerStep)
        (pre, eps, preStart, epsStart) = (sc.preI.pointer, sc.epsV.pointer, sc.preStart.pointer, sc.epsStart.pointer)
        (q, lamE, lamP) = (sc.blockQ.pointer, sc.lambdaE.pointer, sc.lambdaP.pointer)
        (snap, ghost, power) = (sc.snapshots.pointer, sc.ghost.pointer, sc.power.pointer)
        (active, isActive, blockEvents) = (sc.activeRows.pointer, sc.isActive.pointer, sc.blockEvents.pointer)
    }

    mutating func bind(_ weights: UnsafeMutablePointer<Float>?, _ recurrent: UnsafeMutablePointer<Float>?) {
        (gw, gr) = (weights, recurrent)
    }

    /// Gradient row of presynaptic row `j`.
    func gradientRow(_ j: Int) -> UnsafeMutablePointer<Float> { j < m ? gw! + j * n : gr! + (j - m) * n }

    /// The rows of the current step's events (one entry per event): `blockEvents[2·e + 1]` for `e` in the range.
    var stepEvents: (pairs: UnsafePointer<Int32>, range: Range<Int>) { (UnsafePointer(blockEvents), stepStart..<blockEventCount) }

    /// An event of presynaptic row `j` at the current step.
    mutating func event(_ j: Int) {
        if isActive[j] == 0 {
            isActive[j] = 1
            if clears { (snap + j * n).update(repeating: 0, count: n) }  // stale from earlier samples
            active[activeCount] = Int32(j)
            activeCount += 1
        }
        blockEvents[2 * blockEventCount] = Int32(filled)
        blockEvents[2 * blockEventCount + 1] = Int32(j)
        blockEventCount += 1
    }

    /// `Q[t] = σ'·(Σ_k B_k·w_k[t] + g)` into the block, and the zero-reset interval sums.
    mutating func step(
        signals w: UnsafePointer<Float>, outputs K: Int, feedback: UnsafePointer<Float>, regularizer: UnsafePointer<Float>,
        surrogate sig: UnsafePointer<Float>
    ) {
        if filled == 0 {
            for k in 0..<activeCount {
                let j = Int(active[k])
                (preStart[j], epsStart[j]) = (pre[j], eps[j])
            }
        }
        let qt = q + filled * n
        qt.update(from: regularizer, count: n)
        for k in 0..<K where w[k] != 0 {
            let wk = w[k], b = feedback + k * n
            for i in 0..<n { qt[i] += wk * b[i] }
        }
        for i in 0..<n { qt[i] *= sig[i] }
        if clears {
            // (power is 0 until the neuron's first spike, so the accumulation needs no branch)
            for i in 0..<n {
                ghost[i] += qt[i] * power[i]
                power[i] *= beta
            }
        }
        // advance the presynaptic states to t+1 (active rows only: the others are zero and received nothing):
        // preI ← α·preI + x;  ε ← β·ε + c·drive, drive = preI[t+1] or preI[t] (diagonal: x or nothing)
        for k in 0..<activeCount {
            let j = Int(active[k])
            let old = pre[j]
            pre[j] = alpha * old
            eps[j] = beta * eps[j] + coupling * old
        }
        for e in stepStart..<blockEventCount {
            let j = Int(blockEvents[2 * e + 1])
            pre[j] += 1
            eps[j] += e0
        }
    }

    /// Postsynaptic neuron `i` spiked at the current step: close its interval, snapshot ε[t+1] for the next one.
    mutating func spiked(_ i: Int) {
        guard clears else { return }
        let a = ghost[i]
        for k in 0..<activeCount {
            let j = Int(active[k])
            if a != 0 { gradientRow(j)[i] -= a * snap[j * n + i] }
            snap[j * n + i] = eps[j]
        }
        (ghost[i], power[i]) = (0, 1)
    }

    mutating func endStep() {
        stepStart = blockEventCount
        filled += 1
        if filled == block { flush() }
    }

    /// Adds the block: the adjoint of (ε, preI) over the block, then block-start states and events times it.
    mutating func flush() {
        guard filled > 0 else { return }
        (lamE + filled * n).update(repeating: 0, count: n)
        (lamP + filled * n).update(repeating: 0, count: n)
        typealias V = SIMD16<Float>
        let (b16, a16, c16) = (V(repeating: beta), V(repeating: alpha), V(repeating: coupling))
        for t in stride(from: filled - 1, through: 0, by: -1) {
            let e = UnsafeMutableRawPointer(lamE + t * n), p = UnsafeMutableRawPointer(lamP + t * n)
            let qt = UnsafeRawPointer(q + t * n)
            let stride = 4 * n  // bytes to the next step's row
            var o = 0
            while o + 64 <= stride {
                let eNext = e.loadUnaligned(fromByteOffset: o + stride, as: V.self)
                let pNext = p.loadUnaligned(fromByteOffset: o + stride, as: V.self)
                e.storeBytes(of: qt.loadUnaligned(fromByteOffset: o, as: V.self) + b16 * eNext, toByteOffset: o, as: V.self)
                p.storeBytes(of: a16 * pNext + c16 * eNext, toByteOffset: o, as: V.self)
                o += 64
            }
            for i in (o / 4)..<n {
                let (en, pn) = ((lamE + t * n)[i + n], (lamP + t * n)[i + n])
                (lamE + t * n)[i] = q[t * n + i] + beta * en
                (lamP + t * n)[i] = alpha * pn + coupling * en
            }
        }
        for k in 0..<activeCount {
            let j = Int(active[k])
            let (es, ps) = (epsStart[j], preStart[j])
            guard es != 0 || ps != 0 else { continue }
            let g = gradientRow(j)
            for i in 0..<n { g[i] += es * lamE[i] + ps * lamP[i] }
        }
        for e in 0..<blockEventCount {
            let after = Int(blockEvents[2 * e]) + 1
            guard after < filled else { continue }
            let g = gradientRow(Int(blockEvents[2 * e + 1]))
            let le = lamE + after * n, lp = lamP + after * n
            for i in 0..<n { g[i] += e0 * le[i] + p0 * lp[i] }
        }
        (filled, blockEventCount, stepStart) = (0, 0, 0)
        for k in 0..<activeCount { (preStart[Int(active[k])], epsStart[Int(active[k])]) = (0, 0) }
    }

    /// The last block, and (zero reset) the intervals still open: `G[j, :] −= ghost ⊙ snapshot[j, :]`.
    mutating func finish() {
        flush()
        guard clears else { return }
        for k in 0..<activeCount {
            let j = Int(active[k])
            let g = gradientRow(j), e = snap + j * n
            for i in 0..<n { g[i] -= ghost[i] * e[i] }
        }
    }
}

/// Streaming: the hidden membrane recomputed from the model driven by the observed spikes (nothing recorded).
struct ModelMembrane {
    let n, m: Int
    let step: NeuronStep<Float>
    let sameStep: Bool
    let reset: ResetMode
    let threshold, vReset: Float
    let weights, recurrent: [Float]
    var current, next: UnsafeMutablePointer<Float>
    let v: UnsafeMutablePointer<Float>

    init(layer: Layer, dt: Double, scratch sc: inout OnlineScratch) {
        (n, m) = (layer.neuronCount, layer.inputCount)
        step = layer.parameters.discretized(dt: dt).step { Float($0) }
        sameStep = layer.parameters.currentTiming == .sameStep
        (reset, threshold, vReset) = (layer.parameters.reset, layer.parameters.vThreshold, layer.parameters.vReset)
        (weights, recurrent) = (layer.weights, layer.recurrentWeights)
        sc.prepareModel(n: n)
        (current, next, v) = (sc.current.pointer, sc.nextCurrent.pointer, sc.vSim.pointer)
        v.update(repeating: step.leak, count: n)
    }

    /// `V[t+1] = reset(β·V[t] + c·I[t+1 or t])` with this step's input events and the observed spikes `S[t]`.
    mutating func advance(events: (pairs: UnsafePointer<Int32>, range: Range<Int>), spikes so: UnsafePointer<Int32>, _ sn: UnsafePointer<Int32>, _ t: Int) {
        typealias V = SIMD16<Float>
        let full = n & ~15
        let vector = NeuronStep<V>(alpha: V(repeating: step.alpha), beta: V(repeating: step.beta), gain: V(repeating: step.gain), leak: V(repeating: step.leak))
        @inline(__always) func ld(_ p: UnsafeMutablePointer<Float>, _ i: Int) -> V { UnsafeRawPointer(p + i).loadUnaligned(as: V.self) }
        @inline(__always) func st(_ x: V, _ p: UnsafeMutablePointer<Float>, _ i: Int) { UnsafeMutableRawPointer(p + i).storeBytes(of: x, as: V.self) }
        for i in stride(from: 0, to: full, by: 16) { st(vector.current(ld(current, i)), next, i) }
        for i in full..<n { next[i] = step.current(current[i]) }
        weights.withUnsafeBufferPointer { w in
            recurrent.withUnsafeBufferPointer { r in
                for e in events.range {
                    let j = Int(events.pairs[2 * e + 1])
                    let row = UnsafeMutablePointer(mutating: j < m ? w.baseAddress! + j * n : r.baseAddress! + (j - m) * n)
                    for i in stride(from: 0, to: full, by: 16) { st(ld(next, i) + ld(row, i), next, i) }
                    for i in full..<n { next[i] += row[i] }
                }
            }
        }
        let drive = sameStep ? next : current
        for i in stride(from: 0, to: full, by: 16) { st(vector.membrane(ld(v, i), drive: ld(drive, i)), v, i) }
        for i in full..<n { v[i] = step.membrane(v[i], drive: drive[i]) }
        for k in Int(so[t])..<Int(so[t + 1]) {
            let i = Int(sn[k])
            v[i] = NeuronStep<Float>.reset(v[i], mode: reset, threshold: threshold, vReset: vReset)
        }
        swap(&current, &next)
    }
}

extension OnlineLearning {
    /// `φ(t)`: what a learning signal of 1 on one readout membrane at every step becomes at step t once filtered
    /// back through the readout's dynamics (the weight of a hidden neuron's eligibility, or of a spike reaching the
    /// readout, at t). With a sum-over-time loss the e-prop update factorizes into `δ_k · Σ_t φ(t)·e(t)`, which is
    /// what lets a plasticity processor accumulate it during a run and apply it once the readout error is known.
    public static func readoutResponse(network: Network, stepCount T: Int) -> [Float] {
        let last = network.layers.last!
        let ro = last.parameters.discretized(dt: network.dt)
        let k = TraceConstants(ao: Float(ro.alpha), bo: Float(ro.beta), co: Float(ro.gain), beta: 0, readoutSameStep: last.parameters.currentTiming == .sameStep)
        let ones = [Float](repeating: 1, count: T)
        var w = [Float](repeating: 0, count: T)
        ones.withUnsafeBufferPointer { s in
            w.withUnsafeMutableBufferPointer { filterSignals(seed: s.baseAddress!, seedStride: 1, stepCount: T, outputs: 1, constants: k, into: $0.baseAddress!) }
        }
        return w
    }
}
