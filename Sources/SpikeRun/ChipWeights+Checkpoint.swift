import Foundation
import SpikeSubstrate
import SpikeTraining

extension ChipWeights {
    /// Metadata key of the chip record: substrate, `weight_max` and the scale of every layer.
    public static let metadataKey = "spikeloop.chip_weights"

    /// The codes as checkpoint attachments: `chip.layers.{l}.weight_codes` (`I8`, `[in, out]` like the weights)
    /// and `chip.layers.{l}.recurrent_weight_codes`.
    public func attachments(for network: Network) -> [String: CheckpointTensor] {
        var out: [String: CheckpointTensor] = [:]
        for (l, (codes, layer)) in zip(layers, network.layers).enumerated() {
            out["chip.layers.\(l).weight_codes"] = CheckpointTensor(
                int8: codes.codes, shape: [layer.inputCount, layer.neuronCount])
            if layer.isRecurrent {
                out["chip.layers.\(l).recurrent_weight_codes"] = CheckpointTensor(
                    int8: codes.recurrentCodes, shape: [layer.neuronCount, layer.neuronCount])
            }
        }
        return out
    }

    /// The metadata record: `{"substrate": "chip:1", "weight_max": 63, "scales": [240, …], "output_scale": s,
    /// "effective_weight": "w_hw / scale × the synapse's fixed-pattern gain"}`.
    public func metadata(substrate: String, config: ChipConfig) -> String {
        JSONValue.text([
            "substrate": substrate, "weight_max": config.weightMax, "scales": layers.map(\.scale),
            "output_scale": outputScale,
            "effective_weight": "w_hw / scale, times the synapse's fixed-pattern gain of the chip instance",
        ])
    }

    /// Reads the codes and scales back from a checkpoint written by a chip run; nil when it holds none.
    public init?(checkpoint: Checkpoint) {
        guard let text = checkpoint.metadata[Self.metadataKey],
            let obj = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let scales = obj["scales"] as? [Double], scales.count == checkpoint.network.layers.count
        else { return nil }
        var layers: [LayerCodes] = []
        for (l, scale) in scales.enumerated() {
            guard let codes = checkpoint.attachments["chip.layers.\(l).weight_codes"] else { return nil }
            let recurrent = checkpoint.attachments["chip.layers.\(l).recurrent_weight_codes"]?.int8Values ?? []
            layers.append(LayerCodes(codes: codes.int8Values, recurrentCodes: recurrent, scale: scale))
        }
        self.init(layers: layers)
    }
}
