import Foundation
import SpikeModel

/// Which reader an export is written for.
public enum NIRExportTarget: String, CaseIterable, Sendable {
    /// NIR's own equations (every NIR reader; Norse 1.1 imports it).
    case nir
    /// snnTorch 1.0's `import_from_nir`, which knows only LIF and CubaLIF at its fixed `dt = 1e-4`.
    case snntorch
}

extension NIRExporter {
    /// snnTorch's time step, fixed in its `import_nir.py` and `export_nir.py`.
    static let snntorchDt = 1e-4

    /// A layer as snnTorch 1.0's `import_from_nir` reads it (`Leaky`/`Synaptic` with `β = 1 − dt/τ_m`,
    /// `α = 1 − dt/τ_s`, `dt = 1e-4`, unit input gain).
    ///
    /// The decays are SpikeLoop's own (`τ' = 1e-4/(1 − β)`, so snnTorch's `β` is exactly SpikeLoop's, whatever
    /// the discretization); `r = τ_m'/dt` and `w_in = τ_s'/dt` as snnTorch requires; SpikeLoop's gain `c` moves
    /// into the threshold (`ϑ/c`: snnTorch's membrane is SpikeLoop's divided by `c`). The readout is written as a
    /// LIF/CubaLIF whose threshold (1e30) is never reached, since snnTorch has no LI node. snnTorch resets to
    /// zero on import, so only networks with that reset compute the same there; SpikeLoop re-imports every
    /// network exactly from the `spikeloop.parameters` metadata.
    /// - Throws: ``NIRError`` naming the layer's parameter snnTorch cannot represent (`v_leak`, `v_reset`, IF).
    static func snntorchNeurons(_ layer: Layer, dt: Double) throws -> NIRNode {
        let p = layer.parameters
        let name = "neurons"
        guard p.family != .integrateAndFire else {
            throw NIRError(.notExpressible, node: name, parameter: "family", "snnTorch's NIR import has no IF neuron")
        }
        guard p.vLeak == 0 else {
            throw NIRError(
                .notExpressible, node: name, parameter: "v_leak",
                "snnTorch imports v_leak = 0 only, the layer has \(p.vLeak)")
        }
        guard p.vReset == 0 else {
            throw NIRError(
                .notExpressible, node: name, parameter: "v_reset", "snnTorch resets to 0, the layer to \(p.vReset)")
        }
        let d = p.discretized(dt: dt)
        let n = layer.neuronCount
        func v(_ x: Double) -> NIRTensor { NIRTensor(repeating: x, count: n, dtype: .float64) }
        let tauMem = snntorchDt / (1 - d.beta)
        var params: [String: NIRTensor] = [
            "v_leak": v(0), "v_reset": v(0), "r": v(tauMem / snntorchDt),
            "v_threshold": v(layer.isSpiking ? Double(p.vThreshold) / d.gain : 1e30),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let meta = ["spikeloop.parameters": String(decoding: try encoder.encode(p), as: UTF8.self)]
        if p.family.hasSynapticCurrent {
            let tauSyn = snntorchDt / (1 - d.alpha)
            params["tau_mem"] = v(tauMem)
            params["tau_syn"] = v(tauSyn)
            params["w_in"] = v(tauSyn / snntorchDt)
            return NIRNode(.cubaLIF, params, metadata: meta)
        }
        params["tau"] = v(tauMem)
        return NIRNode(.lif, params, metadata: meta)
    }
}
