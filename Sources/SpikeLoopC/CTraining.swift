import Foundation
import SpikeRun

/// Progress callback: `(epoch (from 1), batch, batchCount, loss, accuracy, validationAccuracy, userData)`; returns nonzero to
/// stop after the current batch. Per-batch calls pass NaN as the validation accuracy; per-epoch calls (dataset
/// training) pass `batch == batchCount`.
public typealias SLProgress =
    @convention(c) (Int32, Int32, Int32, Double, Double, Double, UnsafeMutableRawPointer?) -> Int32

/// Writes `[samples, accuracy, meanLoss, hiddenSpikesPerSample, substrateSeconds, energyJoules]` to `out`.
func write(_ s: RunStatistics, to out: UnsafeMutablePointer<Double>?) {
    guard let out else { return }
    let values = [
        Double(s.samples), s.accuracy, s.meanLoss, s.hiddenSpikesPerSample, s.substrateSeconds, s.energyJoules,
    ]
    for (i, v) in values.enumerated() { out[i] = v }
}

/// Evaluates the network on a labelled batch; writes the statistics (6 values) and one prediction per sample.
/// The network, substrate and labelled batch behind three handles, the batch checked against the network.
private func labelledRun(
    _ networkHandle: UnsafeMutableRawPointer, _ substrateHandle: UnsafeMutableRawPointer, _ batchHandle: UnsafeMutableRawPointer
) throws -> (ModelBox, Substrate, SpikeBatch) {
    let model: ModelBox = object(networkHandle)
    let batch = (object(batchHandle) as BatchBox).batch
    try check(batch, fits: model.network, labelled: true)
    return (model, (object(substrateHandle) as SubstrateBox).substrate, batch)
}

@_cdecl("sl_evaluate")
public func slEvaluate(
    _ networkHandle: UnsafeMutableRawPointer, _ substrateHandle: UnsafeMutableRawPointer,
    _ batchHandle: UnsafeMutableRawPointer,
    _ stats: UnsafeMutablePointer<Double>?, _ predictions: UnsafeMutablePointer<Int32>?
) -> Int32 {
    guarded {
        let (model, substrate, batch) = try labelledRun(networkHandle, substrateHandle, batchHandle)
        try substrate.load(model.network)
        let inference = Inference(network: model.network, stepCount: batch.stepCount, workers: model.config.workers)
        let result = try inference.evaluate(
            batch, substrate: substrate, loss: model.config.objective.loss, classes: model.network.outputCount)
        write(result, to: stats)
        if let predictions { for (s, p) in result.predictions.enumerated() { predictions[s] = p } }
    }
}

/// Trains one epoch on a labelled batch with the network's settings (optimizer, batch size, objective, seed);
/// the optimizer state carries over between calls. Writes the epoch's training statistics (6 values).
@_cdecl("sl_train_epoch")
public func slTrainEpoch(
    _ networkHandle: UnsafeMutableRawPointer, _ substrateHandle: UnsafeMutableRawPointer,
    _ batchHandle: UnsafeMutableRawPointer,
    _ progress: SLProgress?, _ userData: UnsafeMutableRawPointer?, _ stats: UnsafeMutablePointer<Double>?
) -> Int32 {
    guarded {
        let (model, substrate, batch) = try labelledRun(networkHandle, substrateHandle, batchHandle)
        let c = model.config
        let trainer = try Trainer(
            network: model.network,
            optimizer: model.optimizer ?? Optimizer(config: c.optimizerConfig, network: model.network),
            objective: c.objective, substrate: substrate, stepCount: batch.stepCount, seed: c.seed, workers: c.workers,
            learning: c.learningRule, dropout: c.dropout)
        var stop = false
        let epoch = model.epochsTrained
        let (result, next) = try trainer.trainEpoch(batch, epoch: epoch, batchSize: c.batchSize, shouldStop: { stop }) {
            p in
            let s = p.statistics
            let answer =
                progress?(Int32(epoch + 1), Int32(p.batch), Int32(p.batchCount), s.meanLoss, s.accuracy, .nan, userData)
                ?? 0
            stop = answer != 0
        }
        model.network = trainer.network
        model.optimizer = trainer.optimizer
        if next == (batch.sampleCount + c.batchSize - 1) / c.batchSize { model.epochsTrained += 1 }
        write(result, to: stats)
    }
}

/// BPTT gradients of the batch-mean loss (the network's objective, without the weight L2 term) on a labelled
/// batch run on `substrate`: layer `l`'s `[inputs, neurons]` gradient goes to `weights[l]`, its recurrent one to
/// `recurrent[l]` (may be null for non-recurrent layers). Deterministic: one worker, no tie-break noise.
@_cdecl("sl_gradients")
public func slGradients(
    _ networkHandle: UnsafeMutableRawPointer, _ substrateHandle: UnsafeMutableRawPointer,
    _ batchHandle: UnsafeMutableRawPointer,
    _ weights: UnsafePointer<UnsafeMutablePointer<Float>?>, _ recurrent: UnsafePointer<UnsafeMutablePointer<Float>?>?,
    _ stats: UnsafeMutablePointer<Double>?
) -> Int32 {
    guarded {
        let (model, substrate, batch) = try labelledRun(networkHandle, substrateHandle, batchHandle)
        try substrate.load(model.network)
        let engine = BPTT(
            network: model.network, stepCount: batch.stepCount, workers: 1, chunk: max(1, substrate.preferredChunkSize))
        let (grads, result) = try engine.gradients(
            network: model.network, batch: batch, substrate: substrate, objective: model.config.objective,
            noiseSeed: nil)
        for l in grads.weights.indices {
            guard let out = weights[l] else { throw ArgumentError("no buffer for the gradient of layer \(l)") }
            grads.weights[l].withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: $0.count) }
            if !grads.recurrent[l].isEmpty {
                guard let out = recurrent?[l] else {
                    throw ArgumentError("no buffer for the recurrent gradient of layer \(l)")
                }
                grads.recurrent[l].withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: $0.count) }
            }
        }
        write(result, to: stats)
    }
}

/// Trains on a built-in dataset as `spikeloop train` does (JSON settings over the dataset's defaults) into
/// `runDirectory`; `progress` is called after every epoch. Returns the tested network (the best checkpoint's)
/// and writes the result as JSON to `*resultJSON` (free with `sl_string_free`).
@_cdecl("sl_train_dataset")
public func slTrainDataset(
    _ json: UnsafePointer<CChar>?, _ runDirectory: UnsafePointer<CChar>, _ progress: SLProgress?,
    _ userData: UnsafeMutableRawPointer?, _ resultJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> UnsafeMutableRawPointer? {
    guardedHandle {
        let config = try runConfig(json)
        let directory = try RunDirectory.create(at: URL(fileURLWithPath: String(cString: runDirectory)), config: config)
        let run = try TrainingRun(config: config, directory: directory)
        var stop = false
        let outcome = try run.run(
            epochFinished: { e in
                let answer =
                    progress?(
                        Int32(e.epoch), Int32(run.batchCount), Int32(run.batchCount), e.train.meanLoss,
                        e.train.accuracy,
                        e.validation.accuracy, userData) ?? 0
                stop = answer != 0
            }, shouldStop: { stop })
        guard case .completed(let result) = outcome else {
            throw RunError(
                .invalidSetting, subject: "progress",
                "training was stopped by the progress callback; resume from \(directory.url.path)")
        }
        let text = try JSONSerialization.data(withJSONObject: result.jsonObject, options: [.sortedKeys])
        resultJSON?.pointee = strdup(String(decoding: text, as: UTF8.self))
        let model = ModelBox(config: config, network: result.network)
        model.epochsTrained = result.epochs
        return model
    }
}
