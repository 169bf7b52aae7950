import Foundation
import SpikeTraining

/// A plain, dense, Double-precision implementation of the network and its BPTT gradient.
///
/// Written independently of the event-driven kernels — a forward "tape" and reverse-mode accumulation op by
/// op — so that it can serve as the oracle twice: against central finite differences on a smooth-spike
/// network, and against the fast Float kernels on the real (Heaviside) network. Not API.
public struct DenseReference {
    /// How spikes are produced in the forward pass.
    public enum SpikeFunction {
        /// `H(V − ϑ)` (strict), with the surrogate in the backward pass.
        case heaviside(Surrogate)
        /// `σ(k·(V − ϑ))`, differentiable; its exact derivative is used backward (finite-difference checks).
        case smooth(steepness: Double)

        func value(_ x: Double) -> Double {
            switch self {
            case .heaviside: return x > 0 ? 1 : 0
            case .smooth(let k): return 1 / (1 + exp(-k * x))
            }
        }

        func derivative(_ x: Double) -> Double {
            switch self {
            case .heaviside(let s): return s.derivative(x)
            case .smooth(let k):
                let s = 1 / (1 + exp(-k * x))
                return k * s * (1 - s)
            }
        }
    }

    public struct LayerTape {
        public var V: [[Double]]  // [T+1][N]
        public var I: [[Double]]  // [T+1][N]
        public var S: [[Double]]  // [T][N]
        public var resetSpikes: [[Double]]  // [T][N] the S used in the reset term
        public var u: [[Double]]  // [T][N] pre-reset membrane
    }

    public var weights: [[Double]]  // per layer [in*out]
    public var recurrent: [[Double]]  // per layer [n*n] or []
    public let network: Network
    public var spike: SpikeFunction

    public init(network: Network, spike: SpikeFunction) {
        self.network = network
        self.spike = spike
        weights = network.layers.map { $0.weights.map(Double.init) }
        recurrent = network.layers.map { $0.recurrentWeights.map(Double.init) }
    }

    /// Dense input `[T][channels]` of one sample.
    public static func denseInput(_ batch: SpikeBatch, sample: Int) -> [[Double]] {
        var x = Array(repeating: Array(repeating: 0.0, count: batch.channelCount), count: batch.stepCount)
        for e in batch.events(ofSample: sample) { x[e.step][e.channel] += 1 }
        return x
    }

    /// Forward pass of one sample. `frozenReset[l]` replaces the reset spikes (detached-reset FD checks).
    public func forward(_ input: [[Double]], frozenReset: [[[Double]]]? = nil) -> [LayerTape] {
        let T = input.count
        var x = input
        var tapes: [LayerTape] = []
        for (l, layer) in network.layers.enumerated() {
            let n = layer.neuronCount
            let nin = layer.inputCount
            let d = layer.parameters.discretized(dt: network.dt)
            let th = Double(layer.parameters.vThreshold)
            let spiking = layer.isSpiking
            var tape = LayerTape(
                V: Array(repeating: Array(repeating: 0, count: n), count: T + 1),
                I: Array(repeating: Array(repeating: 0, count: n), count: T + 1),
                S: Array(repeating: Array(repeating: 0, count: n), count: T),
                resetSpikes: Array(repeating: Array(repeating: 0, count: n), count: T),
                u: Array(repeating: Array(repeating: 0, count: n), count: T))
            for t in 0..<T {
                for i in 0..<n {
                    tape.S[t][i] = spiking ? spike.value(tape.V[t][i] - th) : 0
                    tape.resetSpikes[t][i] = spiking ? (frozenReset?[l][t][i] ?? tape.S[t][i]) : 0
                }
                for i in 0..<n {
                    var a = d.alpha * tape.I[t][i]
                    for j in 0..<nin where x[t][j] != 0 { a += weights[l][j * n + i] * x[t][j] }
                    if layer.isRecurrent { for k in 0..<n { a += recurrent[l][k * n + i] * tape.S[t][k] } }
                    tape.I[t + 1][i] = a
                }
                for i in 0..<n {
                    let drive = layer.parameters.currentTiming == .sameStep ? tape.I[t + 1][i] : tape.I[t][i]
                    let sr = tape.resetSpikes[t][i]
                    if layer.parameters.reset == .immediate {
                        // NIR: integrate from v_reset (0 here) where S[t] = 1
                        tape.u[t][i] = d.beta * tape.V[t][i] + d.gain * drive
                        tape.V[t + 1][i] = d.beta * tape.V[t][i] * (1 - sr) + d.gain * drive
                        continue
                    }
                    let u = d.beta * tape.V[t][i] + d.gain * drive
                    tape.u[t][i] = u
                    tape.V[t + 1][i] = layer.parameters.reset == .subtract ? u - th * sr : u * (1 - sr)
                }
            }
            x = tape.S
            tapes.append(tape)
        }
        return tapes
    }

    /// Loss of one sample (cross-entropy + activity regularizers, not weight L2) and its seeds.
    public func loss(_ tapes: [LayerTape], label: Int, objective: Objective) -> (value: Double, dV: [[Double]], dCount: [[Double]]) {
        let out = tapes.last!
        let T = out.S.count
        let K = network.outputCount
        let sc = Double(objective.loss.scale)
        var peak = [Double](repeating: 0, count: K)
        var at = [Int](repeating: 0, count: K)
        for k in 0..<K {
            switch objective.loss.reduction {
            case .maxOverTime:
                var best = -Double.infinity
                for t in 0..<T where out.V[t][k] > best {
                    best = out.V[t][k]
                    at[k] = t
                }
                peak[k] = best
            case .sumOverTime: peak[k] = (0..<T).reduce(0) { $0 + out.V[$1][k] }
            case .lastStep: peak[k] = out.V[T - 1][k]
            }
        }
        let z = peak.map { $0 * sc }
        let zmax = z.max()!
        let e = z.map { exp($0 - zmax) }
        let sum = e.reduce(0, +)
        let p = e.map { $0 / sum }
        let regs = objective.regularizers
        var value = -log(p[label])
        var dV = Array(repeating: Array(repeating: 0.0, count: K), count: T + 1)
        let amp = Double(regs.readoutAmplitude)
        for k in 0..<K {
            value += amp * peak[k] * peak[k] / Double(K)
            let dPeak = (p[k] - (k == label ? 1 : 0)) * sc + 2 * amp * peak[k] / Double(K)
            switch objective.loss.reduction {
            case .maxOverTime: dV[at[k]][k] += dPeak
            case .sumOverTime: for t in 0..<T { dV[t][k] += dPeak }
            case .lastStep: dV[T - 1][k] += dPeak
            }
        }
        var dCount: [[Double]] = []
        for tape in tapes.dropLast() {
            let n = tape.S[0].count
            var g = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let c = (0..<T).reduce(0) { $0 + tape.S[$1][i] }
                let invN = 1 / Double(n)
                value += Double(regs.burst) * invN * c * c
                g[i] += 2 * Double(regs.burst) * invN * c
                if regs.upperBound != 0, c > Double(regs.upperThreshold) {
                    let d = c - Double(regs.upperThreshold)
                    value += Double(regs.upperBound) * invN * d * d
                    g[i] += 2 * Double(regs.upperBound) * invN * d
                }
                if regs.lowerBound != 0, c < Double(regs.lowerThreshold) {
                    let d = Double(regs.lowerThreshold) - c
                    value += Double(regs.lowerBound) * invN * d * d
                    g[i] -= 2 * Double(regs.lowerBound) * invN * d
                }
            }
            dCount.append(g)
        }
        return (value, dV, dCount)
    }

    /// Weight-L2 value, `λ·mean(W²)` per layer.
    public func weightL2(_ regs: Regularizers) -> Double {
        var v = 0.0
        for l in weights.indices {
            let lambda = Double(l == weights.count - 1 ? regs.readoutL2 : regs.hiddenL2)
            v += lambda * weights[l].reduce(0) { $0 + $1 * $1 } / Double(weights[l].count)
        }
        return v
    }

    /// Mean loss over the batch (plus weight L2): the function finite differences differentiate.
    public func batchLoss(_ batch: SpikeBatch, objective: Objective, frozenReset: [[[[Double]]]]? = nil) -> Double {
        var total = 0.0
        for s in 0..<batch.sampleCount {
            let tapes = forward(Self.denseInput(batch, sample: s), frozenReset: frozenReset?[s])
            total += loss(tapes, label: Int(batch.labels[s]), objective: objective).value
        }
        return total / Double(batch.sampleCount) + weightL2(objective.regularizers)
    }

    /// Reverse-mode gradient of `batchLoss`, op by op over the tape.
    public func gradients(_ batch: SpikeBatch, objective: Objective) -> (weights: [[Double]], recurrent: [[Double]]) {
        var gW = weights.map { [Double](repeating: 0, count: $0.count) }
        var gR = recurrent.map { [Double](repeating: 0, count: $0.count) }
        let B = Double(batch.sampleCount)
        for s in 0..<batch.sampleCount {
            let input = Self.denseInput(batch, sample: s)
            let tapes = forward(input)
            let seeds = loss(tapes, label: Int(batch.labels[s]), objective: objective)
            let T = input.count
            var aXabove: [[Double]]? = nil  // adjoint of this layer's output spikes from the layer above
            for l in stride(from: network.layers.count - 1, through: 0, by: -1) {
                let layer = network.layers[l]
                let n = layer.neuronCount
                let nin = layer.inputCount
                let d = layer.parameters.discretized(dt: network.dt)
                let th = Double(layer.parameters.vThreshold)
                let tape = tapes[l]
                let x = l == 0 ? input : tapes[l - 1].S
                var aV = Array(repeating: Array(repeating: 0.0, count: n), count: T + 1)
                var aI = Array(repeating: Array(repeating: 0.0, count: n), count: T + 2)
                var aS = Array(repeating: Array(repeating: 0.0, count: n), count: T)
                var aX = Array(repeating: Array(repeating: 0.0, count: nin), count: T)
                if !layer.isSpiking {
                    for t in 0..<T { for i in 0..<n { aV[t][i] += seeds.dV[t][i] } }
                } else {
                    for t in 0..<T {
                        for i in 0..<n { aS[t][i] += seeds.dCount[l][i] + (aXabove?[t][i] ?? 0) }
                    }
                }
                let differentiableReset = layer.parameters.resetGradient == .differentiable
                for t in stride(from: T - 1, through: 0, by: -1) {
                    // (1) V[t+1] = reset(u[t], Sr[t]);  u = β·V[t] + c·I[t+1 or t]
                    for i in 0..<n {
                        let a = aV[t + 1][i]
                        var aU = a
                        if layer.isSpiking && layer.parameters.reset == .immediate {
                            // V[t+1] = β·V[t]·(1 − Sr[t]) + c·drive (detached only)
                            aV[t][i] += d.beta * a * (1 - tape.resetSpikes[t][i])
                            if layer.parameters.currentTiming == .sameStep { aI[t + 1][i] += d.gain * a } else { aI[t][i] += d.gain * a }
                            continue
                        }
                        if layer.isSpiking {
                            if layer.parameters.reset == .zero {
                                aU = a * (1 - tape.resetSpikes[t][i])
                                if differentiableReset { aS[t][i] += -a * tape.u[t][i] }
                            } else if differentiableReset {
                                aS[t][i] += -th * a
                            }
                        }
                        aV[t][i] += d.beta * aU
                        if layer.parameters.currentTiming == .sameStep { aI[t + 1][i] += d.gain * aU } else { aI[t][i] += d.gain * aU }
                    }
                    // (2) I[t+1] = α·I[t] + Wᵀx[t] + Rᵀ S[t]
                    for i in 0..<n {
                        let a = aI[t + 1][i]
                        aI[t][i] += d.alpha * a
                        for j in 0..<nin where x[t][j] != 0 {
                            gW[l][j * n + i] += x[t][j] * a / B
                        }
                        for j in 0..<nin { aX[t][j] += weights[l][j * n + i] * a }
                        if layer.isRecurrent {
                            for k in 0..<n {
                                gR[l][k * n + i] += tape.S[t][k] * a / B
                                aS[t][k] += recurrent[l][k * n + i] * a
                            }
                        }
                    }
                    // (3) S[t] = f(V[t] − ϑ)
                    if layer.isSpiking {
                        for i in 0..<n { aV[t][i] += aS[t][i] * spike.derivative(tape.V[t][i] - th) }
                    }
                }
                aXabove = aX
            }
        }
        let regs = objective.regularizers
        for l in weights.indices {
            let lambda = Double(l == weights.count - 1 ? regs.readoutL2 : regs.hiddenL2)
            for i in weights[l].indices { gW[l][i] += 2 * lambda * weights[l][i] / Double(weights[l].count) }
        }
        return (gW, gR)
    }
}

/// Norm-wise relative difference `‖a − b‖ / max(‖a‖, ‖b‖, tiny)`.
public func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "lengths differ: \(a.count) vs \(b.count)")
    var d = 0.0, na = 0.0, nb = 0.0
    for i in a.indices {
        d += (a[i] - b[i]) * (a[i] - b[i])
        na += a[i] * a[i]
        nb += b[i] * b[i]
    }
    return d.squareRoot() / max(na.squareRoot(), nb.squareRoot(), 1e-30)
}
