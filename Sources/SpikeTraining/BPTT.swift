import SpikeCore
import SpikeKernels

/// Backpropagation through time on a substrate's observations (hand-derived adjoints, no autodiff).
///
/// The substrate records a chunk of samples; the backward pass reads only that observation — the observed
/// membrane feeds the surrogate, observed spikes drive the model's currents — so software and
/// in-the-loop training are one code path (DESIGN §1). Work is split over the batch; each worker owns
/// its observation, adjoint buffers and gradient accumulators, reduced in a fixed order afterwards.
public final class BPTT: @unchecked Sendable {
    public let workers: Int
    let stepCount: Int
    private let backend = CPUBackend()
    private var packed: PackedNetwork
    private var shape: [(Int, Int, Bool)]
    private var scratch: [BackwardScratch]
    private let runner: BatchRunner
    private var counts: [FloatBuffer]

    /// Probability that a hidden neuron's output is dropped for a sample during training (unit dropout on
    /// hidden spikes: the neuron still fires and resets, the next layer does not receive its spikes).
    public let dropout: Float

    public init(network: Network, stepCount: Int, workers: Int, chunk: Int, dropout: Float = 0) {
        self.dropout = dropout
        self.workers = max(1, workers)
        self.stepCount = stepCount
        packed = PackedNetwork(network)
        shape = network.layers.map { ($0.inputCount, $0.neuronCount, $0.isRecurrent) }
        scratch = (0..<self.workers).map { _ in BackwardScratch(PackedNetwork(network), stepCount: stepCount, dropout: dropout > 0) }
        runner = BatchRunner(network: network, stepCount: stepCount, workers: self.workers, chunk: chunk, recording: .full)
        counts = (0..<self.workers).map { _ in FloatBuffer(count: network.layers.map { neuronStride($0.neuronCount) }.max()!) }
    }

    /// The dropout of a batch seeded with `noiseSeed` (nil without dropout).
    func hiddenDropout(noiseSeed: UInt64?) -> HiddenDropout? {
        dropout > 0 ? HiddenDropout(probability: dropout, seed: (noiseSeed ?? 0) ^ 0xD209_0D7A) : nil
    }

    /// Loss, statistics and gradients of `objective` on `batch`, run on `substrate` (already loaded with `network`).
    ///
    /// Gradients are of the batch-mean loss. Weight L2 terms are added by the trainer.
    /// - Parameter noiseSeed: seeds the max-over-time tie-break noise and the dropout masks (nil: none).
    public func gradients(
        network: Network, batch: SpikeBatch, substrate: Substrate, objective: Objective, noiseSeed: UInt64?
    ) throws -> (Gradients, RunStatistics) {
        try accumulate(network: network, batch: batch, substrate: substrate, objective: objective, noiseSeed: noiseSeed, projection: nil)
    }

    /// ``gradients(network:batch:substrate:objective:noiseSeed:)``, or with `projection` the pullback of the readout
    /// logits along the caller's vectors (the loss is not evaluated then).
    func accumulate(
        network: Network, batch: SpikeBatch, substrate: Substrate, objective: Objective, noiseSeed: UInt64?, projection: OutputProjection?
    ) throws -> (Gradients, RunStatistics) {
        precondition(batch.stepCount == stepCount, "batch has \(batch.stepCount) steps, engine was built for \(stepCount)")
        precondition(network.layers.map { ($0.inputCount, $0.neuronCount, $0.isRecurrent) }.elementsEqual(shape, by: ==), "network shape changed")
        packed = backend.upload(network, reusing: packed)
        let invB = 1 / Float(max(1, batch.sampleCount))
        let drop = hiddenDropout(noiseSeed: noiseSeed)
        if drop != nil && !substrate.capabilities.dropout {
            throw TrainingError.invalidParameter(field: "dropout", message: "substrate \(substrate.name) cannot drop hidden spikes during a run")
        }
        let w = runner.workerCount(batch, substrate)
        let (total, _) = try runner.run(batch, on: substrate, options: RunOptions(dropout: drop)) { worker -> Int in
            let sc = scratch[worker]
            for (l, p) in packed.layers.enumerated() {
                sc.gradW[l].zero(p.inputCount * p.stride)
                sc.gradR[l]?.zero(p.neuronCount * p.stride)
            }
            return worker
        } consume: { obs, samples, worker, st in
            for s in samples {
                backwardSample(
                    sample: s, local: s - samples.lowerBound, batch: batch, observation: obs, objective: objective, invB: invB,
                    scratch: scratch[worker], counts: counts[worker], dropout: drop, noiseSeed: tieBreakSeed(noiseSeed, sample: batch.firstSampleIndex + s),
                    projection: projection, stats: &st)
            }
        }
        return (reduceGradients(network, workers: w), total)
    }

    /// Sums the workers' padded gradient buffers into the network's layout, in worker order.
    private func reduceGradients(_ network: Network, workers w: Int) -> Gradients {
        var grads = Gradients(zeroLike: network)
        for (l, p) in packed.layers.enumerated() {
            let n = p.neuronCount
            grads.weights[l].withUnsafeMutableBufferPointer { g in
                for wk in 0..<w {
                    let src = scratch[wk].gradW[l].pointer
                    for j in 0..<p.inputCount {
                        let row = src + j * p.stride
                        let dst = g.baseAddress! + j * n
                        for i in 0..<n { dst[i] += row[i] }
                    }
                }
            }
            if p.recurrent != nil {
                grads.recurrent[l].withUnsafeMutableBufferPointer { g in
                    for wk in 0..<w {
                        let src = scratch[wk].gradR[l]!.pointer
                        for j in 0..<n {
                            for i in 0..<n { g[j * n + i] += src[j * p.stride + i] }
                        }
                    }
                }
            }
        }
        return grads
    }

    private func backwardSample(
        sample s: Int, local: Int, batch: SpikeBatch, observation obs: Observation, objective: Objective, invB: Float,
        scratch sc: BackwardScratch, counts: FloatBuffer, dropout: HiddenDropout?, noiseSeed: UInt32?, projection: OutputProjection?,
        stats: inout RunStatistics
    ) {
        let T = stepCount
        let L = packed.layers.count
        let out = packed.layers[L - 1]
        let label = Int(batch.labels[s])
        let trace = obs.layers[L - 1].membrane!.pointer + local * T * out.stride
        let regs = objective.regularizers
        var r: (loss: Float, predicted: Int, endStep: Int)
        if let pj = projection {
            r = pj.seed(sample: s, local: local, trace: trace, loss: objective.loss, stepCount: T, outputs: out.neuronCount, stride: out.stride,
                        seed: sc.seed.pointer, observation: obs)
        } else {
            r = objective.loss.evaluate(
                trace: trace, stepCount: T, outputs: out.neuronCount, stride: out.stride, label: label,
                amplitude: regs.readoutAmplitude, seed: sc.seed.pointer, weight: invB, noiseSeed: noiseSeed)
        }
        stats.samples += 1
        stats.lossSum += Double(r.loss)
        if r.predicted == label { stats.correct += 1 }
        var regValue: Float = 0
        for l in 0..<(L - 1) {
            let n = stats.hiddenSpikes
            stats.hiddenSpikes = n + obs.layers[l].spikeCount(sample: local)
        }
        if let d = dropout {
            // The spikes each layer received: recomputed from the seeded mask, as the substrate applied it.
            for l in 0..<(L - 1) {
                let p = packed.layers[l], rec = obs.layers[l]
                d.fillMask(sample: batch.firstSampleIndex + s, layer: l, neuronCount: p.neuronCount, stride: p.stride, into: sc.keep[l].pointer)
                HiddenDropout.filter(
                    stepCount: T, offsets: rec.spikeSteps(sample: local), indices: rec.spikeIndices(sample: local),
                    mask: sc.keep[l].pointer, sentOffsets: sc.sentOffsets[l].pointer, sentIndices: sc.sentIndices[l].pointer)
            }
        }
        /// The input events of layer `l` (offsets `[T+1]`, indices): what it received.
        func received(_ l: Int) -> (UnsafePointer<Int32>, UnsafePointer<Int32>) {
            if dropout != nil { return (UnsafePointer(sc.sentOffsets[l].pointer), UnsafePointer(sc.sentIndices[l].pointer)) }
            return (UnsafePointer(obs.layers[l].spikeSteps(sample: local)), UnsafePointer(obs.layers[l].spikeIndices(sample: local)))
        }
        var tEnd = r.endStep
        let countsOn = regs.actsOnCounts
        for l in stride(from: L - 1, through: 0, by: -1) {
            let p = packed.layers[l]
            let rec = obs.layers[l]
            let spiking = p.kind != .leakyReadout
            var countGrad: UnsafePointer<Float>? = nil
            var layerEnd = tEnd
            if spiking {
                if countsOn {
                    counts.zero(p.stride)
                    let sn = rec.spikeIndices(sample: local)
                    for k in 0..<rec.spikeCount(sample: local) { counts.pointer[Int(sn[k])] += 1 }
                    regValue += regs.countTerms(counts: counts.pointer, n: p.neuronCount, gradient: sc.countGrad[l].pointer, weight: invB)
                    countGrad = UnsafePointer(sc.countGrad[l].pointer)
                    if layerEnd < T {
                        // G rows beyond what the layer above produced are stale: clear them.
                        (sc.spikeGrad[l].pointer + layerEnd * p.stride).update(repeating: 0, count: (T - layerEnd) * p.stride)
                    }
                    layerEnd = T
                }
            }
            let inputOffsets: UnsafePointer<Int32>
            if l == 0 {
                inputOffsets = batch.offsets.withUnsafeBufferPointer { $0.baseAddress! } + s * T
            } else {
                inputOffsets = received(l - 1).0
            }
            let body = { (inputIndices: UnsafePointer<Int32>) in
                rec.isSpiking
                    ? self.backwardLayerDispatch(
                        p, objective.surrogate, T, layerEnd, rec, local, UnsafePointer(rec.spikeIndices(sample: local)),
                        UnsafePointer(rec.spikeSteps(sample: local)), inputOffsets, inputIndices, countGrad, sc, l, dropout != nil)
                    : self.backwardLayerDispatch(p, objective.surrogate, T, layerEnd, rec, local, nil, nil, inputOffsets, inputIndices, countGrad, sc, l, false)
            }
            if l == 0 {
                batch.channels.withUnsafeBufferPointer { body($0.baseAddress ?? emptyIndices) }
            } else {
                body(received(l - 1).1)
            }
            if l > 0 && packed.layers[l].transposed != nil {
                // the layer below forms W·λI on the fly (see backwardLayer's `above`)
            } else if l > 0 && layerEnd > 0 {
                // G_{l−1}[t] = W_l · λI_l[t+1] for t < layerEnd (one GEMM over time)
                let below = packed.layers[l - 1]
                BLAS.gemm(
                    m: layerEnd, n: below.neuronCount, k: p.stride,
                    a: sc.lambdaI[l].pointer + p.stride, lda: p.stride,
                    b: p.weights.pointer, ldb: p.stride, transposeB: true,
                    beta: 0, c: sc.spikeGrad[l - 1].pointer, ldc: below.stride)
            } else if l > 0 {
                sc.spikeGrad[l - 1].zero(T * packed.layers[l - 1].stride)
            }
            tEnd = layerEnd
        }
        stats.lossSum += Double(regValue)
    }

    @inline(__always)
    private func backwardLayerDispatch(
        _ p: PackedLayer, _ surrogate: Surrogate, _ T: Int, _ tEnd: Int, _ rec: LayerRecord, _ local: Int,
        _ spikeNeurons: UnsafePointer<Int32>?, _ spikeOffsets: UnsafePointer<Int32>?,
        _ inputOffsets: UnsafePointer<Int32>, _ inputIndices: UnsafePointer<Int32>, _ countGrad: UnsafePointer<Float>?,
        _ sc: BackwardScratch, _ l: Int, _ dropped: Bool
    ) {
        let spiking = p.kind != .leakyReadout
        let input = LayerEvents(offsets: inputOffsets, indices: inputIndices)
        var io = BackwardLayerIO(
            membrane: rec.membrane.map { UnsafePointer($0.pointer + local * T * p.stride) },
            spikeNeurons: spikeNeurons, spikeOffsets: spikeOffsets, input: input,
            lambdaI: sc.lambdaI[l].pointer, lambdaV: sc.lambdaV[l].pointer, gradW: sc.gradW[l].pointer, gradR: sc.gradR[l]?.pointer, grouping: sc.grouping)
        if spiking && p.reset == .zero && p.resetGradient == .differentiable {
            let own = spikeOffsets.map { LayerEvents(offsets: $0, indices: spikeNeurons!) }
            backend.reconstructCurrent(layer: l, of: packed, stepCount: T, input: input, spikes: own, into: sc.currentTrace[l].pointer)
            io.currentTrace = UnsafePointer(sc.currentTrace[l].pointer)
        }
        if spiking, l + 1 < packed.layers.count, let tr = packed.layers[l + 1].transposed {
            let up = packed.layers[l + 1]
            io.above = (UnsafePointer(sc.lambdaI[l + 1].pointer), UnsafePointer(tr.pointer), up.neuronCount, up.stride)
        }
        io.spikeGrad = spiking ? UnsafePointer(sc.spikeGrad[l].pointer) : nil
        io.keep = dropped ? UnsafePointer(sc.keep[l].pointer) : nil
        io.countGrad = countGrad
        io.seed = spiking ? nil : UnsafePointer(sc.seed.pointer)
        backend.backward(layer: l, of: packed, stepCount: T, endStep: tEnd, surrogate: surrogate, io)
    }
}

/// The max-over-time tie-break noise seed of sample `s` in a batch seeded with `base` (nil: no noise).
func tieBreakSeed(_ base: UInt64?, sample s: Int) -> UInt32? {
    base.map { UInt32(truncatingIfNeeded: $0 &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(s) &* 0xBF58_476D_1CE4_E5B9 >> 17) }
}
