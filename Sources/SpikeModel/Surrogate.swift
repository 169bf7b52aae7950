import Foundation

/// The pseudo-derivative used in place of H'(V − ϑ) in the backward pass, selected by name.
///
/// All are functions of `x = V − ϑ` evaluated at the *observed* membrane (DESIGN §1).
/// - `superSpike`: `1/(β·|x| + 1)²` (fast sigmoid; Zenke & Ganguli 2018, doi:10.1162/neco_a_01086), β = 50 in
///   Cramer et al. 2022; the SG-MLP16 benchmark uses β = 25.
/// - `sigmoid`: `β·σ(βx)·(1 − σ(βx))`, the derivative of a steep sigmoid.
/// - `exponential`: `exp(−β·|x|)` (Shrestha & Orchard 2018 style).
/// - `triangle`: `max(0, 1 − β·|x|)` (Bellec et al. 2018, e-prop's piecewise linear).
public enum Surrogate: Codable, Equatable, Sendable {
    case superSpike(beta: Float)
    case sigmoid(beta: Float)
    case exponential(beta: Float)
    case triangle(beta: Float)

    public var name: String {
        switch self {
        case .superSpike: return "superspike"
        case .sigmoid: return "sigmoid"
        case .exponential: return "exponential"
        case .triangle: return "triangle"
        }
    }

    public var beta: Float {
        switch self {
        case .superSpike(let b), .sigmoid(let b), .exponential(let b), .triangle(let b): return b
        }
    }

    /// Parses `name` or `name:beta`, e.g. `superspike:25`.
    public init?(parsing text: String) {
        let parts = text.lowercased().split(separator: ":", maxSplits: 1).map(String.init)
        let beta: Float
        if parts.count == 2 {
            guard let b = Float(parts[1]), b > 0 else { return nil }
            beta = b
        } else {
            beta = parts[0] == "triangle" ? 1 : parts[0] == "exponential" ? 5 : 50
        }
        switch parts[0] {
        case "superspike", "fast-sigmoid", "fastsigmoid": self = .superSpike(beta: beta)
        case "sigmoid": self = .sigmoid(beta: beta)
        case "exponential", "exp": self = .exponential(beta: beta)
        case "triangle": self = .triangle(beta: beta)
        default: return nil
        }
    }

    public var text: String { "\(name):\(beta)" }

    /// Scalar evaluation in Double (the reference implementation and tests).
    public func derivative(_ x: Double) -> Double {
        let b = Double(beta)
        switch self {
        case .superSpike:
            let d = b * abs(x) + 1
            return 1 / (d * d)
        case .sigmoid:
            let s = 1 / (1 + exp(-b * x))
            return b * s * (1 - s)
        case .exponential: return exp(-b * abs(x))
        case .triangle: return max(0, 1 - b * abs(x))
        }
    }

    // Codable as its text form, which is what configs and checkpoints hold.
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let s = Surrogate(parsing: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unknown surrogate '\(text)'"))
        }
        self = s
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }
}
