import ArgumentParser
import Foundation
import SpikeCore
import SpikeData
import SpikeSubstrate
import SpikeTraining

extension ResetMode: ExpressibleByArgument {}
extension ResetGradient: ExpressibleByArgument {}
extension CurrentTiming: ExpressibleByArgument {}
extension InputScaling: ExpressibleByArgument {}
extension ReadoutReduction: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension Feedback: ExpressibleByArgument {}

/// Flags that override the config; every one is optional so that the file and defaults show through.
struct ConfigFlags: ParsableArguments {
    @Option(help: "Dataset: fashion-mnist, mnist, shd (SHD-format HDF5 files) or synthetic.") var dataset: String?
    @Option(help: "Folder with the dataset's IDX files (else $SPIKELOOP_MNIST_DIR / $SPIKELOOP_FASHION_MNIST_DIR, or the Debian location).") var dataDir: String?
    @Option(help: "YAML or JSON file with settings (same keys as the run's config.json).") var config: String?
    @Option(help: "Epochs.") var epochs: Int?
    @Option(help: "Minibatch size.") var batchSize: Int?
    @Option(name: .customLong("lr"), help: "Learning rate.") var learningRate: Double?
    @Option(help: "Learning-rate factor per epoch (step decay).") var lrDecay: Double?
    @Option(help: "Optimizer: adam or sgd.") var optimizer: OptimizerKind?
    @Option(help: "Hidden layer sizes, comma separated (e.g. 246 or 128,64).") var hidden: String?
    @Flag(help: "Recurrent hidden layers.") var recurrent = false
    @Option(help: "Time steps per sample.") var steps: Int?
    @Option(help: "Time step, seconds (chip time: 1.7e-6).") var dt: Double?
    @Option(help: "Membrane time constant, seconds.") var tauMem: Double?
    @Option(help: "Synaptic time constant, seconds.") var tauSyn: Double?
    @Option(help: "Reset: subtract or zero.") var reset: ResetMode?
    @Option(help: "Reset gradient: detached or differentiable.") var resetGradient: ResetGradient?
    @Option(help: "Surrogate: superspike, sigmoid, exponential or triangle, optionally :beta.") var surrogate: String?
    @Option(help: "Loss reduction over time: max, sum or last.") var loss: ReadoutReduction?
    @Option(help: "Readout scale in front of the softmax.") var readoutScale: Float?
    @Option(help: "Hidden burst regularizer strength.") var burst: Float?
    @Option(help: "Hidden weight L2 strength.") var hiddenL2: Float?
    @Option(help: "Random rotation augmentation, degrees (0: off).") var rotation: Double?
    @Option(help: "Channel-shift augmentation for spike datasets: shift each training sample by up to ±J channels (0: off).") var channelJitter: Int?
    @Option(help: "Dropout on hidden spikes during training (probability a hidden neuron's output is dropped per sample).") var dropout: Float?
    @Option(help: "Validation samples carved from the training set.") var validationSamples: Int?
    @Option(help: "Use only the first N training samples.") var trainSamples: Int?
    @Option(help: "Seed (weights, shuffling, augmentation).") var seed: UInt64?
    @Option(help: "Worker threads (default: all cores).") var threads: Int?
    @Option(help: "Learning rule: bptt, rtrl (tiny networks), eprop, diagonal or superspike.") var learning: String?
    @Option(help: "Feedback for online rules: symmetric, random or uniform.") var feedback: Feedback?
    @Option(help: "Substrate: software, or chip[:seed] for in-the-loop training on the emulated analog chip.") var substrate: String?
    @Flag(help: "Leave the emulated chip uncalibrated.") var uncalibrated = false
    @Option(help: "Scale of the chip's fixed-pattern mismatch (1 = documented defaults).") var mismatchScale: Double?
    @Option(help: "Chip membrane noise SD (threshold units).") var chipNoise: Double?
    @Option(help: "Spread of tau_m, tau_s and (threshold - leak) after calibration (e.g. 0.3).") var decalibration: Double?
    @Option(help: "Chip integration substeps per model step.") var chipSubsteps: Int?

    func resolve(base: TrainConfig? = nil) throws -> TrainConfig {
        var c = base ?? TrainConfig.defaults(for: dataset ?? "fashion-mnist")
        if let f = config {
            c = try c.overlaid(withFile: f)
            // A config file that names the dataset starts from that dataset's defaults, as the flag would.
            if dataset == nil, base == nil, c.dataset != "fashion-mnist" {
                c = try TrainConfig.defaults(for: c.dataset).overlaid(withFile: f)
            }
        }
        if let v = dataset { c.dataset = v }
        if let v = dataDir { c.dataDir = v }
        if let v = epochs { c.epochs = v }
        if let v = batchSize { c.batchSize = v }
        if let v = learningRate { c.learningRate = v }
        if let v = lrDecay { c.lrDecay = v }
        if let v = optimizer { c.optimizer = v }
        if let v = hidden {
            let sizes = v.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw ValidationError("--hidden expects positive sizes separated by commas, got '\(v)'")
            }
            c.hidden = sizes.map { $0! }
        }
        if recurrent { c.recurrent = true }
        if let v = steps { c.steps = v }
        if let v = dt { c.dt = v }
        if let v = tauMem { c.tauMem = v }
        if let v = tauSyn { c.tauSyn = v }
        if let v = reset { c.reset = v }
        if let v = resetGradient { c.resetGradient = v }
        if let v = surrogate { c.surrogate = v }
        if let v = loss { c.loss = v }
        if let v = readoutScale { c.readoutScale = v }
        if let v = burst { c.burst = v }
        if let v = hiddenL2 { c.hiddenL2 = v }
        if let v = rotation { c.rotation = v }
        if let v = channelJitter { c.channelJitter = v }
        if let v = dropout { c.dropout = v }
        if let v = validationSamples { c.validationSamples = v }
        if let v = trainSamples { c.trainSamples = v }
        if let v = seed { c.seed = v }
        if let v = threads { c.threads = v }
        if let v = substrate { c.substrate = v }
        if let v = learning { c.learning = v }
        if let v = feedback { c.feedback = v }
        if uncalibrated { c.chipCalibrated = false }
        if let v = mismatchScale { c.chipMismatchScale = v }
        if let v = chipNoise { c.chipNoise = v }
        if let v = decalibration { c.chipDecalibration = v }
        if let v = chipSubsteps { c.chipSubsteps = v }
        do { try c.validate() } catch let e as ConfigError { throw ValidationError(e.description) }
        return c
    }
}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a spiking network with surrogate-gradient BPTT.",
        discussion: """
            Defaults follow Cramer et al. 2022 for 16x16 images (256-246-10, dt 1.7 us, tau 6 us, 20 steps, \
            max-over-time loss x10, burst 5e-4, hidden L2 0.1, Adam 1.5e-3 x0.97/epoch, batch 100). \
            The run directory receives config.json, metrics.jsonl, last/best checkpoints (safetensors) and \
            report.html. Ctrl-C stops at the next batch with a valid checkpoint; --resume continues it.
            """)

    @OptionGroup var flags: ConfigFlags
    @Option(help: "Run directory (default: runs/<dataset>-<time>).") var runDir: String?
    @Option(help: "Continue the run in this directory from its last checkpoint.") var resume: String?
    @Flag(help: "Print one JSON object as the last line.") var json = false
    /// Acts as a Ctrl-C after this many batches (tests of interruption and resume).
    @Option(help: .hidden) var interruptAfterBatches: Int?

    func run() throws {
        BLAS.setThreads(1)
        var config: TrainConfig
        var runURL: URL
        var checkpoint: Checkpoint? = nil
        if let r = resume {
            runURL = URL(fileURLWithPath: r)
            let cfgPath = runURL.appendingPathComponent("config.json").path
            guard FileManager.default.fileExists(atPath: cfgPath) else {
                throw ValidationError("--resume \(r): no config.json in that folder (not a run directory?)")
            }
            let saved = try TrainConfig().overlaid(withFile: cfgPath)
            config = try flags.resolve(base: saved)
            let last = runURL.appendingPathComponent("last.safetensors")
            guard FileManager.default.fileExists(atPath: last.path) else {
                throw ValidationError("--resume \(r): no last.safetensors to resume from")
            }
            checkpoint = try Checkpoint.read(from: last)
        } else {
            config = try flags.resolve()
            let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
            runURL = URL(fileURLWithPath: runDir ?? "runs/\(config.dataset)-\(stamp)")
        }
        try prepareRunDirectory(runURL, config: config, resuming: checkpoint != nil)
        let workers = config.threads ?? availableCores

        let data = try DataPipeline.load(config)
        log("\(config.dataset): \(data.train.sampleCount) train, \(data.validation.sampleCount) validation, \(data.test.sampleCount) test samples, \(config.steps) steps (loaded and encoded in \(String(format: "%.2f", data.loadSeconds)) s)")
        var network = checkpoint?.network ?? config.makeNetwork(inputs: data.channels, classes: data.classes)
        guard network.inputCount == data.channels, network.outputCount == data.classes else {
            throw ValidationError("checkpoint network is \(network.inputCount)->\(network.outputCount), data needs \(data.channels)->\(data.classes)")
        }
        let optimizer = checkpoint?.optimizer ?? Optimizer(config: config.optimizerConfig, network: network)
        let substrate = try makeSubstrate(config, network: network)
        if substrate is EmulatedChip { log("substrate \(substrate.name): \(config.chipCalibrated ? "calibrated" : "uncalibrated"), mismatch ×\(config.chipMismatchScale), decalibration \(config.chipDecalibration)") }
        let trainer = try Trainer(
            network: network, optimizer: optimizer, objective: config.objective, substrate: substrate, stepCount: config.steps,
            seed: config.seed, workers: workers, learning: config.learningRule, dropout: config.dropout)
        let inference = Inference(network: network, stepCount: config.steps, workers: workers)
        let meta = checkpoint?.metadata ?? [:]
        var epoch = Int(meta["spikeloop.epoch"] ?? "0") ?? 0
        var startBatch = Int(meta["spikeloop.next_batch"] ?? "0") ?? 0
        var best = Double(meta["spikeloop.best_validation_accuracy"] ?? "-1") ?? -1
        var partial = BatchStatistics()
        if startBatch > 0 {
            partial.samples = Int(meta["spikeloop.partial_samples"] ?? "0") ?? 0
            partial.lossSum = Double(meta["spikeloop.partial_loss_sum"] ?? "0") ?? 0
            partial.correct = Int(meta["spikeloop.partial_correct"] ?? "0") ?? 0
            partial.hiddenSpikes = Int(meta["spikeloop.partial_hidden_spikes"] ?? "0") ?? 0
        }
        if checkpoint != nil { log("resuming \(runURL.path) at epoch \(epoch + 1), batch \(startBatch)") }
        Interrupt.install()
        var progress = ProgressLine(enabled: !json)
        var epochSeconds: [Double] = []
        let metricsURL = runURL.appendingPathComponent("metrics.jsonl")
        let batchCount = (data.train.sampleCount + config.batchSize - 1) / config.batchSize

        func save(_ name: String, nextEpoch: Int, nextBatch: Int, partial: BatchStatistics) throws {
            var m: [String: String] = [
                "spikeloop.config": config.json, "spikeloop.epoch": "\(nextEpoch)", "spikeloop.next_batch": "\(nextBatch)",
                "spikeloop.best_validation_accuracy": "\(best)", "spikeloop.dataset": config.dataset,
                "spikeloop.provenance": "spikeloop train, substrate \(substrate.name), seed \(config.seed), threads \(workers)",
            ]
            if nextBatch > 0 {
                m["spikeloop.partial_samples"] = "\(partial.samples)"
                m["spikeloop.partial_loss_sum"] = "\(partial.lossSum)"
                m["spikeloop.partial_correct"] = "\(partial.correct)"
                m["spikeloop.partial_hidden_spikes"] = "\(partial.hiddenSpikes)"
            }
            try Checkpoint(network: trainer.network, optimizer: trainer.optimizer, metadata: m).write(to: runURL.appendingPathComponent(name))
        }

        var batchesRun = 0
        while epoch < config.epochs {
            let t0 = monotonicSeconds()
            let batch = data.trainBatch(epoch: epoch, config: config)
            let e = epoch
            var (stats, next) = try trainer.trainEpoch(
                batch, epoch: epoch, batchSize: config.batchSize, startBatch: startBatch, shouldStop: { Interrupt.isRequested }
            ) { p in
                batchesRun += 1
                if let limit = interruptAfterBatches, batchesRun >= limit { Interrupt.requested = 1 }
                var s = p.statistics
                s.merge(partial)
                let eta = Double(p.batchCount - p.batch) * Double(config.batchSize) / max(p.samplesPerSecond, 1)
                progress.draw(
                    "epoch \(e + 1)/\(config.epochs) \(ProgressLine.bar(Double(p.batch) / Double(p.batchCount))) \(p.batch)/\(p.batchCount) "
                        + String(format: "loss %.4f acc %.2f%% spikes/sample %.1f %.0f samples/s ETA %@", s.meanLoss, 100 * s.accuracy, s.hiddenSpikesPerSample, p.samplesPerSecond, ProgressLine.duration(eta)))
            }
            stats.merge(partial)
            if next < batchCount {
                progress.clear()
                try save("last.safetensors", nextEpoch: epoch, nextBatch: next, partial: stats)
                log("interrupted in epoch \(epoch + 1) at batch \(next)/\(batchCount); checkpoint written. Continue with: spikeloop train --resume \(runURL.path)")
                throw ExitCode(130)
            }
            partial = BatchStatistics()
            startBatch = 0
            try substrate.load(trainer.network)
            let val = data.validation.sampleCount > 0
                ? try inference.evaluate(data.validation, substrate: substrate, loss: config.objective.loss, classes: data.classes) : Evaluation(classes: data.classes)
            let seconds = monotonicSeconds() - t0
            epochSeconds.append(seconds)
            progress.clear()
            let lr = config.optimizerConfig.learningRate(epoch: epoch)
            let line: [String: Any] = [
                "epoch": epoch + 1, "train_loss": stats.meanLoss, "train_accuracy": stats.accuracy,
                "validation_loss": val.meanLoss, "validation_accuracy": val.accuracy,
                "hidden_spikes_per_sample": stats.hiddenSpikesPerSample, "validation_hidden_spikes_per_sample": val.hiddenSpikesPerSample,
                "seconds": seconds, "learning_rate": lr,
            ]
            try appendLine(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self), to: metricsURL)
            log(String(format: "epoch %3d/%d  loss %.4f  train %.2f%%  val %.2f%%  spikes/sample %.1f  %.2f s", epoch + 1, config.epochs, stats.meanLoss, 100 * stats.accuracy, 100 * val.accuracy, stats.hiddenSpikesPerSample, seconds))
            epoch += 1
            if data.validation.sampleCount > 0 && val.accuracy > best {
                best = val.accuracy
                try save("best.safetensors", nextEpoch: epoch, nextBatch: 0, partial: BatchStatistics())
            }
            try save("last.safetensors", nextEpoch: epoch, nextBatch: 0, partial: BatchStatistics())
        }

        // Final: evaluate the best checkpoint on the test set (the last one when there is no validation split).
        let bestURL = runURL.appendingPathComponent("best.safetensors")
        let finalNet = FileManager.default.fileExists(atPath: bestURL.path) ? try Checkpoint.read(from: bestURL).network : trainer.network
        try substrate.load(finalNet)
        let test = try inference.evaluate(data.test, substrate: substrate, loss: config.objective.loss, classes: data.classes)
        try writeEvaluation(test, to: runURL.appendingPathComponent("test.json"))
        let report = try RunReport.write(runDirectory: runURL, network: finalNet, config: config, data: data, evaluation: test, substrate: substrate)
        let meanEpoch = epochSeconds.isEmpty ? 0 : epochSeconds.reduce(0, +) / Double(epochSeconds.count)
        log(String(format: "test accuracy %.2f%%  hidden spikes/sample %.1f  (%d epochs, %.2f s/epoch)", 100 * test.accuracy, test.hiddenSpikesPerSample, epoch, meanEpoch))
        log("run directory: \(runURL.path)")
        log("report: \(report.path)")
        if json {
            printJSONLine([
                "test_accuracy": test.accuracy, "hidden_spikes_per_sample": test.hiddenSpikesPerSample, "epochs": epoch,
                "seconds_per_epoch": meanEpoch, "run_dir": runURL.path, "best_validation_accuracy": best,
                "dataset": config.dataset, "seed": Int(config.seed), "threads": workers, "report": report.path,
                "substrate": substrate.name, "chip_seconds_per_test_image": test.samples > 0 ? test.substrateSeconds / Double(test.samples) : 0,
                "chip_energy_joules_per_test_image": test.samples > 0 ? test.energyJoules / Double(test.samples) : 0,
            ])
        }
    }

    private func log(_ s: String) {
        if json { FileHandle.standardError.write(Data((s + "\n").utf8)) } else { print(s) }
    }

    private func prepareRunDirectory(_ url: URL, config: TrainConfig, resuming: Bool) throws {
        let fm = FileManager.default
        do { try fm.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw ValidationError("cannot create run directory \(url.path): \(error.localizedDescription)")
        }
        guard fm.isWritableFile(atPath: url.path) else { throw ValidationError("run directory \(url.path) is not writable") }
        if !resuming {
            if fm.fileExists(atPath: url.appendingPathComponent("last.safetensors").path) {
                throw ValidationError("run directory \(url.path) already holds a run; use --resume \(url.path) or another --run-dir")
            }
            try? fm.removeItem(at: url.appendingPathComponent("metrics.jsonl"))
        }
        do { try atomicWrite(Data(config.json.utf8), to: url.appendingPathComponent("config.json")) } catch {
            throw ValidationError("cannot write to run directory \(url.path): \(error)")
        }
    }
}

/// Writes an evaluation as JSON (atomically).
func writeEvaluation(_ e: Evaluation, to url: URL) throws {
    let obj: [String: Any] = [
        "accuracy": e.accuracy, "samples": e.samples, "loss": e.meanLoss, "hidden_spikes_per_sample": e.hiddenSpikesPerSample,
        "confusion": e.confusion, "per_class_accuracy": e.perClassAccuracy,
    ]
    try atomicWrite(try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .prettyPrinted]), to: url)
}

/// The substrate named in the config: the software simulator or an emulated chip instance.
func makeSubstrate(_ config: TrainConfig, network: Network) throws -> Substrate {
    if config.substrate == "software" { return SoftwareSubstrate() }
    let seed = config.substrate.hasPrefix("chip:") ? UInt64(config.substrate.dropFirst(5)) ?? 1 : 1
    var cfg = ChipConfig()
    let k = config.chipMismatchScale
    cfg.tauMemSpread *= k
    cfg.tauSynSpread *= k
    cfg.leakSpread *= k
    cfg.resetSpread *= k
    cfg.thresholdSpread *= k
    cfg.refractorySpread *= k
    cfg.synapseGainSpread *= k
    cfg.adcOffsetSpread *= k
    cfg.adcGainSpread *= k
    if let n = config.chipNoise { cfg.membraneNoise = n }
    if let s = config.chipSubsteps { cfg.substeps = s }
    let p = network.layers[0].parameters
    let chip = EmulatedChip(seed: seed, config: cfg, calibrated: config.chipCalibrated, tauMem: p.tauMem, tauSyn: p.tauSyn)
    try chip.load(network)
    if config.chipDecalibration > 0 { chip.decalibrate(sigma: config.chipDecalibration) }
    return chip
}
