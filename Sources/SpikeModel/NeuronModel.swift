import Foundation

/// How the membrane responds to a spike: subtract the threshold, or set it to the reset potential.
public enum ResetMode: String, Codable, Sendable, CaseIterable {
    /// `V[t+1] = β·V[t] + c·I − (ϑ − v_reset)·S[t]` (Cramer et al. 2022, with `v_reset = 0`).
    case subtract
    /// `V[t+1] = v_reset` where `S[t] = 1`: `(β·V[t] + c·I)·(1 − S[t])` for `v_reset = 0` (SpyTorch, snnTorch's
    /// `reset_mechanism="zero"`, NIR's reset to `v_reset`).
    case zero
    /// `V[t+1] = v_leak + β·(v_reset − v_leak) + c·I` where `S[t] = 1`: the spiking neuron is set to `v_reset` and
    /// this step's input is still integrated from there. This is NIR's reset (the membrane is `v_reset` after the
    /// step that crossed the threshold), with SpikeLoop's spike read from `V[t]` one step later than NIR reports it.
    case immediate
}

/// How the continuous time constants become per-step decays in `NeuronParameters.discretized(dt:)`.
public enum Discretization: String, Codable, Sendable, CaseIterable {
    /// `α = e^(−Δt/τ_s)`, `β = e^(−Δt/τ_m)`: exact integration of the decay between steps (the default).
    case exact
    /// `α = 1 − Δt/τ_s`, `β = 1 − Δt/τ_m`: forward Euler, NIR's canonical discretization (and Norse's).
    case euler
}

/// Whether the gradient flows through the reset term.
public enum ResetGradient: String, Codable, Sendable, CaseIterable {
    /// The reset's spike is treated as a constant (`rst = out.detach()`); the published default.
    case detached
    /// The surrogate derivative also flows through the reset.
    case differentiable
}

/// Which synaptic current drives the membrane update.
public enum CurrentTiming: String, Codable, Sendable, CaseIterable {
    /// `V[t+1] = β·V[t] + c·I[t+1]`: input at step t reaches the membrane at t+1 (Cramer et al. 2022).
    case sameStep = "same-step"
    /// `V[t+1] = β·V[t] + c·I[t]`: one step later (SpyTorch `run_snn`, the SG-MLP16 benchmark).
    case delayed
}

/// The factor in front of the current in the membrane update.
public enum InputScaling: String, Codable, Sendable, CaseIterable {
    /// `c = 1` (Cramer et al. 2022).
    case unit
    /// `c = 1 − β`, so that a constant current I settles the membrane at I (snnTorch, SG-MLP16).
    case oneMinusBeta = "one-minus-beta"
}

/// The neuron families SpikeLoop models. Each is the current-based LIF step below with parts switched off, so
/// that one step serves them all (and NIR's LIF, LI, CubaLIF, CubaLI and IF nodes map onto it).
///
/// A readout layer never spikes: there `cubaLIF` reads as `cubaLI` and `lif` as `li`.
public enum NeuronFamily: String, Codable, Sendable, CaseIterable {
    /// Synaptic current and leaky membrane, threshold and reset (Cramer et al. 2022).
    case cubaLIF = "cuba-lif"
    /// Leaky membrane driven by the input directly (no synaptic state: `α = 0`), threshold and reset.
    case lif
    /// Synaptic current and leaky membrane, no threshold (the published readout).
    case cubaLI = "cuba-li"
    /// Leaky membrane driven by the input directly, no threshold.
    case li
    /// Non-leaky integrate-and-fire: `β = 1`, `α = 0`, threshold and reset.
    case integrateAndFire = "if"

    /// Whether the family has a threshold.
    public var spikes: Bool { self == .cubaLIF || self == .lif || self == .integrateAndFire }
    /// Whether the family keeps a synaptic current (`α = e^(−Δt/τ_s)`), else `α = 0`.
    public var hasSynapticCurrent: Bool { self == .cubaLIF || self == .cubaLI }
    /// Whether the membrane leaks (`β = e^(−Δt/τ_m)`), else `β = 1`.
    public var leaks: Bool { self != .integrateAndFire }
}

/// Parameters of a population of neurons of one family (norse's `LIFParameters` pattern: immutable
/// parameters, state kept by the kernels).
///
/// With `α = exp(−Δt/τ_s)` (0 without synaptic current), `β = exp(−Δt/τ_m)` (1 without leak), `c` the input
/// gain (`r`, or `(1 − β)·r`) and `S[t] = H(V[t] − ϑ)` (strict `>`), one step is (`NeuronStep`):
/// ```
/// I[t+1] = α·I[t] + Σ_j W_ji·x_j[t]  (+ Σ_k R_ki·S_k[t] if recurrent)
/// V[t+1] = v_leak + β·(V[t] − v_leak) + c·I[t+1 or t],  then for S[t] = 1:
///          subtract: V[t+1] −= ϑ − v_reset        zero (to v_reset): V[t+1] = v_reset
/// ```
/// Times are in seconds (chip time for the analog substrate: the papers use µs). The defaults are the
/// dimensionless model of the papers: `v_leak = 0`, `ϑ = 1`, `v_reset = 0`, `r = 1`.
public struct NeuronParameters: Codable, Equatable, Sendable {
    public var family: NeuronFamily
    /// Membrane time constant τ_m, seconds (unused by `integrateAndFire`).
    public var tauMem: Double
    /// Synaptic time constant τ_s, seconds (used by the families with a synaptic current).
    public var tauSyn: Double
    /// Firing threshold ϑ.
    public var vThreshold: Float
    /// Resting potential the membrane leaks towards.
    public var vLeak: Float
    /// Potential after a reset to value; with reset by subtraction the step subtracts `ϑ − v_reset`.
    public var vReset: Float
    /// Input resistance `r`: the current's gain on the membrane.
    public var r: Float
    public var reset: ResetMode
    public var resetGradient: ResetGradient
    public var currentTiming: CurrentTiming
    public var inputScaling: InputScaling
    /// How `tauMem` and `tauSyn` become decays (``Discretization/exact`` unless imported from an Euler model).
    public var discretization: Discretization

    public init(
        family: NeuronFamily = .cubaLIF, tauMem: Double, tauSyn: Double, vThreshold: Float = 1, vLeak: Float = 0,
        vReset: Float = 0, r: Float = 1, reset: ResetMode = .subtract, resetGradient: ResetGradient = .detached,
        currentTiming: CurrentTiming = .sameStep, inputScaling: InputScaling = .unit,
        discretization: Discretization = .exact
    ) {
        self.family = family
        self.tauMem = tauMem
        self.tauSyn = tauSyn
        self.vThreshold = vThreshold
        self.vLeak = vLeak
        self.vReset = vReset
        self.r = r
        self.reset = reset
        self.resetGradient = resetGradient
        self.currentTiming = currentTiming
        self.inputScaling = inputScaling
        self.discretization = discretization
    }

    /// The paper's MNIST16 neurons: τ_m = τ_s = 6 µs, reset by subtraction, detached, `c = 1`.
    public static let paper = NeuronParameters(tauMem: 6e-6, tauSyn: 6e-6)

    enum CodingKeys: String, CodingKey {
        case family, tauMem, tauSyn, vThreshold, vLeak, vReset, r, reset, resetGradient, currentTiming, inputScaling, discretization
    }

    /// Decodes checkpoints written before the families existed (CUBA-LIF, leak 0, reset 0, r 1).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        family = try c.decodeIfPresent(NeuronFamily.self, forKey: .family) ?? .cubaLIF
        tauMem = try c.decode(Double.self, forKey: .tauMem)
        tauSyn = try c.decode(Double.self, forKey: .tauSyn)
        vThreshold = try c.decodeIfPresent(Float.self, forKey: .vThreshold) ?? 1
        vLeak = try c.decodeIfPresent(Float.self, forKey: .vLeak) ?? 0
        vReset = try c.decodeIfPresent(Float.self, forKey: .vReset) ?? 0
        r = try c.decodeIfPresent(Float.self, forKey: .r) ?? 1
        reset = try c.decodeIfPresent(ResetMode.self, forKey: .reset) ?? .subtract
        resetGradient = try c.decodeIfPresent(ResetGradient.self, forKey: .resetGradient) ?? .detached
        currentTiming = try c.decodeIfPresent(CurrentTiming.self, forKey: .currentTiming) ?? .sameStep
        inputScaling = try c.decodeIfPresent(InputScaling.self, forKey: .inputScaling) ?? .unit
        discretization = try c.decodeIfPresent(Discretization.self, forKey: .discretization) ?? .exact
    }

    /// Encodes every field but `discretization` when it is the default, so that networks without an Euler layer
    /// encode byte for byte as before (checkpoint headers, run directories).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(family, forKey: .family)
        try c.encode(tauMem, forKey: .tauMem)
        try c.encode(tauSyn, forKey: .tauSyn)
        try c.encode(vThreshold, forKey: .vThreshold)
        try c.encode(vLeak, forKey: .vLeak)
        try c.encode(vReset, forKey: .vReset)
        try c.encode(r, forKey: .r)
        try c.encode(reset, forKey: .reset)
        try c.encode(resetGradient, forKey: .resetGradient)
        try c.encode(currentTiming, forKey: .currentTiming)
        try c.encode(inputScaling, forKey: .inputScaling)
        if discretization != .exact { try c.encode(discretization, forKey: .discretization) }
    }

    /// The step's constants for time step `dt` (seconds), computed once (never in a hot loop).
    ///
    /// With ``Discretization/euler`` the decays are `1 − Δt/τ` (forward Euler; `Δt < τ` keeps them positive).
    public func discretized(dt: Double) -> Discretized {
        let decay: (Double) -> Double = { tau in
            self.discretization == .exact ? NeuronStep<Double>.decay(dt: dt, tau: tau) : 1 - dt / tau
        }
        let alpha = family.hasSynapticCurrent ? decay(tauSyn) : 0
        let beta = family.leaks ? decay(tauMem) : 1
        let c = Double(r) * (inputScaling == .unit ? 1.0 : 1.0 - beta)
        return Discretized(alpha: alpha, beta: beta, gain: c, leak: Double(vLeak), threshold: Double(vThreshold), vReset: Double(vReset))
    }

    /// The constants of one time step.
    public struct Discretized: Sendable, Equatable {
        public var alpha: Double
        public var beta: Double
        public var gain: Double
        public var leak: Double
        public var threshold: Double
        public var vReset: Double

        /// The step in `Value` arithmetic (`Float`, `Double` or a SIMD vector of `Float`).
        public func step<Value: NeuronValue>(_ convert: (Double) -> Value) -> NeuronStep<Value> {
            NeuronStep(alpha: convert(alpha), beta: convert(beta), gain: convert(gain), leak: convert(leak))
        }
    }

    func validate(field: String) throws {
        if family.leaks {
            guard tauMem > 0, tauMem.isFinite else {
                throw TrainingError.invalidParameter(field: "\(field).tauMem", message: "must be positive, got \(tauMem)")
            }
        }
        if family.hasSynapticCurrent {
            guard tauSyn > 0, tauSyn.isFinite else {
                throw TrainingError.invalidParameter(field: "\(field).tauSyn", message: "must be positive, got \(tauSyn)")
            }
        }
        guard vThreshold.isFinite, vLeak.isFinite, vReset.isFinite, vThreshold > vReset else {
            throw TrainingError.invalidParameter(
                field: "\(field).vThreshold", message: "must be finite and above vReset (\(vReset)), got \(vThreshold)")
        }
        guard r.isFinite, r > 0 else {
            throw TrainingError.invalidParameter(field: "\(field).r", message: "must be positive, got \(r)")
        }
        if reset == .zero && resetGradient == .differentiable && vReset != 0 {
            throw TrainingError.invalidParameter(
                field: "\(field).resetGradient", message: "a differentiable reset to a nonzero vReset (\(vReset)) is not implemented; use detached or vReset 0")
        }
        if reset == .immediate && resetGradient == .differentiable {
            throw TrainingError.invalidParameter(
                field: "\(field).resetGradient", message: "a differentiable immediate (NIR) reset is not implemented; use detached")
        }
        if family == .integrateAndFire && inputScaling != .unit {
            throw TrainingError.invalidParameter(
                field: "\(field).inputScaling", message: "integrate-and-fire has no leak, so (1 − β) scaling would silence it; use unit")
        }
    }
}

/// The earlier name of `NeuronParameters` (CUBA-LIF is its default family).
public typealias LIFParameters = NeuronParameters

/// Arithmetic the neuron step needs: `Float`, `Double` and `SIMD16<Float>` lanes (one neuron per lane, with
/// per-neuron constants on the emulated chip or broadcast ones in software).
public protocol NeuronValue {
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
}

extension Float: NeuronValue {}
extension Double: NeuronValue {}
extension SIMD16: NeuronValue where Scalar == Float {}

/// The one neuron update, written once: every simulator (software kernels, the chip emulator's substeps, the
/// online rules, exact RTRL, calibration probes) calls these, specialized for its `Value` type.
///
/// Order per step (see `NeuronParameters`): spikes are read from `V[t]`, then `current` (decay, plus the input
/// rows the caller adds event by event), `membrane`, and `reset` of the neurons that spiked.
@frozen
public struct NeuronStep<Value: NeuronValue> {
    public var alpha: Value
    public var beta: Value
    public var gain: Value
    public var leak: Value

    @inlinable
    public init(alpha: Value, beta: Value, gain: Value, leak: Value) {
        self.alpha = alpha
        self.beta = beta
        self.gain = gain
        self.leak = leak
    }

    /// `e^(−dt/τ)`: the decay of a state with time constant `tau` over `dt` (both seconds).
    public static func decay(dt: Double, tau: Double) -> Double { exp(-dt / tau) }

    /// The synaptic current before this step's input: `α·I`.
    @inlinable @inline(__always)
    public func current(_ i: Value) -> Value { alpha * i }

    /// The membrane after integrating `drive` (`I[t+1]` same-step, `I[t]` delayed): `v_leak + β·(V − v_leak) + c·drive`.
    @inlinable @inline(__always)
    public func membrane(_ v: Value, drive: Value) -> Value { leak + membraneAboveRest(v - leak, drive: drive) }

    /// The same step for `u = V − v_leak`, where the leak drops out: `u ← β·u + c·drive`. Hot kernels integrate `u`
    /// (thresholds and resets shifted by `v_leak`): one multiply and one add per neuron fewer than `membrane`.
    @inlinable @inline(__always)
    public func membraneAboveRest(_ u: Value, drive: Value) -> Value { beta * u + gain * drive }

    /// The derivative of `membrane` with respect to `(V, drive)` applied to `(dV, dDrive)`: `β·dV + c·dDrive`
    /// (eligibility traces and forward-mode sensitivities, where the leak drops out as in `membraneAboveRest`).
    @inlinable @inline(__always)
    public func membraneTangent(_ dv: Value, drive dDrive: Value) -> Value { membraneAboveRest(dv, drive: dDrive) }
}

extension NeuronStep {
    /// The membrane of a neuron that spiked: `V − (ϑ − v_reset)` (subtract) or `v_reset` (zero, to value).
    @inlinable @inline(__always)
    /// (`immediate` resets before the membrane update instead: callers apply `vReset` to `V[t]` first.)
    public static func reset(_ v: Value, mode: ResetMode, threshold: Value, vReset: Value) -> Value {
        mode == .subtract ? v - (threshold - vReset) : vReset
    }
}

/// User-facing errors of the training library: bad parameters, files and shapes.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case invalidParameter(field: String, message: String)
    case shapeMismatch(field: String, expected: String, found: String)
    case checkpoint(path: String, message: String)
    case io(path: String, message: String)
    /// Training produced a non-finite loss, gradient or weight at (epoch, batch), both counted from 1.
    case diverged(epoch: Int, batch: Int, reason: String)

    public var description: String {
        switch self {
        case .invalidParameter(let field, let message): return "invalid \(field): \(message)"
        case .shapeMismatch(let field, let expected, let found):
            return "\(field) has shape \(found), expected \(expected)"
        case .checkpoint(let path, let message): return "checkpoint \(path): \(message)"
        case .io(let path, let message): return "\(path): \(message)"
        case .diverged(let epoch, let batch, let reason):
            return "training diverged at epoch \(epoch), batch \(batch): \(reason); lower the learning rate (--lr) or resume from the last checkpoint"
        }
    }
}
