/// A device that learns by itself (on-chip plasticity): it runs each training sample and updates its own weights,
/// so the host does no backward pass and keeps no master copy of the weights (`learning: onchip`).
///
/// The trainer hands it each minibatch and afterwards reads back the network the device holds, for validation,
/// checkpoints and reports; loading that network onto the device again must leave its weights unchanged.
public protocol DeviceLearning: AnyObject {
    /// Runs every sample of `batch` on the device and lets the device learn from it (in order, one update per
    /// sample). `learningRateFactor` scales the device's learning rates (the host's schedule).
    /// - Returns: what the host saw: loss, predictions and spikes from the device's recordings.
    func learn(_ batch: SpikeBatch, objective: Objective, learningRateFactor: Float) throws -> RunStatistics
    /// `template` with the weights the device holds now.
    func heldNetwork(_ template: Network) -> Network
}
