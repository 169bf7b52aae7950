import Foundation
import SpikeModel

/// SpikeLoop `Network` → NIR graph.
///
/// Layer `l` becomes `linear.l` (`Linear`, weight `[out, in]`), its neurons `neurons.l` (`CubaLIF`, `LIF` or `IF`;
/// the readout `CubaLI` or `LI`) and, for a recurrent layer, `recurrent.l` with edges `neurons.l → recurrent.l →
/// neurons.l`. Parameters are NIR's: `r` and `w_in = 1` are chosen so that NIR's canonical step at the network's
/// `dt` applies SpikeLoop's gain (`c = r_NIR·(1 − β)·k_s`, `k_s = dt/τ_s` for Euler layers, `1 − α` for exact
/// ones; IF `r_NIR = r/dt`). What NIR cannot say — reset by subtraction, the delayed current, exact decays — is
/// kept in each neuron node's metadata (`spikeloop.parameters`, the `NeuronParameters` JSON), and the graph's
/// metadata holds `producer = spikeloop` and `spikeloop.dt`, so SpikeLoop re-imports the network exactly.
/// Other tools see the nearest NIR model: the same network where the layers are Euler with NIR's (immediate)
/// reset, an approximation otherwise.
public enum NIRExporter {
    /// - Parameter target: ``NIRExportTarget/nir`` (NIR's own parameters) or ``NIRExportTarget/snntorch`` (what
    ///   snnTorch 1.0's `import_from_nir` accepts; see ``snntorchNeurons(_:dt:)``).
    public static func graph(of network: Network, target: NIRExportTarget = .nir) throws -> NIRGraph {
        do { try network.validate() } catch { throw NIRError(.notExpressible, "the network is invalid: \(error)") }
        var g = NIRGraph(metadata: ["producer": "spikeloop", "spikeloop.dt": "\(network.dt)"])
        g["input"] = NIRNode(
            .input, ["shape": NIRTensor(shape: [1], values: [Double(network.inputCount)], dtype: .int64)])
        var previous = "input"
        for (l, layer) in network.layers.enumerated() {
            let (w, n, r) = ("linear.\(l)", "neurons.\(l)", "recurrent.\(l)")
            g[w] = NIRNode(
                .linear, ["weight": matrix(layer.weights, inputs: layer.inputCount, outputs: layer.neuronCount)])
            g[n] = try target == .nir ? neurons(layer, dt: network.dt) : snntorchNeurons(layer, dt: network.dt)
            g.edges += [NIREdge(previous, w), NIREdge(w, n)]
            if layer.isRecurrent {
                g[r] = NIRNode(
                    .linear,
                    ["weight": matrix(layer.recurrentWeights, inputs: layer.neuronCount, outputs: layer.neuronCount)])
                g.edges += [NIREdge(n, r), NIREdge(r, n)]
            }
            previous = n
        }
        g["output"] = NIRNode(
            .output, ["shape": NIRTensor(shape: [1], values: [Double(network.outputCount)], dtype: .int64)])
        g.edges.append(NIREdge(previous, "output"))
        return g
    }

    /// SpikeLoop's `[in, out]` (row = presynaptic) as NIR's `[out, in]`, float32.
    static func matrix(_ w: [Float], inputs: Int, outputs: Int) -> NIRTensor {
        var out = [Double](repeating: 0, count: w.count)
        for j in 0..<inputs { for i in 0..<outputs { out[i * inputs + j] = Double(w[j * outputs + i]) } }
        return NIRTensor(shape: [outputs, inputs], values: out, dtype: .float32)
    }

    static func neurons(_ layer: Layer, dt: Double) throws -> NIRNode {
        let p = layer.parameters
        let n = layer.neuronCount
        let d = p.discretized(dt: dt)
        func v(_ x: Double) -> NIRTensor { NIRTensor(repeating: x, count: n, dtype: .float64) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let meta = ["spikeloop.parameters": String(decoding: try encoder.encode(p), as: UTF8.self)]
        let spiking = layer.isSpiking
        let synapse = p.family.hasSynapticCurrent
        // NIR's membrane input factor (1 − β) and, with a synapse, its current input factor k_s.
        let kMem = p.family.leaks ? 1 - d.beta : 1
        let kSyn = synapse ? (p.discretization == .euler ? dt / p.tauSyn : 1 - d.alpha) : 1
        let rNIR = p.family.leaks ? d.gain / (kMem * kSyn) : d.gain / dt
        guard rNIR.isFinite, rNIR > 0 else {
            throw NIRError(
                .notExpressible, node: "neurons", parameter: "r",
                "layer gain \(d.gain) has no NIR resistance at dt \(dt)")
        }
        var params: [String: NIRTensor] = ["r": v(rNIR)]
        if p.family.leaks { params["v_leak"] = v(Double(p.vLeak)) }
        if spiking {
            params["v_threshold"] = v(Double(p.vThreshold))
            params["v_reset"] = v(Double(p.vReset))
        }
        let type: NIRNodeType
        switch (p.family, spiking, synapse) {
        case (.integrateAndFire, _, _): type = .integrateAndFire
        case (_, true, true): type = .cubaLIF
        case (_, true, false): type = .lif
        case (_, false, true): type = .cubaLI
        case (_, false, false): type = .li
        }
        if synapse {
            params["tau_mem"] = v(p.tauMem)
            params["tau_syn"] = v(p.tauSyn)
            params["w_in"] = v(1)
        } else if p.family.leaks {
            params["tau"] = v(p.tauMem)
        }
        return NIRNode(type, params, metadata: meta)
    }
}
