import Foundation
import SpikeCore

/// What a layer is: a spiking population (feed-forward or recurrent) or the non-spiking readout.
public enum LayerKind: String, Codable, Sendable, CaseIterable {
    /// Current-based LIF, driven by the layer below.
    case lif
    /// Current-based LIF with all-to-all recurrent weights `R` (diagonal included).
    case recurrentLIF = "recurrent-lif"
    /// Leaky integrators: the LIF equations without spikes or reset (the readout).
    case leakyReadout = "leaky-readout"
}

/// One layer: its neurons' parameters and the weights that drive it.
///
/// Weights are row-major `[inputCount, neuronCount]`: row `j` holds the synapses of presynaptic
/// neuron `j`, so an input event adds one contiguous row (event-driven kernels, DESIGN §2).
public struct Layer: Codable, Equatable, Sendable {
    public var kind: LayerKind
    public var inputCount: Int
    public var neuronCount: Int
    public var parameters: LIFParameters
    /// `[inputCount, neuronCount]`, row = presynaptic.
    public var weights: [Float]
    /// `[neuronCount, neuronCount]` for `.recurrentLIF`, else empty.
    public var recurrentWeights: [Float]
    /// After each optimizer step weights are clipped to `±weightLimit` (the chip's range, 63/240); nil: none.
    public var weightLimit: Float?

    public init(
        kind: LayerKind, inputCount: Int, neuronCount: Int, parameters: LIFParameters,
        weights: [Float]? = nil, recurrentWeights: [Float]? = nil, weightLimit: Float? = nil
    ) {
        precondition(inputCount > 0 && neuronCount > 0, "layer sizes must be positive: \(inputCount)x\(neuronCount)")
        self.kind = kind
        self.inputCount = inputCount
        self.neuronCount = neuronCount
        self.parameters = parameters
        self.weights = weights ?? [Float](repeating: 0, count: inputCount * neuronCount)
        self.recurrentWeights =
            kind == .recurrentLIF
            ? (recurrentWeights ?? [Float](repeating: 0, count: neuronCount * neuronCount)) : []
        self.weightLimit = weightLimit
        precondition(self.weights.count == inputCount * neuronCount, "weights must be \(inputCount)x\(neuronCount)")
    }

    public var isSpiking: Bool { kind != .leakyReadout }
    public var isRecurrent: Bool { kind == .recurrentLIF }
}

/// A feed-forward stack of layers: input channels → hidden LIF layers → leaky readout.
public struct Network: Codable, Equatable, Sendable {
    /// Simulation time step Δt, seconds.
    public var dt: Double
    public var layers: [Layer]

    public init(dt: Double, layers: [Layer]) {
        self.dt = dt
        self.layers = layers
    }

    public var inputCount: Int { layers.first?.inputCount ?? 0 }
    public var outputCount: Int { layers.last?.neuronCount ?? 0 }
    public var hiddenLayers: ArraySlice<Layer> { layers.dropLast() }

    /// Checks shapes and parameters; throws naming the offending field.
    public func validate() throws {
        guard dt > 0, dt.isFinite else { throw TrainingError.invalidParameter(field: "dt", message: "must be positive, got \(dt)") }
        guard let last = layers.last, last.kind == .leakyReadout else {
            throw TrainingError.invalidParameter(field: "layers", message: "the last layer must be a leaky-readout")
        }
        for (l, layer) in layers.enumerated() {
            try layer.parameters.validate(field: "layers[\(l)]")
            if l < layers.count - 1, layer.kind == .leakyReadout {
                throw TrainingError.invalidParameter(field: "layers[\(l)].kind", message: "only the last layer may be a readout")
            }
            if l < layers.count - 1, !layer.parameters.family.spikes {
                throw TrainingError.invalidParameter(
                    field: "layers[\(l)].parameters.family", message: "\(layer.parameters.family.rawValue) has no threshold; a hidden layer must spike (cuba-lif, lif or if)")
            }
            if l > 0, layer.inputCount != layers[l - 1].neuronCount {
                throw TrainingError.shapeMismatch(
                    field: "layers[\(l)].inputCount", expected: "\(layers[l - 1].neuronCount)", found: "\(layer.inputCount)")
            }
            if layer.weights.count != layer.inputCount * layer.neuronCount {
                throw TrainingError.shapeMismatch(
                    field: "layers[\(l)].weights", expected: "[\(layer.inputCount), \(layer.neuronCount)]",
                    found: "\(layer.weights.count) values")
            }
            let rc = layer.isRecurrent ? layer.neuronCount * layer.neuronCount : 0
            if layer.recurrentWeights.count != rc {
                throw TrainingError.shapeMismatch(
                    field: "layers[\(l)].recurrentWeights", expected: "\(rc) values", found: "\(layer.recurrentWeights.count)")
            }
        }
    }

    /// Total trainable parameters.
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.weights.count + $1.recurrentWeights.count } }
}

/// How initial weights are drawn: normal with a mean and standard deviation per layer.
public struct WeightInit: Codable, Equatable, Sendable {
    public var mean: Float
    public var std: Float
    public init(mean: Float = 0, std: Float) {
        self.mean = mean
        self.std = std
    }

    /// The paper's rule `SD = scale·(1 − β)/√N_in` (Cramer et al. 2022: scale 0.7, hidden mean 1e-3).
    public static func paper(inputCount: Int, beta: Double, scale: Double = 0.7, mean: Float = 0) -> WeightInit {
        WeightInit(mean: mean, std: Float(scale * (1 - beta) / Double(inputCount).squareRoot()))
    }
}

extension Network {
    /// Builds a network of LIF hidden layers and a readout with weights drawn from a seeded normal.
    ///
    /// - Parameters:
    ///   - sizes: `[input, hidden..., output]`.
    ///   - initializers: one per weight layer (`sizes.count − 1`), plus recurrent ones in `recurrentInit`.
    public static func feedForward(
        sizes: [Int], dt: Double, hidden: LIFParameters, readout: LIFParameters,
        initializers: [WeightInit], recurrent: Bool = false, recurrentInit: WeightInit? = nil,
        weightLimit: Float? = nil, seed: UInt64
    ) -> Network {
        precondition(sizes.count >= 2, "need at least input and output sizes, got \(sizes)")
        precondition(initializers.count == sizes.count - 1, "need \(sizes.count - 1) initializers, got \(initializers.count)")
        var rng = SeededRandom(seed: seed, stream: 1)
        var layers: [Layer] = []
        for l in 0..<(sizes.count - 1) {
            let isReadout = l == sizes.count - 2
            let kind: LayerKind = isReadout ? .leakyReadout : (recurrent ? .recurrentLIF : .lif)
            let n = sizes[l] * sizes[l + 1]
            let ini = initializers[l]
            let w = (0..<n).map { _ in ini.mean + ini.std * Float(rng.nextGaussian()) }
            var r: [Float]? = nil
            if kind == .recurrentLIF {
                let ri = recurrentInit ?? WeightInit(std: 0)
                r = (0..<(sizes[l + 1] * sizes[l + 1])).map { _ in ri.mean + ri.std * Float(rng.nextGaussian()) }
            }
            layers.append(
                Layer(
                    kind: kind, inputCount: sizes[l], neuronCount: sizes[l + 1], parameters: isReadout ? readout : hidden,
                    weights: w, recurrentWeights: r, weightLimit: isReadout ? nil : weightLimit))
        }
        return Network(dt: dt, layers: layers)
    }
}
