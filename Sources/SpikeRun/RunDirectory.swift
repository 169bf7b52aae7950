import Foundation
import SpikeTraining

/// A run's folder: `config.json`, `metrics.jsonl`, `last.safetensors`, `best.safetensors`, `test.json` and
/// `report.html`.
///
/// Every file but `metrics.jsonl` is written atomically (temporary file, then rename), so a crash or Ctrl-C
/// never leaves a partial checkpoint. Not locked: two processes must not train into the same folder.
public struct RunDirectory: Sendable {
    public let url: URL

    public var configURL: URL { url.appendingPathComponent("config.json") }
    public var metricsURL: URL { url.appendingPathComponent("metrics.jsonl") }
    public var lastCheckpointURL: URL { url.appendingPathComponent("last.safetensors") }
    public var bestCheckpointURL: URL { url.appendingPathComponent("best.safetensors") }
    public var testURL: URL { url.appendingPathComponent("test.json") }
    public var reportURL: URL { url.appendingPathComponent("report.html") }

    /// Wraps an existing folder without touching it (reading a finished run).
    public init(url: URL) { self.url = url }

    /// `runs/<dataset>-<ISO time without colons>`, relative to the working directory.
    public static func defaultURL(for config: RunConfig, date: Date = Date()) -> URL {
        let stamp = ISO8601DateFormatter().string(from: date).replacingOccurrences(of: ":", with: "")
        return URL(fileURLWithPath: "runs/\(config.dataset)-\(stamp)")
    }

    /// Creates the folder for a new run and writes `config.json`; an old `metrics.jsonl` is removed.
    /// - Throws: ``RunError`` (`.runDirectory`) when the folder cannot be created or written, or already holds a run.
    public static func create(at url: URL, config: RunConfig) throws -> RunDirectory {
        let dir = RunDirectory(url: url)
        try dir.prepare()
        if FileManager.default.fileExists(atPath: dir.lastCheckpointURL.path) {
            throw RunError(
                .runDirectory,
                "run directory \(url.path) already holds a run; use --resume \(url.path) or another --run-dir")
        }
        try? FileManager.default.removeItem(at: dir.metricsURL)
        try dir.writeConfig(config)
        return dir
    }

    /// The config saved in the run directory at `url`.
    /// - Throws: ``RunError`` naming the folder when it has no `config.json`, or the config file's error.
    public static func savedConfig(at url: URL) throws -> RunConfig {
        let path = RunDirectory(url: url).configURL.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw RunError(.runDirectory, subject: url.path, "no config.json in that folder (not a run directory?)")
        }
        return try RunConfig().overlaid(withFile: path)
    }

    /// Opens the run at `url` to continue it with `config` (the saved one, possibly overridden): reads its last
    /// checkpoint and rewrites `config.json`.
    /// - Throws: ``RunError`` when there is no `last.safetensors`; `TrainingError` when it cannot be read.
    public static func resume(at url: URL, config: RunConfig) throws -> (RunDirectory, Checkpoint) {
        let dir = RunDirectory(url: url)
        guard FileManager.default.fileExists(atPath: dir.lastCheckpointURL.path) else {
            throw RunError(.runDirectory, subject: url.path, "no last.safetensors to resume from")
        }
        let checkpoint = try Checkpoint.read(from: dir.lastCheckpointURL)
        try dir.prepare()
        try dir.writeConfig(config)
        return (dir, checkpoint)
    }

    private func prepare() throws {
        let fm = FileManager.default
        do { try fm.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw RunError(.runDirectory, "cannot create run directory \(url.path): \(error.localizedDescription)")
        }
        guard fm.isWritableFile(atPath: url.path) else {
            throw RunError(.runDirectory, "run directory \(url.path) is not writable")
        }
    }

    private func writeConfig(_ config: RunConfig) throws {
        do { try atomicWrite(Data(config.json.utf8), to: configURL) } catch {
            throw RunError(.runDirectory, "cannot write to run directory \(url.path): \(error)")
        }
    }

    /// Appends one line (a JSON object) to `metrics.jsonl`, creating it if needed.
    public func appendMetrics(_ line: String) throws {
        let fm = FileManager.default
        if !fm.fileExists(atPath: metricsURL.path) { _ = fm.createFile(atPath: metricsURL.path, contents: nil) }
        guard let h = try? FileHandle(forWritingTo: metricsURL) else {
            throw RunError(.runDirectory, "cannot append to \(metricsURL.path)")
        }
        defer { try? h.close() }
        h.seekToEndOfFile()
        h.write(Data((line + "\n").utf8))
    }

    /// The lines of `metrics.jsonl` as JSON objects (lines that do not parse are skipped; none when missing).
    public func metrics() -> [[String: Any]] {
        let text = (try? String(contentsOf: metricsURL, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Writes an evaluation as `test.json` (or to `url`): accuracy, samples, loss, hidden spikes per sample,
    /// confusion matrix and per-class accuracy.
    public func writeEvaluation(_ e: RunStatistics, to url: URL? = nil) throws {
        let obj: [String: Any] = [
            "accuracy": e.accuracy, "samples": e.samples, "loss": e.meanLoss,
            "hidden_spikes_per_sample": e.hiddenSpikesPerSample, "confusion": e.confusion,
            "per_class_accuracy": e.perClassAccuracy,
        ]
        let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .prettyPrinted])
        try atomicWrite(data, to: url ?? testURL)
    }
}

/// Where a run stands, as stored in its checkpoints' metadata: the next epoch and batch, the best validation
/// accuracy so far, and the statistics of a partly run epoch.
public struct RunState: Equatable, Sendable {
    /// The next epoch to run, 0-based (the number of completed epochs).
    public var epoch = 0
    /// The next batch of ``epoch`` (0 at an epoch boundary).
    public var nextBatch = 0
    /// −1 until a validation pass has run.
    public var bestValidationAccuracy = -1.0
    /// Samples, loss sum, correct and hidden spikes of the batches of ``epoch`` already run.
    public var partialSamples = 0
    public var partialLossSum = 0.0
    public var partialCorrect = 0
    public var partialHiddenSpikes = 0

    public init() {}

    /// Reads the `spikeloop.*` keys of a checkpoint's metadata; missing keys give the start of a run.
    public init(metadata m: [String: String]) {
        epoch = Int(m["spikeloop.epoch"] ?? "0") ?? 0
        nextBatch = Int(m["spikeloop.next_batch"] ?? "0") ?? 0
        bestValidationAccuracy = Double(m["spikeloop.best_validation_accuracy"] ?? "-1") ?? -1
        if nextBatch > 0 {
            partialSamples = Int(m["spikeloop.partial_samples"] ?? "0") ?? 0
            partialLossSum = Double(m["spikeloop.partial_loss_sum"] ?? "0") ?? 0
            partialCorrect = Int(m["spikeloop.partial_correct"] ?? "0") ?? 0
            partialHiddenSpikes = Int(m["spikeloop.partial_hidden_spikes"] ?? "0") ?? 0
        }
    }

    /// The statistics of the batches of ``epoch`` run before the checkpoint.
    public var partial: RunStatistics {
        get {
            var s = RunStatistics()
            s.samples = partialSamples
            s.lossSum = partialLossSum
            s.correct = partialCorrect
            s.hiddenSpikes = partialHiddenSpikes
            return s
        }
        set {
            partialSamples = newValue.samples
            partialLossSum = newValue.lossSum
            partialCorrect = newValue.correct
            partialHiddenSpikes = newValue.hiddenSpikes
        }
    }

    /// The `spikeloop.epoch`, `next_batch`, `best_validation_accuracy` and (mid-epoch) `partial_*` keys.
    public var metadata: [String: String] {
        var m = [
            "spikeloop.epoch": "\(epoch)", "spikeloop.next_batch": "\(nextBatch)",
            "spikeloop.best_validation_accuracy": "\(bestValidationAccuracy)",
        ]
        if nextBatch > 0 {
            m["spikeloop.partial_samples"] = "\(partialSamples)"
            m["spikeloop.partial_loss_sum"] = "\(partialLossSum)"
            m["spikeloop.partial_correct"] = "\(partialCorrect)"
            m["spikeloop.partial_hidden_spikes"] = "\(partialHiddenSpikes)"
        }
        return m
    }
}
