import ArgumentParser
import Foundation
import SpikeCore
import SpikeRun
import SpikeTraining

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a spiking network with surrogate-gradient BPTT.",
        discussion: """
            Defaults follow Cramer et al. 2022 for 16x16 images (256-246-10, dt 1.7 us, tau 6 us, 20 steps, \
            max-over-time loss x10, burst 5e-4, hidden L2 0.1, Adam 1.5e-3 x0.97/epoch, batch 100). \
            The run directory receives config.json (every resolved setting, the chip model, version and commit), \
            metrics.jsonl, last/best checkpoints (safetensors), test.json (naming the checkpoint and epoch it \
            scored), tensorboard/ event files (--no-tensorboard: none) and report.html. --print-config shows the \
            settings without training; spikeloop config keys explains every key. Ctrl-C or SIGTERM stops at the next batch with a valid checkpoint (exit 130 or 143); \
            --resume continues it, with new --lr, --lr-decay or --epochs if given (a mid-epoch checkpoint keeps its \
            batch size). The run directory is locked while a run trains in it. A diverged run (non-finite loss or \
            weights) stops with an error naming the last good checkpoint; training accuracy at chance for 3 epochs \
            in a row prints a warning.
            """)

    @OptionGroup var flags: ConfigFlags
    @Option(help: "Run directory (default: runs/<dataset>-<time>).") var runDir: String?
    @Option(help: "Continue the run in this directory from its last checkpoint.") var resume: String?
    @Option(help: "Start from this network instead of random weights: a NIR file (.nir) or a checkpoint (.safetensors).") var initFrom: String?
    @Option(help: "With --init-from FILE.nir: who wrote it (nir uses --dt as the step; snntorch 1e-4, norse 1e-3).") var initProducer: NIRProducer = .nir
    @Flag(help: "Print one JSON object as the last line.") var json = false
    @Flag(help: "Print the fully resolved settings (defaults, config file, flags; as config.json records them) and exit.") var printConfig = false
    @OptionGroup(title: "Continual learning (--tasks; see spikeloop experiment continual)") var continualFlags: ContinualFlags
    /// Acts as a Ctrl-C after this many batches (tests of interruption and resume).
    @Option(help: .hidden) var interruptAfterBatches: Int?

    func run() throws {
        BLAS.setThreads(1)
        if let tasks = continualFlags.tasks { return try runContinual(tasks) }
        let mpi = try DataParallelLaunch.join()
        try DataParallelLaunch.run(mpi) { try train(collective: mpi) }
    }

    /// Trains alone, or as one rank of `collective` (rank 0 alone prints and writes the run directory).
    private func train(collective: Collective?) throws {
        let writer = (collective?.rank ?? 0) == 0
        // First: a SIGTERM or Ctrl-C while the data loads stops the run at its first batch boundary.
        StopRequest.installInterruptHandler()
        guard let opened = try openRun(collective) else { return }
        let (config, session) = opened
        guard writer else { return try followRun(session) }
        if let c = collective { log("data-parallel training over \(c.size) MPI ranks: each runs its share of every batch\(session.substrateSpec.isChip ? " on its own chip (rank r: chip seed + r)" : ""); rank 0 writes the run directory") }
        if session.substrateSpec.isChip { log("substrate \(session.substrate.name): \(config.chipCalibrated ? "calibrated" : "uncalibrated"), mismatch ×\(config.chipMismatchScale), decalibration \(config.chipDecalibration)") }
        if let m = try session.substrateSpec.mapping(for: session.trainer.network, chip: config.chipSettings), !m.fitsOneChip {
            log("partitioned: \(m.runsPerSample) sub-networks per sample in \(m.wavesPerSample) waves on \(m.chips) chip\(m.chips == 1 ? "" : "s") (spikeloop partition shows the mapping)")
        }
        if resume != nil { log("resuming \(session.directory.url.path) at epoch \(session.state.epoch + 1), batch \(session.state.nextBatch)") }
        var progress = ProgressLine(enabled: !json)
        var batchesRun = 0
        let outcome = try session.run(
            progress: { p in
                batchesRun += 1
                if let limit = interruptAfterBatches, batchesRun >= limit { StopRequest.request() }
                let s = p.statistics
                progress.draw(
                    "epoch \(p.epoch + 1)/\(p.epochs) \(ProgressLine.bar(p.fraction)) \(p.batch)/\(p.batchCount) "
                        + String(format: "loss %.4f acc %.2f%% spikes/sample %.1f %.0f samples/s ETA %@", s.meanLoss, 100 * s.accuracy, s.hiddenSpikesPerSample, p.samplesPerSecond, ProgressLine.duration(p.etaSeconds)))
            },
            epochFinished: { e in
                progress.clear()
                log(String(format: "epoch %3d/%d  loss %.4f  train %.2f%%  val %.2f%%  spikes/sample %.1f  %.2f s", e.epoch, e.epochs, e.train.meanLoss, 100 * e.train.accuracy, 100 * e.validation.accuracy, e.train.hiddenSpikesPerSample, e.seconds))
                if let w = e.warning { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
            },
            shouldStop: { StopRequest.isRequested })
        switch outcome {
        case .interrupted(let i):
            progress.clear()
            let how = StopRequest.receivedSignal == SIGTERM ? "terminated (SIGTERM)" : "interrupted"
            log("\(how) in epoch \(i.epoch + 1) at batch \(i.nextBatch)/\(i.batchCount); checkpoint written. Continue with: spikeloop train --resume \(i.directory.url.path)")
            fflush(stdout)
            throw ExitCode(StopRequest.exitStatus)
        case .completed(let r):
            report(r, config: config)
        }
    }

    /// A rank other than 0: trains in step with rank 0 and prints nothing.
    private func followRun(_ session: TrainingRun) throws {
        let outcome = try session.run(
            progress: { _ in }, shouldStop: { StopRequest.isRequested })
        if case .interrupted = outcome { throw ExitCode(StopRequest.exitStatus) }
    }

    /// The network of --init-from (nil: built from the config).
    private func initialNetwork(_ config: RunConfig) throws -> Network? {
        guard let path = initFrom else { return nil }
        guard resume == nil else { throw ValidationError("--init-from and --resume exclude each other") }
        let net = try NIRInterop.network(from: URL(fileURLWithPath: path), producer: initProducer, dt: config.dt)
        log("initialized from \(path): \(([net.inputCount] + net.layers.map(\.neuronCount)).map(String.init).joined(separator: "-")), dt \(net.dt) s")
        return net
    }

    /// The resolved config and the session: a new run (its directory made only once the data loaded and the
    /// network and substrate were built), or the one being resumed. nil when --resume names a finished run.
    private func openRun(_ collective: Collective?) throws -> (RunConfig, TrainingRun)? {
        guard let r = resume else {
            let config = try flags.resolve()
            if printConfig { return printResolved(config) }
            let data = try loadData(config)
            let url = runDir.map { URL(fileURLWithPath: $0) } ?? RunDirectory.defaultURL(for: config)
            do {
                return (config, try TrainingRun.start(config: config, at: url, data: data, network: try initialNetwork(config), collective: collective))
            } catch let e as RunError where e.code == .runDirectory || e.code == .checkpoint {
                throw ValidationError(e.description)
            }
        }
        let url = URL(fileURLWithPath: r)
        do {
            let config = try flags.resolve(base: try RunDirectory.savedConfig(at: url))
            if printConfig { return printResolved(config) }
            if let done = RunDirectory.finishedRun(at: url, config: config) {
                reportFinished(done, directory: r, config: config)
                return nil
            }
            // Rank 0 locks and reconciles the folder; the other ranks only read its last checkpoint.
            let (directory, checkpoint) = (collective?.rank ?? 0) == 0
                ? try RunDirectory.resume(at: url, config: config)
                : (RunDirectory(url: url), try Checkpoint.read(from: RunDirectory(url: url).lastCheckpointURL))
            let data = try loadData(config)
            return (config, try TrainingRun(resuming: directory, checkpoint: checkpoint, config: config, data: data, collective: collective))
        } catch let e as RunError where e.code == .runDirectory {
            throw ValidationError(e.subject.isEmpty ? e.description : "--resume \(r): \(e.message)")
        } catch let e as RunError where e.code == .checkpoint {
            throw ValidationError("--resume \(r): \(e.description)")
        }
    }

    private func loadData(_ config: RunConfig) throws -> RunData {
        let data = try RunData.load(config)
        log("\(config.dataset): \(data.train.sampleCount) train, \(data.validation.sampleCount) validation, \(data.test.sampleCount) test samples, \(config.steps) steps (loaded and encoded in \(String(format: "%.2f", data.loadSeconds)) s)")
        return data
    }

    /// `--print-config`: the fully resolved settings as `config.json` would hold them; nothing is trained.
    private func printResolved(_ config: RunConfig) -> (RunConfig, TrainingRun)? {
        print(config.recordJSON)
        return nil
    }

    /// `--resume` of a run that has trained all its epochs: what it scored, instead of testing it again.
    private func reportFinished(_ record: [String: Any], directory: String, config: RunConfig) {
        let accuracy = (record["accuracy"] as? Double).map { String(format: "%.2f %%", 100 * $0) } ?? "?"
        let scored = (record["checkpoint"] as? String).map { " (\($0)\((record["epoch"] as? Int).map { ", epoch \($0)" } ?? ""))" } ?? ""
        log("\(directory) already finished its \(config.epochs) epochs: test accuracy \(accuracy)\(scored), in test.json. Nothing to do; to train longer, resume with a larger --epochs.")
        if json { printJSONLine(["run_dir": directory, "finished": true, "test_accuracy": record["accuracy"] ?? NSNull()]) }
    }

    private func report(_ r: TrainingResult, config: RunConfig) {
        let test = r.test
        log(String(format: "test accuracy %.2f%%  hidden spikes/sample %.1f  (%d epochs, %.2f s/epoch)", 100 * test.accuracy, test.hiddenSpikesPerSample, r.epochs, r.secondsPerEpoch))
        log("run directory: \(r.directory.url.path)")
        log("report: \(r.report?.path ?? "")")
        if let c = r.onChip {
            log(String(format: "on-chip learning: %.1f µs chip time per training image (PPU %.1f µs, %.2f µJ), %.0f updates/s on the chip; host %.2f ms per image", 1e6 * c.chipSecondsPerImage, 1e6 * c.ppuSecondsPerImage, 1e6 * c.ppuJoulesPerImage, c.chipUpdatesPerSecond, 1e3 * c.hostSecondsPerImage))
        }
        if json { printJSONLine(r.jsonObject) }
    }

    private func log(_ s: String) {
        guard !DataParallelLaunch.isFollower else { return }
        if json { FileHandle.standardError.write(Data((s + "\n").utf8)) } else { print(s) }
    }
}

extension Train {
    /// `train --tasks`: the task sequence of `ContinualExperiment`, its matrix, plot and report in the run directory.
    private func runContinual(_ benchmark: ContinualBenchmark) throws {
        guard resume == nil, initFrom == nil else { throw ValidationError("--tasks runs a whole task sequence; it takes neither --resume nor --init-from") }
        let config = try flags.resolve()
        let dir = runDir ?? "runs/\(config.dataset)-\(benchmark.rawValue)-\(continualFlags.continual.rawValue)-\(Int(Date().timeIntervalSince1970))"
        let experiment = try continualFlags.experiment(config, benchmark: benchmark, outputDirectory: dir)
        let result = try experiment.run { event in
            if case .taskDone(let task, let accuracies, let seconds) = event {
                log(String(format: "after task %d (%.0f s): %@", task + 1, seconds, accuracies.map { String(format: "%.1f", 100 * $0) }.joined(separator: " ")))
            }
        }
        log(String(format: "mean test accuracy over %d tasks after the last: %.2f %%", result.taskNames.count, 100 * result.meanAccuracy))
        log("run directory: \(dir)\nreport: \(result.reportPath)")
        if json { printJSONLine(result.jsonObject) }
    }
}
