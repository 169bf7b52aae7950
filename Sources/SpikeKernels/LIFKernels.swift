import SpikeModel
import SpikeCore
import _CSpikeKernels

typealias Vec = SIMD16<Float>

@inline(__always) func vectors(_ p: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Vec> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Vec.self)
}

@inline(__always) func vectors(_ p: UnsafePointer<Float>) -> UnsafePointer<Vec> {
    UnsafeRawPointer(p).assumingMemoryBound(to: Vec.self)
}

/// Lane bit values for turning a SIMD comparison mask into an integer bit mask.
@usableFromInline let laneBits = SIMD16<UInt32>(
    1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768)

/// Appends the lanes set in `mask` (offset by `base`) to `out`; branch-free per lane, one step per spike.
@inline(__always)
func compact(_ mask: SIMDMask<SIMD16<Int32>>, base: Int32, bits laneBits: SIMD16<UInt32>, into out: UnsafeMutablePointer<Int32>, count n: inout Int) {
    var bits = SIMD16<UInt32>(repeating: 0).replacing(with: laneBits, where: mask).wrappedSum()
    while bits != 0 {
        out[n] = base + Int32(bits.trailingZeroBitCount)
        n += 1
        bits &= bits &- 1
    }
}

/// Event-driven simulation of one layer for one sample, T steps (DESIGN §3, update order in `LIFParameters`).
///
/// Per step: record `V[t]`, emit `S[t] = H(V[t] − ϑ)`, then `I ← α·I + Σ rows of the input events at t`
/// (and recurrent rows of this step's spikes), `V ← β·V + c·I`, and the reset of the neurons that spiked.
/// Each input event adds one weight row; nothing is allocated.
///
/// With `stopWhenQuiet` (inference, nothing recorded) the layer stops once its input has ended and no neuron
/// can reach threshold again: every future `V_i ≤ max(V_i, 0) + c·max(I_i, 0)·min(1/(1−α), 1/(1−β))`.
/// That shortcut is exact, not an approximation.
/// - Returns: the number of spikes written to `spikes` (offsets per step in `spikeOffsets`).
/// - Complexity: O(T·N/16 + events·N/16).
@inline(__always)
func simulateLayer(
    _ p: PackedLayer, stepCount T: Int,
    inputOffsets: UnsafePointer<Int32>, inputIndices: UnsafePointer<Int32>,
    current: UnsafeMutablePointer<Float>, membrane: UnsafeMutablePointer<Float>,
    record: UnsafeMutablePointer<Float>?,
    spikes: UnsafeMutablePointer<Int32>?, spikeOffsets: UnsafeMutablePointer<Int32>?,
    stopWhenQuiet: Bool = false
) -> Int {
    let stride = p.stride
    let C = stride / 16
    let I = vectors(current)
    let V = vectors(membrane)
    // The kernel integrates u = V − v_leak: the same step (`NeuronStep` with leak 0), thresholds and resets
    // shifted by v_leak, and V = u + v_leak where it is recorded — two vector operations fewer per step.
    let leak = p.leak
    let step = p.step
    I.update(repeating: Vec(), count: C)
    V.update(repeating: Vec(), count: C)  // at rest
    let W = UnsafePointer(p.weights.pointer)
    let R = UnsafePointer(p.recurrent?.pointer)
    let thr = Vec(repeating: p.threshold - leak)
    let vReset = p.vReset - leak
    let threshold = p.threshold - leak
    let leakVector = Vec(repeating: leak)
    let spiking = p.kind != .leakyReadout
    let delayed = p.timing == .delayed
    let reset = p.reset
    var n = 0
    // Quiescence test: the last step with input, and the bound factor on the current.
    var lastInput = -1
    if stopWhenQuiet && spiking && record == nil {
        var t = T - 1
        while t >= 0 && inputOffsets[t + 1] == inputOffsets[t] { t -= 1 }
        lastInput = t
    }
    let quietCheck = stopWhenQuiet && spiking && record == nil
    let reach = Vec(repeating: p.gain * min(1 / (1 - p.alpha), 1 / max(1e-6, 1 - p.beta)))
    for t in 0..<T {
        let first = n
        if spiking {
            n += Int(spikeloop_threshold_compress(membrane, Int32(stride), threshold, spikes! + n))
        }
        // Stored after compaction: a store just before it to an address at the same offset within a page as a
        // vector of V (4K aliasing) stalled that vector's load; the placement of buffers decides, so avoid it.
        spikeOffsets?[t] = Int32(first)
        // Recorded after the spikes are read: compress's loads of V must not follow stores to a record row that
        // may sit at the same offset within a page (4K aliasing cost 2.5× in compress when it did).
        if let rec = record {
            let r = vectors(rec + t * stride)
            if leak == 0 {
                for c in 0..<C { r[c] = V[c] }
            } else {
                for c in 0..<C { r[c] = V[c] + leakVector }
            }
        }
        if quietCheck && t > lastInput && n == first {
            var reachable = Vec() .> Vec()
            let zero = Vec()
            for c in 0..<C {
                var v = V[c]
                v.replace(with: zero, where: v .< zero)
                var i = I[c]
                i.replace(with: zero, where: i .< zero)
                reachable .|= v + i * reach .>= thr
            }
            if !any(reachable) {
                for u in (t + 1)...T { spikeOffsets?[u] = Int32(n) }
                return n
            }
        }
        if reset == .immediate && n > first {
            // NIR's reset: the neurons that spiked integrate this step from v_reset.
            for k in first..<n { membrane[Int(spikes![k])] = vReset }
        }
        if delayed {
            for c in 0..<C {
                V[c] = step.membraneAboveRest(V[c], drive: I[c])
                I[c] = step.current(I[c])
            }
        } else {
            for c in 0..<C { I[c] = step.current(I[c]) }
        }
        addRows(W, stride: stride, indices: inputIndices, events: Int(inputOffsets[t])..<Int(inputOffsets[t + 1]), into: current)
        if let R = R, n > first {
            addRows(R, stride: stride, indices: UnsafePointer(spikes!), events: first..<n, into: current)
        }
        if !delayed {
            for c in 0..<C { V[c] = step.membraneAboveRest(V[c], drive: I[c]) }
        }
        if reset != .immediate && n > first {
            for k in first..<n {
                let i = Int(spikes![k])
                membrane[i] = NeuronStep<Float>.reset(membrane[i], mode: reset, threshold: threshold, vReset: vReset)
            }
        }
    }
    spikeOffsets?[T] = Int32(n)
    return n
}

/// Per-worker scratch for the backward pass of one sample: adjoints `λI[0...T]`, rolling `λV`, and
/// the spike-adjoint input `G[t]` that the layer above hands down. Allocated once per worker.
package final class BackwardScratch {
    package let lambdaI: [FloatBuffer]  // per layer [(T+1)][stride]
    package let lambdaV: [FloatBuffer]  // per layer 3 rolling rows of stride
    package let spikeGrad: [FloatBuffer]  // per layer [T][stride] (unused for readout)
    package let seed: FloatBuffer  // readout dℓ/dV[t], [T][strideOut]
    package let countGrad: [FloatBuffer]  // per layer [stride]: regularizer dℓ/dS (constant over t)
    package let currentTrace: [FloatBuffer]  // per layer [(T+1)][stride], only for differentiable zero reset
    package let gradW: [FloatBuffer]  // per layer [inputCount][stride]
    package let gradR: [FloatBuffer?]
    package let grouping = EventGrouping()
    /// With dropout, per layer: the keep mask `[stride]` and the spikes that reached the next layer.
    package let keep: [FloatBuffer]
    package let sentIndices: [Int32Buffer]
    package let sentOffsets: [Int32Buffer]

    package init(_ net: PackedNetwork, stepCount T: Int, dropout: Bool = false) {
        lambdaI = net.layers.map { FloatBuffer(count: (T + 2) * $0.stride) }
        lambdaV = net.layers.map { FloatBuffer(count: 3 * $0.stride) }
        spikeGrad = net.layers.map { FloatBuffer(count: T * $0.stride) }
        seed = FloatBuffer(count: T * net.layers.last!.stride)
        countGrad = net.layers.map { FloatBuffer(count: $0.stride) }
        currentTrace = net.layers.map {
            FloatBuffer(count: $0.reset == .zero && $0.resetGradient == .differentiable ? (T + 1) * $0.stride : 0)
        }
        gradW = net.layers.map { FloatBuffer(count: $0.inputCount * $0.stride) }
        gradR = net.layers.map { $0.recurrent == nil ? nil : FloatBuffer(count: $0.neuronCount * $0.stride) }
        // Allocated only with dropout: FloatBuffers are coloured by allocation order (see FloatBuffer), and
        // unused buffers would shift the colours of every buffer allocated after them.
        keep = dropout ? net.layers.map { l in FloatBuffer(count: l.stride) } : []
        sentIndices = net.layers.map { l in Int32Buffer(count: dropout ? T * l.neuronCount + 16 : 0, initialized: false) }
        sentOffsets = net.layers.map { _ in Int32Buffer(count: dropout ? T + 1 : 0) }
    }
}

/// Reverse-time adjoint recursion of one layer for one sample (hand-derived BPTT, DESIGN §1, §3).
///
/// With observed `V[t]`, `S[t]` and `m[t] = 1 − S[t]` for zero reset (else 1), from `t = tEnd−1` down to 0:
/// ```
/// λI[t+1] = α·λI[t+2] + c·m·λV[t+1]            (same-step)   or  c·m[t+1]·λV[t+2]   (delayed)
/// gS[t]   = G[t] + g_count + R·λI[t+1] (+ reset term if differentiable)
/// λV[t]   = gS[t]·σ'(V[t] − ϑ) + β·m[t]·λV[t+1]   (readout: dℓ/dV[t] + β·λV[t+1])
/// dW[j,:] += λI[t+1] for every input event (t, j);   dR[i,:] += λI[t+1] for every own spike (t, i)
/// ```
/// `λI` is kept for all steps (the layer below needs `W·λI[t+1]`); `λV` rolls through three rows.
@inline(__always)
func backwardLayerKernel<K: SurrogateKernel>(_ p: PackedLayer, surrogate: K, stepCount T: Int, endStep tEnd: Int, _ io: BackwardLayerIO) {
    let (membrane, spikeNeurons, spikeOffsets) = (io.membrane, io.spikeNeurons, io.spikeOffsets)
    let (inputOffsets, inputIndices) = (io.input.offsets, io.input.indices)
    let (spikeGrad, above, keep, countGrad, seed) = (io.spikeGrad, io.above, io.keep, io.countGrad, io.seed)
    let (currentTrace, lambdaI, lambdaV, gradW, gradR) = (io.currentTrace, io.lambdaI, io.lambdaV, io.gradW, io.gradR)
    let stride = p.stride
    let C = stride / 16
    let alpha = Vec(repeating: p.alpha)
    let beta = Vec(repeating: p.beta)
    let gain = Vec(repeating: p.gain)
    let thr = Vec(repeating: p.threshold)
    let spiking = p.kind != .leakyReadout
    let delayed = p.timing == .delayed
    let zeroReset = p.reset == .zero && spiking
    // An immediate (NIR) reset cuts V[t] out of V[t+1] (λV masked like `zero`) but keeps the drive (λI untouched).
    let cutsMembrane = (p.reset == .zero || p.reset == .immediate) && spiking
    let diffReset = p.resetGradient == .differentiable && spiking
    let gainS = p.gain
    let betaS = p.beta
    // λI rows tEnd ... T+1 must read as zero; λV rows for t+1, t+2 start at zero.
    let L = lambdaI
    (L + tEnd * stride).update(repeating: 0, count: (T + 2 - tEnd) * stride)
    lambdaV.update(repeating: 0, count: 3 * stride)
    var rowNext = lambdaV  // λV[t+1]
    var rowNext2 = lambdaV + stride  // λV[t+2]
    var rowCur = lambdaV + 2 * stride  // λV[t]
    let RT = UnsafePointer(p.recurrentTransposed?.pointer)
    var t = tEnd - 1
    while t >= 0 {
        // 1. λI[t+1]
        let Lt1 = vectors(L + (t + 1) * stride)
        let Lt2 = vectors(UnsafePointer(L + (t + 2) * stride))
        let src = vectors(UnsafePointer(delayed ? rowNext2 : rowNext))
        for c in 0..<C { Lt1[c] = alpha * Lt2[c] + gain * src[c] }
        if zeroReset {
            let ts = delayed ? t + 1 : t
            if ts < T {
                let srcS = delayed ? rowNext2 : rowNext
                for k in Int(spikeOffsets![ts])..<Int(spikeOffsets![ts + 1]) {
                    let i = Int(spikeNeurons![k])
                    L[(t + 1) * stride + i] -= gainS * srcS[i]
                }
            }
        }
        // 2. (the weight gradients of the events at t are summed per row after the loop)
        // 3. λV[t]
        let cur = vectors(rowCur)
        let nxt = vectors(UnsafePointer(rowNext))
        if spiking {
            let v = vectors(membrane! + t * stride)
            if let a = above {
                // G[t] = W·λI_above[t+1] on the fly for a small layer above (the readout): K broadcasts × C.
                let la = a.lambdaI + (t + 1) * a.stride
                for c in 0..<C { cur[c] = Vec() }
                for k in 0..<a.count {
                    let lk = la[k]
                    if lk == 0 { continue }
                    let w = vectors(a.weightsT + k * stride)
                    let l = Vec(repeating: lk)
                    for c in 0..<C { cur[c] += l * w[c] }
                }
            } else {
                let G = vectors(spikeGrad! + t * stride)
                for c in 0..<C { cur[c] = G[c] }
            }
            if let kp = keep {
                let kv = vectors(kp)
                for c in 0..<C { cur[c] *= kv[c] }
            }
            if let cg = countGrad {
                let cgv = vectors(cg)
                for c in 0..<C { cur[c] += cgv[c] }
            }
            if let RT = RT {
                // gS += R·λI[t+1]: row i of R holds neuron i's outgoing synapses, so (R·λ)_i = Σ_k R[i,k] λ_k,
                // formed as Σ_k λ_k · (row k of Rᵀ).
                addTransposedProduct(rows: RT, count: p.neuronCount, stride: stride, x: L + (t + 1) * stride, into: rowCur)
            }
            if diffReset {
                if zeroReset {
                    // ∂V[t+1]/∂S[t] = −u[t], u[t] = β·V[t] + c·I[t+1−δ]
                    let it = vectors(currentTrace! + (delayed ? t : t + 1) * stride)
                    let step = p.step
                    for c in 0..<C { cur[c] -= step.membrane(v[c], drive: it[c]) * nxt[c] }
                } else {
                    for c in 0..<C { cur[c] -= thr * nxt[c] }
                }
            }
            for c in 0..<C {
                cur[c] = cur[c] * surrogate(v[c] - thr) + beta * nxt[c]
            }
            if cutsMembrane {
                for k in Int(spikeOffsets![t])..<Int(spikeOffsets![t + 1]) {
                    let i = Int(spikeNeurons![k])
                    rowCur[i] -= betaS * rowNext[i]
                }
            }
        } else {
            let d = vectors(seed! + t * stride)
            for c in 0..<C { cur[c] = d[c] + beta * nxt[c] }
        }
        // rotate: t+2 ← t+1, t+1 ← t
        let old2 = rowNext2
        rowNext2 = rowNext
        rowNext = rowCur
        rowCur = old2
        t -= 1
    }
    // dW[j,:] += λI[t+1] for every input event (t, j); dR[i,:] += λI[t+1] for every own spike (t, i).
    io.grouping.accumulate(
        offsets: inputOffsets, indices: inputIndices, endStep: tEnd, rowCount: p.inputCount, adjoints: L, stride: stride,
        into: gradW)
    if spiking, RT != nil, let so = spikeOffsets, let sn = spikeNeurons, let gradR {
        io.grouping.accumulate(
            offsets: so, indices: sn, endStep: tEnd, rowCount: p.neuronCount, adjoints: L, stride: stride, into: gradR)
    }
}

/// Reconstructs the synaptic-current trace `I[0...T]` of a layer from its input events and its own
/// observed spikes (DESIGN §1: unobserved states come from the model driven by the observed spikes).
func reconstructCurrent(
    _ p: PackedLayer, stepCount T: Int, inputOffsets: UnsafePointer<Int32>, inputIndices: UnsafePointer<Int32>,
    spikeNeurons: UnsafePointer<Int32>?, spikeOffsets: UnsafePointer<Int32>?, into trace: UnsafeMutablePointer<Float>
) {
    let stride = p.stride
    let C = stride / 16
    let step = p.step
    vectors(trace).update(repeating: Vec(), count: C)
    for t in 0..<T {
        let prev = vectors(UnsafePointer(trace + t * stride))
        let next = vectors(trace + (t + 1) * stride)
        for c in 0..<C { next[c] = step.current(prev[c]) }
        addRows(p.weights.pointer, stride: stride, indices: inputIndices, events: Int(inputOffsets[t])..<Int(inputOffsets[t + 1]), into: trace + (t + 1) * stride)
        if let R = p.recurrent?.pointer, let so = spikeOffsets, let sn = spikeNeurons {
            addRows(R, stride: stride, indices: sn, events: Int(so[t])..<Int(so[t + 1]), into: trace + (t + 1) * stride)
        }
    }
}
