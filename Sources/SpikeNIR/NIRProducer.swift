import Foundation
import SpikeModel

/// Who wrote a NIR graph, which decides how its continuous parameters become SpikeLoop's discrete step.
///
/// NIR stores ODEs without `dt` and without a reset convention, and exporters disagree with NIR's own equations
/// in documented ways (read from each library's export code):
///
/// | producer | `dt` default | what differs from NIR's canonical Euler step |
/// |---|---|---|
/// | `nir` | none (pass one) | nothing: `I += dt/τ_s·(−I + w_in·x)`, `v += dt/τ_m·(v_leak − v + r·I)`, `z = v > ϑ`, `v = v_reset` where `z`; IF: `v += dt·r·x` |
/// | `snntorch` | `1e-4` | snnTorch 1.0's `export_nir.py` writes `τ = dt/(1−β)` with `dt = 1e-4` fixed, `r = τ_m/dt` and `w_in = τ_s/dt`, so Euler at that `dt` gives back `β·v + x`; it drops its reset, which is *subtract* and reads the spike of the previous step (`reset_mechanism="subtract"`): restored here |
/// | `norse` | `1e-3` | Norse 1.1's `export_nir.py` writes `τ·dt` where it means `τ` (divided out here) and no `w_in`; its LIF cell adds the input to the current as a jump (`i += x`, no `dt/τ_s` factor) and its IF cell integrates `v += x` (no `dt`) |
/// | (both) | | nirtorch records the sample input's shape with its batch of 1 (`Input.shape = [1, C]`): a leading 1 is dropped |
/// | `spikeloop` | from the file | files SpikeLoop wrote: each neuron node's `spikeloop.parameters` metadata restores the exact `NeuronParameters` |
///
/// Spike timing: SpikeLoop reads a layer's spikes from the membrane *before* the step's input (`S[t] = H(V[t] − ϑ)`),
/// where NIR and these libraries threshold after it. Imported layers therefore compute the same membranes and
/// spikes, each spiking layer one step later than the exporter reports them (layer `k` of the stack: `k` steps).
public enum NIRProducer: String, CaseIterable, Sendable {
    case nir
    case snntorch
    case norse
    case spikeloop

    /// The time step the producer implies, if any (seconds).
    public var defaultDt: Double? {
        switch self {
        case .nir, .spikeloop: return nil
        case .snntorch: return 1e-4
        case .norse: return 1e-3
        }
    }

    /// `spikeloop` when the graph carries SpikeLoop's export metadata, else nil.
    public static func detect(_ graph: NIRGraph) -> NIRProducer? {
        graph.metadata["producer"] == "spikeloop" ? .spikeloop : nil
    }
}

/// How an imported graph's time constants become decays.
public enum NIRIntegration: String, CaseIterable, Sendable {
    /// Forward Euler, NIR's canonical step: `α = 1 − dt/τ_s`, `β = 1 − dt/τ_m` (needs `dt < τ`).
    case euler
    /// Exponential integration: `α = e^(−dt/τ_s)`, `β = e^(−dt/τ_m)`, input factors `1 − α` and `1 − β`.
    case exponential
}

/// What `NIRImporter` needs besides the graph.
public struct NIRImportOptions: Sendable {
    /// Simulation step, seconds; nil takes the producer's default (an error where it has none).
    public var dt: Double?
    public var producer: NIRProducer
    public var integration: NIRIntegration

    public init(dt: Double? = nil, producer: NIRProducer = .nir, integration: NIRIntegration = .euler) {
        self.dt = dt
        self.producer = producer
        self.integration = integration
    }
}
