import Foundation
import SpikeModel

extension NIRImporter {
    /// One value shared by all neurons of node `name` (NIR stores one per neuron; SpikeLoop one per layer).
    static func uniform(_ node: NIRNode, _ p: String, name: String, default value: Double? = nil) throws -> Double {
        guard let t = node[p] else {
            if let v = value { return v }
            throw NIRError(.invalidParameter, node: name, parameter: p, "missing")
        }
        guard let first = t.values.first else {
            throw NIRError(.invalidParameter, node: name, parameter: p, "is empty")
        }
        if let other = t.values.first(where: { $0 != first }) {
            throw NIRError(
                .notExpressible, node: name, parameter: p,
                "varies across neurons (\(first) and \(other)); a SpikeLoop layer shares one value")
        }
        return first
    }

    /// The `NeuronParameters` that reproduce neuron node `name` at step `dt` for `options`' producer.
    ///
    /// With `k_s` the synaptic input factor (`dt/τ_s` Euler, `1 − e^(−dt/τ_s)` exponential, 1 for Norse's jump)
    /// and input scaling `1 − β`, SpikeLoop's current is NIR's divided by `k_s·w_in`, and its gain carries the
    /// factor back: `r = r_NIR·w_in·k_s`. IF: `r = r_NIR·dt` (`v += dt·r·x`; Norse: `r_NIR`).
    static func neuronParameters(_ node: NIRNode, name: String, dt: Double, options: NIRImportOptions) throws
        -> NeuronParameters
    {
        if options.producer == .spikeloop, let json = node.metadata["spikeloop.parameters"] {
            do {
                return try JSONDecoder().decode(NeuronParameters.self, from: Data(json.utf8))
            } catch {
                throw NIRError(
                    .invalidParameter, node: name, parameter: "metadata/spikeloop.parameters",
                    "is not SpikeLoop's JSON: \(error)")
            }
        }
        let family: NeuronFamily
        switch node.type {
        case .lif: family = .lif
        case .li: family = .li
        case .cubaLIF: family = .cubaLIF
        case .cubaLI: family = .cubaLI
        case .integrateAndFire: family = .integrateAndFire
        default: throw NIRError(.notExpressible, node: name, "a \(node.type.rawValue) node is not a neuron layer")
        }
        // Norse 1.1 writes τ·dt for τ.
        let timeScale = options.producer == .norse ? 1 / dt : 1
        func tau(_ p: String) throws -> Double {
            let value = try uniform(node, p, name: name) * timeScale
            guard value > 0 else {
                throw NIRError(.invalidParameter, node: name, parameter: p, "must be positive, got \(value)")
            }
            if options.integration == .euler && dt >= value {
                throw NIRError(
                    .notExpressible, node: name, parameter: p,
                    "dt (\(dt)) ≥ τ (\(value)): the Euler decay 1 − dt/τ is not positive; use a smaller dt or exponential integration"
                )
            }
            return value
        }
        let leaky = node.type != .integrateAndFire
        let tauMem = leaky ? try tau(node.type.hasSynapse ? "tau_mem" : "tau") : 1
        let tauSyn = node.type.hasSynapse ? try tau("tau_syn") : tauMem
        var r = try uniform(node, "r", name: name)
        if node.type.hasSynapse {
            r *= try uniform(node, "w_in", name: name, default: 1) * synapticInputFactor(tauSyn: tauSyn, dt: dt, options: options)
        }
        if node.type == .integrateAndFire && options.producer != .norse { r *= dt }
        guard r > 0, r.isFinite else {
            throw NIRError(
                .notExpressible, node: name, parameter: "r",
                "gives the input gain \(r); SpikeLoop needs a positive gain")
        }
        let spikes = family.spikes
        let params = NeuronParameters(
            family: family, tauMem: tauMem, tauSyn: tauSyn,
            vThreshold: spikes ? Float(try uniform(node, "v_threshold", name: name)) : 1,
            vLeak: leaky ? Float(try uniform(node, "v_leak", name: name)) : 0,
            vReset: spikes ? Float(try uniform(node, "v_reset", name: name, default: 0)) : 0,
            r: Float(r), reset: options.producer == .snntorch ? .subtract : .immediate,
            currentTiming: .sameStep, inputScaling: leaky ? .oneMinusBeta : .unit,
            discretization: options.integration == .euler ? .euler : .exact)
        if spikes && params.vThreshold <= params.vReset {
            throw NIRError(
                .notExpressible, node: name, parameter: "v_threshold",
                "\(params.vThreshold) is not above v_reset \(params.vReset)")
        }
        return params
    }
}

extension NIRImporter {
    /// `k_s`: how much of a step's input reaches NIR's synaptic current (`dt/τ_s` Euler, `1 − e^(−dt/τ_s)` exact,
    /// 1 for Norse's jump).
    static func synapticInputFactor(tauSyn: Double, dt: Double, options: NIRImportOptions) -> Double {
        switch (options.producer, options.integration) {
        case (.norse, _): return 1
        case (_, .euler): return dt / tauSyn
        case (_, .exponential): return -expm1(-dt / tauSyn)
        }
    }

    /// The factor `k_s·w_in` that turns the imported layer's synaptic current back into NIR's `i` (nil for nodes
    /// without one: LIF, LI, IF, and SpikeLoop's own files, whose currents are SpikeLoop's).
    static func currentToNIR(_ node: NIRNode, name: String, dt: Double, options: NIRImportOptions) throws -> Double? {
        guard node.type.hasSynapse, !(options.producer == .spikeloop && node.metadata["spikeloop.parameters"] != nil) else {
            return node.type.hasSynapse ? 1 : nil
        }
        let timeScale = options.producer == .norse ? 1 / dt : 1
        let tauSyn = try uniform(node, "tau_syn", name: name) * timeScale
        return try uniform(node, "w_in", name: name, default: 1) * synapticInputFactor(tauSyn: tauSyn, dt: dt, options: options)
    }
}

extension NIRNodeType {
    /// CubaLI and CubaLIF: a synaptic current with its own time constant and `w_in`.
    var hasSynapse: Bool { self == .cubaLI || self == .cubaLIF }
}
