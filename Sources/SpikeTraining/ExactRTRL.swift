import Foundation

/// Exact real-time recurrent learning for the CUBA-LIF networks of this package (Zenke & Neftci 2021, §RTRL).
///
/// The influence of every parameter on every state, `G^t = ∂h^t/∂θ` with `h = (I, V)` of all neurons, is carried
/// forward in time, `G^{t+1} = H^t·G^t + F^t`, here as forward-mode tangents of the same update equations and
/// surrogate as BPTT. The gradient is assembled without storing history: max-over-time keeps the influence of
/// each output at its running maximum, sum-over-time a running sum, spike-count regularizers the running
/// `Σ_t σ'(V[t])·G_V[t]`. Memory is O(#state·#params) and time O(T·#state·#params): a reference for tiny
/// networks that proves the relation of the online approximations to BPTT, not a training method for large
/// ones. Double precision.
public struct ExactRTRL {
    public let network: Network
    public let surrogate: Surrogate

    public init(network: Network, surrogate: Surrogate) {
        precondition(
            !network.layers.contains { $0.isSpiking && $0.parameters.reset == .immediate },
            "exact RTRL models subtract and zero resets, not immediate (NIR) ones")
        self.network = network
        self.surrogate = surrogate
    }

    /// Parameter index ranges per tensor, in `Network.tensorNames` order.
    var parameterCount: Int { network.parameterCount }

    /// Gradient of the batch-mean loss (cross-entropy, activity and weight regularizers) on `batch`,
    /// computed forward in time from what the substrate observes. Returns per-layer weight and recurrent grads.
    public func gradients(_ batch: SpikeBatch, objective: Objective) -> (weights: [[Double]], recurrent: [[Double]], loss: Double) {
        let P = parameterCount
        // parameter offsets
        var wOff: [Int] = [], rOff: [Int] = []
        var off = 0
        for layer in network.layers {
            wOff.append(off)
            off += layer.weights.count
            rOff.append(off)
            off += layer.recurrentWeights.count
        }
        var total = [Double](repeating: 0, count: P)
        var lossSum = 0.0
        let T = batch.stepCount
        let L = network.layers.count
        let regs = objective.regularizers
        for s in 0..<batch.sampleCount {
            // dense input
            var x0 = Array(repeating: Array(repeating: 0.0, count: batch.channelCount), count: T)
            for e in batch.events(ofSample: s) { x0[e.step][e.channel] += 1 }
            // states and tangents: tangent[l][i] is a P-vector
            var I = network.layers.map { [Double](repeating: 0, count: $0.neuronCount) }
            var V = network.layers.map { [Double](repeating: Double($0.parameters.vLeak), count: $0.neuronCount) }  // at rest
            var dI = network.layers.map { Array(repeating: [Double](repeating: 0, count: P), count: $0.neuronCount) }
            var dV = dI
            let K = network.outputCount
            var best = [Double](repeating: -.infinity, count: K)
            var bestG = Array(repeating: [Double](repeating: 0, count: P), count: K)
            var sumV = [Double](repeating: 0, count: K)
            var sumG = Array(repeating: [Double](repeating: 0, count: P), count: K)
            var counts = network.layers.dropLast().map { [Double](repeating: 0, count: $0.neuronCount) }
            var countG = network.layers.dropLast().map { Array(repeating: [Double](repeating: 0, count: P), count: $0.neuronCount) }
            var lastV = [Double](repeating: 0, count: K)
            var lastG = Array(repeating: [Double](repeating: 0, count: P), count: K)
            for t in 0..<T {
                var xIn = x0[t]
                var dxIn: [[Double]] = Array(repeating: [Double](repeating: 0, count: P), count: xIn.count)
                for l in 0..<L {
                    let layer = network.layers[l]
                    let n = layer.neuronCount
                    let d = layer.parameters.discretized(dt: network.dt)
                    let step: NeuronStep<Double> = d.step { $0 }
                    let th = Double(layer.parameters.vThreshold)
                    let spiking = layer.isSpiking
                    // observe: S[t] from V[t]; its tangent through the surrogate
                    var S = [Double](repeating: 0, count: n)
                    var dS = Array(repeating: [Double](repeating: 0, count: P), count: n)
                    if spiking {
                        for i in 0..<n {
                            S[i] = V[l][i] > th ? 1 : 0
                            let g = surrogate.derivative(V[l][i] - th)
                            for p in 0..<P { dS[i][p] = g * dV[l][i][p] }
                            counts[l][i] += S[i]
                            for p in 0..<P { countG[l][i][p] += dS[i][p] }
                        }
                    } else {
                        for k in 0..<n {
                            let v = V[l][k]
                            if v > best[k] {  // running max-over-time and its influence
                                best[k] = v
                                bestG[k] = dV[l][k]
                            }
                            sumV[k] += v
                            for p in 0..<P { sumG[k][p] += dV[l][k][p] }
                            lastV[k] = v
                            lastG[k] = dV[l][k]
                        }
                    }
                    // I[t+1] = α I[t] + Wᵀx[t] + Rᵀ S[t]
                    var In = [Double](repeating: 0, count: n)
                    var dIn = Array(repeating: [Double](repeating: 0, count: P), count: n)
                    for i in 0..<n {
                        var a = step.current(I[l][i])
                        var da = dI[l][i].map { step.current($0) }
                        for j in 0..<layer.inputCount where xIn[j] != 0 || dxIn[j].contains(where: { $0 != 0 }) {
                            let w = Double(layer.weights[j * n + i])
                            a += w * xIn[j]
                            for p in 0..<P { da[p] += w * dxIn[j][p] }
                            da[wOff[l] + j * n + i] += xIn[j]
                        }
                        if layer.isRecurrent {
                            for k in 0..<n {
                                let r = Double(layer.recurrentWeights[k * n + i])
                                a += r * S[k]
                                for p in 0..<P { da[p] += r * dS[k][p] }
                                da[rOff[l] + k * n + i] += S[k]
                            }
                        }
                        In[i] = a
                        dIn[i] = da
                    }
                    // V[t+1] = reset(β V[t] + c·I[t+1 or t])
                    for i in 0..<n {
                        let sameStep = layer.parameters.currentTiming == .sameStep
                        let drive = sameStep ? In[i] : I[l][i]
                        let dDrive = sameStep ? dIn[i] : dI[l][i]
                        let u = step.membrane(V[l][i], drive: drive)
                        var du = [Double](repeating: 0, count: P)
                        for p in 0..<P { du[p] = step.membraneTangent(dV[l][i][p], drive: dDrive[p]) }
                        if spiking {
                            let diff = layer.parameters.resetGradient == .differentiable
                            let vr = Double(layer.parameters.vReset)
                            if layer.parameters.reset == .subtract {
                                V[l][i] = S[i] > 0 ? NeuronStep<Double>.reset(u, mode: .subtract, threshold: th, vReset: vr) : u
                                for p in 0..<P { dV[l][i][p] = du[p] - (diff ? (th - vr) * dS[i][p] : 0) }
                            } else {
                                V[l][i] = S[i] > 0 ? NeuronStep<Double>.reset(u, mode: .zero, threshold: th, vReset: vr) : u
                                for p in 0..<P { dV[l][i][p] = du[p] * (1 - S[i]) - (diff ? u * dS[i][p] : 0) }
                            }
                        } else {
                            V[l][i] = u
                            dV[l][i] = du
                        }
                    }
                    I[l] = In
                    dI[l] = dIn
                    xIn = S
                    dxIn = dS
                }
            }
            // assemble the sample's gradient from the kept influences
            let sc = Double(objective.loss.scale)
            var peak = [Double](repeating: 0, count: K)
            var peakG = Array(repeating: [Double](repeating: 0, count: P), count: K)
            for k in 0..<K {
                switch objective.loss.reduction {
                case .maxOverTime: (peak[k], peakG[k]) = (best[k], bestG[k])
                case .sumOverTime: (peak[k], peakG[k]) = (sumV[k], sumG[k])
                case .lastStep: (peak[k], peakG[k]) = (lastV[k], lastG[k])
                }
            }
            let z = peak.map { $0 * sc }
            let zmax = z.max()!
            let e = z.map { exp($0 - zmax) }
            let sum = e.reduce(0, +)
            let label = Int(batch.labels[s])
            var g = [Double](repeating: 0, count: P)
            lossSum -= log(e[label] / sum)
            let amp = Double(regs.readoutAmplitude)
            for k in 0..<K {
                lossSum += amp * peak[k] * peak[k] / Double(K)
                let dPeak = (e[k] / sum - (k == label ? 1 : 0)) * sc + 2 * amp * peak[k] / Double(K)
                for p in 0..<P { g[p] += dPeak * peakG[k][p] }
            }
            for l in 0..<(L - 1) {
                let n = Double(counts[l].count)
                for i in counts[l].indices {
                    let c = counts[l][i]
                    var dc = 2 * Double(regs.burst) / n * c
                    lossSum += Double(regs.burst) / n * c * c
                    if regs.upperBound != 0, c > Double(regs.upperThreshold) {
                        dc += 2 * Double(regs.upperBound) / n * (c - Double(regs.upperThreshold))
                        lossSum += Double(regs.upperBound) / n * (c - Double(regs.upperThreshold)) * (c - Double(regs.upperThreshold))
                    }
                    if regs.lowerBound != 0, c < Double(regs.lowerThreshold) {
                        dc -= 2 * Double(regs.lowerBound) / n * (Double(regs.lowerThreshold) - c)
                        lossSum += Double(regs.lowerBound) / n * (Double(regs.lowerThreshold) - c) * (Double(regs.lowerThreshold) - c)
                    }
                    if dc != 0 { for p in 0..<P { g[p] += dc * countG[l][i][p] } }
                }
            }
            for p in 0..<P { total[p] += g[p] / Double(batch.sampleCount) }
        }
        var weights: [[Double]] = [], recurrent: [[Double]] = []
        for (l, layer) in network.layers.enumerated() {
            let lambda = Double(l == L - 1 ? regs.readoutL2 : regs.hiddenL2)
            let n = Double(layer.weights.count)
            weights.append((0..<layer.weights.count).map { total[wOff[l] + $0] + 2 * lambda * Double(layer.weights[$0]) / n })
            recurrent.append((0..<layer.recurrentWeights.count).map { total[rOff[l] + $0] })
            lossSum += lambda * layer.weights.reduce(0) { $0 + Double($1) * Double($1) } / n * Double(batch.sampleCount)
        }
        return (weights, recurrent, lossSum / Double(batch.sampleCount))
    }
}
