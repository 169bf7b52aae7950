import Foundation
import SpikeRun

/// A network with the settings it was built from and its optimizer state: what a Python `Network` holds.
///
/// The settings (``RunConfig``) give the objective, optimizer and training seed; they travel in every saved
/// checkpoint (`spikeloop.config`), so a checkpoint saved from Python evaluates in the CLI and back.
final class ModelBox {
    var config: RunConfig
    var network: Network
    var optimizer: Optimizer?
    /// Epochs trained through the C ABI (sets the learning-rate schedule and the shuffle of the next epoch).
    var epochsTrained = 0

    init(config: RunConfig, network: Network, optimizer: Optimizer? = nil) {
        self.config = config
        self.network = network
        self.optimizer = optimizer
    }

    /// The layer at `index`, or an error naming the valid range.
    func layer(_ index: Int32) throws -> Layer {
        guard index >= 0 && Int(index) < network.layers.count else {
            throw ArgumentError("layer \(index) out of 0..<\(network.layers.count)")
        }
        return network.layers[Int(index)]
    }
}

/// Builds a network for `inputs` channels and `classes` outputs from JSON settings (the `RunConfig` keys:
/// `hidden`, `recurrent`, `tauMem`, `tauSyn`, `dt`, `threshold`, `seed`…), initialized as in the paper.
@_cdecl("sl_network_create")
public func slNetworkCreate(_ json: UnsafePointer<CChar>?, _ inputs: Int64, _ classes: Int64)
    -> UnsafeMutableRawPointer?
{
    guardedHandle {
        guard inputs > 0 && classes > 0 else {
            throw ArgumentError("inputs and classes must be positive, got \(inputs) and \(classes)")
        }
        let config = try runConfig(json)
        let network = config.makeNetwork(inputs: Int(inputs), classes: Int(classes))
        try network.validate()
        return ModelBox(config: config, network: network)
    }
}

/// Reads a SpikeLoop checkpoint (safetensors); its stored settings come with it.
@_cdecl("sl_network_load")
public func slNetworkLoad(_ path: UnsafePointer<CChar>) -> UnsafeMutableRawPointer? {
    guardedHandle {
        let file = String(cString: path)
        let checkpoint = try Checkpoint.read(from: URL(fileURLWithPath: file))
        var config = RunConfig.synthetic
        if let text = checkpoint.metadata["spikeloop.config"],
            let dict = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        {
            config = try RunConfig().overlaid(with: dict, source: "\(file) metadata")
        }
        let model = ModelBox(config: config, network: checkpoint.network, optimizer: checkpoint.optimizer)
        model.epochsTrained = Int(checkpoint.metadata["spikeloop.python.epochs"] ?? "") ?? 0
        return model
    }
}

/// Writes the network, its optimizer state and its settings as a checkpoint (atomically).
@_cdecl("sl_network_save")
public func slNetworkSave(_ handle: UnsafeMutableRawPointer, _ path: UnsafePointer<CChar>) -> Int32 {
    guarded {
        let model: ModelBox = object(handle)
        let checkpoint = Checkpoint(
            network: model.network, optimizer: model.optimizer,
            metadata: ["spikeloop.config": model.config.json, "spikeloop.python.epochs": "\(model.epochsTrained)"])
        try checkpoint.write(to: URL(fileURLWithPath: String(cString: path)))
    }
}

/// The resolved settings as JSON (free with `sl_string_free`).
@_cdecl("sl_network_config_json")
public func slNetworkConfigJSON(_ handle: UnsafeMutableRawPointer) -> UnsafeMutablePointer<CChar>? {
    let model: ModelBox = object(handle)
    return strdup(model.config.json)
}

/// Replaces settings that do not change the architecture (learning rate, batch size, loss, seed…).
@_cdecl("sl_network_update_config")
public func slNetworkUpdateConfig(_ handle: UnsafeMutableRawPointer, _ json: UnsafePointer<CChar>?) -> Int32 {
    guarded {
        let model: ModelBox = object(handle)
        let config = try model.config.overlaid(with: try settings(json), source: "settings")
        try config.validate()
        model.config = config
    }
}

@_cdecl("sl_network_layer_count")
public func slNetworkLayerCount(_ handle: UnsafeMutableRawPointer) -> Int32 {
    Int32((object(handle) as ModelBox).network.layers.count)
}

/// Shape of layer `l`: input count, neuron count and whether it is recurrent (1) or not (0).
@_cdecl("sl_network_layer_shape")
public func slNetworkLayerShape(
    _ handle: UnsafeMutableRawPointer, _ l: Int32, _ inputs: UnsafeMutablePointer<Int64>,
    _ neurons: UnsafeMutablePointer<Int64>, _ recurrent: UnsafeMutablePointer<Int32>
) -> Int32 {
    guarded {
        let layer = try (object(handle) as ModelBox).layer(l)
        inputs.pointee = Int64(layer.inputCount)
        neurons.pointee = Int64(layer.neuronCount)
        recurrent.pointee = layer.isRecurrent ? 1 : 0
    }
}

/// Copies the weights of layer `l` (`recurrent` 0: `[inputs, neurons]`; 1: `[neurons, neurons]`) into `out`.
@_cdecl("sl_network_get_weights")
public func slNetworkGetWeights(
    _ handle: UnsafeMutableRawPointer, _ l: Int32, _ recurrent: Int32, _ out: UnsafeMutablePointer<Float>,
    _ count: Int64
) -> Int32 {
    guarded {
        let layer = try (object(handle) as ModelBox).layer(l)
        let values = recurrent != 0 ? layer.recurrentWeights : layer.weights
        guard values.count == Int(count) else {
            throw ArgumentError(
                "layer \(l) has \(values.count) \(recurrent != 0 ? "recurrent " : "")weights, buffer holds \(count)")
        }
        values.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: values.count) }
    }
}

/// Replaces the weights of layer `l` with `count` values from `values` (finite; same layout as the getter).
@_cdecl("sl_network_set_weights")
public func slNetworkSetWeights(
    _ handle: UnsafeMutableRawPointer, _ l: Int32, _ recurrent: Int32, _ values: UnsafePointer<Float>, _ count: Int64
) -> Int32 {
    guarded {
        let model: ModelBox = object(handle)
        let layer = try model.layer(l)
        let expected = recurrent != 0 ? layer.recurrentWeights.count : layer.weights.count
        guard expected == Int(count), expected > 0 else {
            throw ArgumentError("layer \(l) has \(expected) \(recurrent != 0 ? "recurrent " : "")weights, got \(count)")
        }
        let new = Array(UnsafeBufferPointer(start: values, count: expected))
        guard new.allSatisfy(\.isFinite) else { throw ArgumentError("layer \(l): weights must be finite") }
        if recurrent != 0 {
            model.network.layers[Int(l)].recurrentWeights = new
        } else {
            model.network.layers[Int(l)].weights = new
        }
    }
}
