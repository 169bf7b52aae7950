import Foundation
import SpikeTraining

/// The signed 6-bit synapse values a network becomes on the chip: what actually runs there, for the record.
///
/// Hidden layers map `w_hw = clip(round(240·w), ±63)`; the output layer uses the dynamic scale
/// `min(63/max|w|, 250)` so that its largest weight uses the full range (Cramer et al. 2022, doi:10.1073/pnas.2109194119).
/// The effective synapse on the emulated chip is `w_hw/scale` times that synapse's fixed-pattern gain (a property of
/// the chip instance, not of the weights). ``EmulatedChip`` writes its weights through ``quantize(_:scale:)``, so
/// the codes recorded in a checkpoint are exactly the ones the chip ran.
public struct ChipWeights: Equatable, Sendable {
    /// One layer's integer codes, row-major `[inputCount, neuronCount]` like `Layer.weights`.
    public struct LayerCodes: Equatable, Sendable {
        public var codes: [Int8]
        /// `[neuronCount, neuronCount]` for recurrent layers, else empty.
        public var recurrentCodes: [Int8]
        /// `w_hw = round(scale·w)`: 240 for hidden layers, the dynamic output scale for the readout.
        public var scale: Double

        public init(codes: [Int8], recurrentCodes: [Int8], scale: Double) {
            self.codes = codes
            self.recurrentCodes = recurrentCodes
            self.scale = scale
        }
    }

    public var layers: [LayerCodes]

    public init(layers: [LayerCodes]) { self.layers = layers }

    /// The codes of every layer of `network` under `config`'s mapping.
    public init(network: Network, config: ChipConfig = ChipConfig()) {
        layers = network.layers.enumerated().map { l, layer in
            let scale = config.weightScale(for: layer, isOutput: l == network.layers.count - 1)
            func codes(_ w: [Float]) -> [Int8] { w.map { Int8(config.code($0, scale: scale)) } }
            return LayerCodes(codes: codes(layer.weights), recurrentCodes: codes(layer.recurrentWeights), scale: scale)
        }
    }

    /// The scale of the output layer (the readout), which changes as its weights train.
    public var outputScale: Double { layers.last?.scale ?? 0 }
}

extension ChipConfig {
    /// `w_hw = round(scale·w)`: ``hiddenWeightScale`` for hidden layers; for the output layer the dynamic
    /// `min(weightMax/max|w|, outputScaleCap)` (the cap when every weight is 0).
    public func weightScale(for layer: Layer, isOutput: Bool) -> Double {
        // (only the readout's scale depends on its weights: hidden layers skip the scan, which runs every step)
        weightScale(maxAbsWeight: isOutput ? layer.weights.reduce(Float(0)) { max($0, abs($1)) } : 0, isOutput: isOutput)
    }

    /// The integer synapse value of weight `w`: `clip(round(scale·w), ±weightMax)` (as a `Float`).
    @inline(__always)
    public func code(_ w: Float, scale: Double) -> Float { Self.code(w, scale: Float(scale), limit: Float(weightMax)) }

    /// The same with the constants converted once (the chip writes every weight at every training step).
    @inline(__always)
    static func code(_ w: Float, scale: Float, limit: Float) -> Float { min(limit, max(-limit, (w * scale).rounded())) }
}
