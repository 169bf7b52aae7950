import Foundation
import SpikeSubstrate
import SpikeTraining

/// A checkpoint as a PyTorch state dict for snnTorch: `spikeloop export CKPT --format torch`.
///
/// Weights-only safetensors (no optimizer state) in the layout of this snnTorch module, `L` weight layers:
/// ```
/// fc{k}  = nn.Linear(in, out, bias=False)                      fc{k}.weight         [out, in]
/// lif{k} = snn.Synaptic(alpha, beta, threshold, reset_mechanism="subtract")   (snn.Leaky without a synaptic
///          current; snn.RSynaptic / snn.RLeaky(all_to_all=True) when recurrent; the readout lif{L} has
///          reset_mechanism="none" and is read through its membrane)
///          lif{k}.alpha, .beta, .threshold, .graded_spikes_factor, .reset_mechanism_val   scalars
///          lif{k}.recurrent.weight [post, pre] and lif{k}.recurrent.bias (zeros)
/// ```
/// Weights are `[out, in]` as `nn.Linear` stores them, so `net.load_state_dict(load_file(path))` loads them
/// as they are; the recurrent matrix is stored `[post, pre]`, so a square matrix cannot load transposed.
/// The input gain `c` (`r`, or `(1 − β)·r`) is folded into the weights: snnTorch's membrane adds the current
/// with gain 1. Timing: SpikeLoop reads a layer's spikes from the membrane before the step, so layer k+1 at step
/// t sees the spikes snnTorch's `lif{k}` emitted at step t − 1, and the readout value of step t is the membrane
/// before that step (`[0, mem_0, …, mem_{T−2}]`); `python/examples/load_in_snntorch.py` runs exactly this.
///
/// Metadata: `format` = `pt`, `spikeloop.weight_layout` = `out_in`, `spikeloop.snntorch` (the modules, their
/// constants and the timing, JSON), `spikeloop.encoder` (every parameter of the input code), `spikeloop.classes`
/// (class names), `spikeloop.readout` (the loss's reduction over time), the run config, version and commit.
/// A chip-trained checkpoint also gets `chip.fc{k}.weight_codes` (`I8`, `[out, in]`) and
/// `chip.lif{k}.recurrent.weight_codes`: the signed 6-bit values that ran on the chip, with their scales in
/// `spikeloop.chip_weights`.
public enum TorchExport {
    /// The module layout's name, in `spikeloop.snntorch`.
    public static let layoutName = "spikeloop-snntorch-v1"

    /// What was written.
    public struct Summary: Sendable {
        public var tensorNames: [String]
        public var hasChipCodes: Bool
    }

    /// Reads `checkpoint` and writes its torch export to `output`.
    /// - Throws: `TrainingError` for an unreadable checkpoint, ``RunError`` (`.checkpoint`) naming the layer and
    ///   the setting snnTorch's modules cannot express.
    @discardableResult
    public static func export(checkpoint: URL, to output: URL) throws -> Summary {
        let c = try Checkpoint.read(from: checkpoint)
        var writer = try tensors(of: c, source: checkpoint.lastPathComponent)
        writer.metadata["spikeloop.source_checkpoint"] = checkpoint.path
        try writer.write(to: output)
        return Summary(tensorNames: writer.names, hasChipCodes: writer.names.contains { $0.hasPrefix("chip.") })
    }

    /// The tensors and metadata of the export of `checkpoint` (`source` names it in errors).
    static func tensors(of checkpoint: Checkpoint, source: String) throws -> SafetensorsWriter {
        let network = checkpoint.network
        let config = try savedConfig(checkpoint, source: source)
        var w = SafetensorsWriter()
        var modules: [[String: Any]] = []
        let chip = ChipWeights(checkpoint: checkpoint)
        for (l, layer) in network.layers.enumerated() {
            let k = l + 1
            let p = layer.parameters
            try checkExpressible(layer, index: l, source: source)
            let d = p.discretized(dt: network.dt)
            let gain = Float(d.gain)
            let (n, m) = (layer.inputCount, layer.neuronCount)
            w.add("fc\(k).weight", floats: layer.weights.transposed(rows: n, columns: m).map { $0 * gain }, shape: [m, n])
            let isReadout = !layer.isSpiking
            let module = (layer.isRecurrent ? "R" : "") + (p.family.hasSynapticCurrent ? "Synaptic" : "Leaky")
            let reset = isReadout ? "none" : "subtract"
            if p.family.hasSynapticCurrent { w.add("lif\(k).alpha", floats: [Float(d.alpha)], shape: []) }
            w.add("lif\(k).beta", floats: [Float(d.beta)], shape: [])
            w.add("lif\(k).threshold", floats: [p.vThreshold], shape: [])
            w.add("lif\(k).graded_spikes_factor", floats: [1], shape: [])
            w.add("lif\(k).reset_mechanism_val", floats: [isReadout ? 2 : 0], shape: [])
            if layer.isRecurrent {
                w.add(
                    "lif\(k).recurrent.weight",
                    floats: layer.recurrentWeights.transposed(rows: m, columns: m).map { $0 * gain }, shape: [m, m])
                w.add("lif\(k).recurrent.bias", floats: [Float](repeating: 0, count: m), shape: [m])
            }
            if let codes = chip?.layers[l] {
                w.add("chip.fc\(k).weight_codes", CheckpointTensor(int8: codes.codes.transposed(rows: n, columns: m), shape: [m, n]))
                if layer.isRecurrent {
                    w.add(
                        "chip.lif\(k).recurrent.weight_codes",
                        CheckpointTensor(int8: codes.recurrentCodes.transposed(rows: m, columns: m), shape: [m, m]))
                }
            }
            modules.append([
                "linear": "fc\(k)", "in_features": n, "out_features": m, "neuron": "lif\(k)",
                "module": "snntorch.\(module)", "alpha": p.family.hasSynapticCurrent ? d.alpha : 0, "beta": d.beta,
                "threshold": Double(p.vThreshold), "reset_mechanism": reset, "recurrent": layer.isRecurrent,
                "output": isReadout ? "membrane" : "spikes", "input_gain_folded_into_weights": d.gain,
            ])
        }
        w.metadata = metadata(checkpoint: checkpoint, config: config, modules: modules, steps: config?.steps)
        if chip != nil, let text = checkpoint.metadata[ChipWeights.metadataKey] {
            w.metadata[ChipWeights.metadataKey] = text
        }
        return w
    }

    /// The run config stored in the checkpoint (nil for a bare network, e.g. one imported from NIR).
    static func savedConfig(_ checkpoint: Checkpoint, source: String) throws -> RunConfig? {
        guard let text = checkpoint.metadata["spikeloop.config"],
            let dict = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        else { return nil }
        return try RunConfig().overlaid(with: dict, source: "\(source) metadata")
    }

    /// Refuses what `snn.Synaptic` / `snn.Leaky` with a folded input gain cannot reproduce exactly.
    static func checkExpressible(_ layer: Layer, index l: Int, source: String) throws {
        let p = layer.parameters
        var problems: [String] = []
        if p.currentTiming != .sameStep { problems.append("currentTiming \(p.currentTiming.rawValue) (snnTorch adds this step's current)") }
        if layer.isSpiking && p.reset != .subtract { problems.append("reset \(p.reset.rawValue) (exported: subtract)") }
        if p.vLeak != 0 || p.vReset != 0 { problems.append("vLeak \(p.vLeak) / vReset \(p.vReset) (snnTorch rests at 0)") }
        guard problems.isEmpty else {
            throw RunError(
                .checkpoint, subject: source,
                "layer \(l) has \(problems.joined(separator: ", ")), which snnTorch's Synaptic/Leaky modules cannot express; use `spikeloop nir export --target snntorch` for the nearest NIR model"
            )
        }
    }

    private static func metadata(
        checkpoint: Checkpoint, config: RunConfig?, modules: [[String: Any]], steps: Int?
    ) -> [String: String] {
        let reduction = config?.loss ?? .maxOverTime
        var m: [String: String] = [
            "format": "pt", "spikeloop.weight_layout": "out_in",
            "spikeloop.version": BuildInfo.version, "spikeloop.git_commit": BuildInfo.gitCommit,
            "spikeloop.snntorch": JSONValue.text([
                "layout": layoutName, "dt": checkpoint.network.dt, "steps": steps ?? NSNull(), "layers": modules,
                "timing":
                    "layer k+1 at step t receives the spikes lif{k} emitted at step t-1 (zeros at t = 0); the recurrent input is the layer's own previous spikes (as snn.RSynaptic does)",
                "readout_trace":
                    "the readout value of step t is lif{L}'s membrane before step t: [0, mem_0, ..., mem_{T-2}]",
            ]),
            "spikeloop.readout": JSONValue.text([
                "reduction": reduction.rawValue, "scale": Double(config?.readoutScale ?? 1),
                "prediction": "argmax over classes of the reduced readout trace",
            ]),
        ]
        if let c = config {
            m["spikeloop.config"] = c.json
            m["spikeloop.encoder"] = JSONValue.text(c.encoderDescription)
            m["spikeloop.classes"] = JSONValue.text(["names": c.classNames(count: checkpoint.network.outputCount)])
        } else {
            m["spikeloop.classes"] = JSONValue.text(["names": (0..<checkpoint.network.outputCount).map { "class \($0)" }])
        }
        for key in ["spikeloop.epoch", "spikeloop.dataset", "spikeloop.provenance"] {
            if let v = checkpoint.metadata[key] { m[key] = v }
        }
        return m
    }
}

/// Other checkpoint exports.
public enum CheckpointExport {
    /// Writes `checkpoint` without its optimizer state (``Checkpoint/weightsOnly``).
    public static func writeWeightsOnly(checkpoint: URL, to output: URL) throws {
        try Checkpoint.read(from: checkpoint).weightsOnly.write(to: output)
    }
}
