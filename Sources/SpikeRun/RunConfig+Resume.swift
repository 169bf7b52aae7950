import Foundation
import SpikeTraining

extension RunConfig {
    /// Settings that decide which samples the batches of an epoch hold: they must not change in the middle of an
    /// epoch (a resume from a mid-epoch checkpoint), or the rest of the epoch would skip or repeat samples.
    static let epochOrderKeys = ["dataset", "batchSize", "trainSamples", "validationSamples", "seed"]

    /// Checks that `checkpoint` (read from `path`) can continue under this config.
    ///
    /// Refused, naming both values: a network that differs from the one the config describes (hidden sizes,
    /// recurrence, Δt, neuron parameters, weight limit), another optimizer kind, and — for a checkpoint written
    /// in the middle of an epoch — another batch size, training subset, validation split, seed or dataset (which
    /// would change the rest of that epoch's batches; change them at an epoch boundary instead). A new learning
    /// rate, decay, momentum or weight decay is accepted and applied (see ``TrainingRun``).
    /// - Throws: ``RunError`` (`.checkpoint`) with the checkpoint's path as subject.
    public func checkResume(from checkpoint: Checkpoint, path: String) throws {
        func refuse(_ key: String, _ saved: String, _ wanted: String, _ hint: String = "") -> RunError {
            RunError(
                .checkpoint, subject: path,
                "\(RunConfig.fileKey(key)) (\(RunOverrides.flagName(forKey: key))) is \(saved) in the checkpoint but \(wanted) in the config\(hint)"
            )
        }
        try checkNetwork(checkpoint.network, refuse: refuse)
        if let kind = checkpoint.optimizer?.config.kind, kind != optimizer {
            throw refuse("optimizer", kind.rawValue, optimizer.rawValue, "; its moments cannot carry over")
        }
        let state = RunState(metadata: checkpoint.metadata)
        guard state.nextBatch > 0, let text = checkpoint.metadata["spikeloop.config"],
            let dict = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let saved = try? RunConfig().overlaid(with: dict, source: path)
        else { return }
        let savedValues = saved.encodedValues
        let values = encodedValues
        for key in Self.epochOrderKeys where "\(savedValues[key] ?? "nil")" != "\(values[key] ?? "nil")" {
            throw refuse(
                key, "\(savedValues[key] ?? "unset")", "\(values[key] ?? "unset")",
                "; the checkpoint stopped in the middle of epoch \(state.epoch + 1) (before batch \(state.nextBatch + 1)), and another \(RunConfig.fileKey(key)) would skip or repeat samples of that epoch. Resume with the checkpoint's value to finish the epoch, and change it at an epoch boundary"
            )
        }
    }

    /// The network checks of ``checkResume(from:path:)``.
    private func checkNetwork(
        _ network: Network, refuse: (String, String, String, String) -> RunError
    ) throws {
        let hiddenLayers = Array(network.hiddenLayers)
        let sizes = hiddenLayers.map(\.neuronCount)
        guard sizes == hidden else { throw refuse("hidden", "\(sizes)", "\(hidden)", "") }
        let isRecurrent = hiddenLayers.contains { $0.isRecurrent }
        guard isRecurrent == recurrent else { throw refuse("recurrent", "\(isRecurrent)", "\(recurrent)", "") }
        guard network.dt == dt else { throw refuse("dt", "\(network.dt)", "\(dt)", "") }
        let want = neuron
        for layer in hiddenLayers {
            let p = layer.parameters
            let pairs: [(String, String, String)] = [
                ("tauMem", "\(p.tauMem)", "\(want.tauMem)"), ("tauSyn", "\(p.tauSyn)", "\(want.tauSyn)"),
                ("threshold", "\(p.vThreshold)", "\(want.vThreshold)"), ("reset", "\(p.reset)", "\(want.reset)"),
                ("resetGradient", "\(p.resetGradient)", "\(want.resetGradient)"),
                ("currentTiming", "\(p.currentTiming)", "\(want.currentTiming)"),
                ("inputScaling", "\(p.inputScaling)", "\(want.inputScaling)"),
                (
                    "weightLimit", "\(layer.weightLimit.map { "\($0)" } ?? "none")",
                    "\(weightLimit.map { "\($0)" } ?? "none")"
                ),
            ]
            if let (key, saved, wanted) = pairs.first(where: { $0.1 != $0.2 }) {
                throw refuse(key, saved, wanted, "")
            }
        }
    }

    /// The config's settings as JSON values by key (nil settings absent).
    var encodedValues: [String: Any] {
        guard let data = try? JSONEncoder().encode(self),
            let dict = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        return dict
    }
}

extension OptimizerConfig {
    /// This config's kind, learning rate, decay, momentum and weight decay with the Adam constants (β₁, β₂, ε) of
    /// `saved`, the config of a resumed optimizer: a resume applies a new learning rate instead of ignoring it.
    public func resuming(_ saved: OptimizerConfig) -> OptimizerConfig {
        var c = self
        c.beta1 = saved.beta1
        c.beta2 = saved.beta2
        c.epsilon = saved.epsilon
        return c
    }
}
