// SpikeTraining's API speaks in the model's types (networks, neurons, batches, losses): re-export them so that
// `import SpikeTraining` is enough for users.
@_exported import SpikeModel
