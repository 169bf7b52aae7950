import Foundation

/// How the membrane responds to a spike: subtract the threshold, or clamp to zero.
public enum ResetMode: String, Codable, Sendable, CaseIterable {
    /// `V[t+1] = β·V[t] + c·I − ϑ·S[t]` (Cramer et al. 2022).
    case subtract
    /// `V[t+1] = (β·V[t] + c·I)·(1 − S[t])` (SpyTorch, snnTorch's `reset_mechanism="zero"`).
    case zero
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

/// Parameters of a current-based leaky integrate-and-fire population (dimensionless: V_leak = 0, ϑ = 1).
///
/// With `α = exp(−Δt/τ_s)`, `β = exp(−Δt/τ_m)` and `S[t] = H(V[t] − ϑ)`:
/// ```
/// I[t+1] = α·I[t] + Σ_j W_ji·x_j[t]  (+ Σ_k R_ki·S_k[t] if recurrent)
/// V[t+1] = β·V[t] + c·I[t+1 or t] − reset(S[t])
/// ```
/// Times are in seconds (chip time for the analog substrate: the papers use µs).
public struct LIFParameters: Codable, Equatable, Sendable {
    /// Membrane time constant τ_m, seconds.
    public var tauMem: Double
    /// Synaptic time constant τ_s, seconds.
    public var tauSyn: Double
    /// Firing threshold ϑ (dimensionless; leak is 0).
    public var vThreshold: Float
    public var reset: ResetMode
    public var resetGradient: ResetGradient
    public var currentTiming: CurrentTiming
    public var inputScaling: InputScaling

    public init(
        tauMem: Double, tauSyn: Double, vThreshold: Float = 1, reset: ResetMode = .subtract,
        resetGradient: ResetGradient = .detached, currentTiming: CurrentTiming = .sameStep,
        inputScaling: InputScaling = .unit
    ) {
        self.tauMem = tauMem
        self.tauSyn = tauSyn
        self.vThreshold = vThreshold
        self.reset = reset
        self.resetGradient = resetGradient
        self.currentTiming = currentTiming
        self.inputScaling = inputScaling
    }

    /// The paper's MNIST16 neurons: τ_m = τ_s = 6 µs, reset by subtraction, detached, `c = 1`.
    public static let paper = LIFParameters(tauMem: 6e-6, tauSyn: 6e-6)

    /// The decay factors and current gain for step `dt` (seconds).
    public func discretized(dt: Double) -> Discretized {
        let alpha = exp(-dt / tauSyn)
        let beta = exp(-dt / tauMem)
        let c = inputScaling == .unit ? 1.0 : 1.0 - beta
        return Discretized(alpha: alpha, beta: beta, gain: c)
    }

    /// Decay factors for one time step, computed once (never in a hot loop).
    public struct Discretized: Sendable, Equatable {
        public var alpha: Double
        public var beta: Double
        public var gain: Double
    }

    func validate(field: String) throws {
        guard tauMem > 0, tauMem.isFinite else {
            throw TrainingError.invalidParameter(field: "\(field).tauMem", message: "must be positive, got \(tauMem)")
        }
        guard tauSyn > 0, tauSyn.isFinite else {
            throw TrainingError.invalidParameter(field: "\(field).tauSyn", message: "must be positive, got \(tauSyn)")
        }
        guard vThreshold > 0, vThreshold.isFinite else {
            throw TrainingError.invalidParameter(
                field: "\(field).vThreshold", message: "must be positive, got \(vThreshold)")
        }
    }
}

/// User-facing errors of the training library: bad parameters, files and shapes.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case invalidParameter(field: String, message: String)
    case shapeMismatch(field: String, expected: String, found: String)
    case checkpoint(path: String, message: String)
    case io(path: String, message: String)

    public var description: String {
        switch self {
        case .invalidParameter(let field, let message): return "invalid \(field): \(message)"
        case .shapeMismatch(let field, let expected, let found):
            return "\(field) has shape \(found), expected \(expected)"
        case .checkpoint(let path, let message): return "checkpoint \(path): \(message)"
        case .io(let path, let message): return "\(path): \(message)"
        }
    }
}
