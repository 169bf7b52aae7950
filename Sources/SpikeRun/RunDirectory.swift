import Foundation
import SpikeTraining

/// A run's folder: `config.json`, `metrics.jsonl`, `last.safetensors`, `best.safetensors`, `test.json` and
/// `report.html`.
///
/// Every file but `metrics.jsonl` is written atomically and durably (``DurableFile``: temporary file, fsync,
/// rename, fsync of the folder), so a crash, Ctrl-C or power loss never leaves a partial checkpoint.
/// `metrics.jsonl` gets an epoch's line only after that epoch's checkpoint landed, and is fsync'd after each line.
/// ``create(at:config:)`` and ``resume(at:config:)`` lock the folder (``RunDirectoryLock``) and remove temporary
/// files left by a killed process; the lock is held until ``releaseLock()`` (``TrainingRun/run(progress:epochFinished:shouldStop:)``
/// calls it when it returns) or until the last copy of this value is gone.
public struct RunDirectory: Sendable {
    public let url: URL
    /// The lock taken by ``create(at:config:)`` or ``resume(at:config:)``; nil for ``init(url:)``.
    public let lock: RunDirectoryLock?
    /// Whether ``create(at:config:)`` made the folder (so ``discardFailedStart()`` may remove it).
    public private(set) var createdFolder = false

    public var configURL: URL { url.appendingPathComponent("config.json") }
    public var metricsURL: URL { url.appendingPathComponent("metrics.jsonl") }
    public var lastCheckpointURL: URL { url.appendingPathComponent("last.safetensors") }
    public var bestCheckpointURL: URL { url.appendingPathComponent("best.safetensors") }
    public var testURL: URL { url.appendingPathComponent("test.json") }
    public var reportURL: URL { url.appendingPathComponent("report.html") }

    /// Wraps an existing folder without touching or locking it (reading a finished run).
    public init(url: URL) {
        self.url = url
        lock = nil
    }

    private init(url: URL, lock: RunDirectoryLock) {
        self.url = url
        self.lock = lock
    }

    /// `runs/<dataset>-<ISO time without colons>`, relative to the working directory.
    public static func defaultURL(for config: RunConfig, date: Date = Date()) -> URL {
        let stamp = ISO8601DateFormatter().string(from: date).replacingOccurrences(of: ":", with: "")
        return URL(fileURLWithPath: "runs/\(config.dataset)-\(stamp)")
    }

    /// Creates and locks the folder for a new run, removes stale temporary files and an old `metrics.jsonl`, and
    /// writes `config.json`.
    /// - Throws: ``RunError``: `.invalidSetting` for an invalid config (never written), `.runDirectory` when the
    ///   folder cannot be created or written, is locked by a live run (naming the holder), or already holds a run.
    public static func create(at url: URL, config: RunConfig) throws -> RunDirectory {
        try config.validate()
        let existed = FileManager.default.fileExists(atPath: url.path)
        try prepare(url)
        var dir = RunDirectory(url: url, lock: try RunDirectoryLock.acquire(in: url))
        dir.createdFolder = !existed
        if FileManager.default.fileExists(atPath: dir.lastCheckpointURL.path) {
            throw RunError(
                .runDirectory,
                "run directory \(url.path) already holds a run; use --resume \(url.path) or another --run-dir")
        }
        dir.removeStaleTemporaryFiles()
        try? FileManager.default.removeItem(at: dir.metricsURL)
        try? FileManager.default.removeItem(at: dir.tensorboardURL)
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

    /// Opens and locks the run at `url` to continue it with `config` (the saved one, possibly overridden): removes
    /// stale temporary files, reads the last checkpoint, checks it against `config`
    /// (``RunConfig/checkResume(from:path:)``), drops `metrics.jsonl` lines the checkpoint does not cover and
    /// rewrites `config.json`.
    /// - Throws: ``RunError`` when the folder is locked by a live run, has no `last.safetensors`, or the
    ///   checkpoint does not fit `config`; `TrainingError` when it cannot be read.
    public static func resume(at url: URL, config: RunConfig) throws -> (RunDirectory, Checkpoint) {
        try config.validate()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw RunError(.runDirectory, subject: url.path, "no such run directory")
        }
        // The lock first: a live run in its first epoch has no checkpoint yet, and "in use" is the better answer.
        let dir = RunDirectory(url: url, lock: try RunDirectoryLock.acquire(in: url))
        guard FileManager.default.fileExists(atPath: dir.lastCheckpointURL.path) else {
            throw RunError(.runDirectory, subject: url.path, "no last.safetensors to resume from")
        }
        try prepare(url)
        dir.removeStaleTemporaryFiles()
        let checkpoint = try Checkpoint.read(from: dir.lastCheckpointURL)
        try config.checkResume(from: checkpoint, path: dir.lastCheckpointURL.path)
        try dir.reconcileMetrics(with: checkpoint)
        try dir.writeConfig(config)
        return (dir, checkpoint)
    }

    /// Releases the lock taken by ``create(at:config:)`` or ``resume(at:config:)`` (idempotent).
    public func releaseLock() { lock?.release() }

    /// Undoes ``create(at:config:)`` after a start that failed before training (data missing, a substrate that
    /// cannot be built): removes the folder when this process made it and no checkpoint landed, else only the
    /// `config.json` it wrote. A failed start leaves no run directory behind.
    public func discardFailedStart() {
        let fm = FileManager.default
        releaseLock()
        guard !fm.fileExists(atPath: lastCheckpointURL.path) else { return }
        if createdFolder {
            try? fm.removeItem(at: url)
        } else {
            try? fm.removeItem(at: configURL)
            try? fm.removeItem(at: url.appendingPathComponent(RunDirectoryLock.fileName))
        }
    }

    /// The record of a run that already finished all of `config.epochs`: its `test.json` exists and its last
    /// checkpoint is at the end of epoch `config.epochs` or later. nil when the run still has epochs to train.
    /// `spikeloop train --resume` reports it instead of testing again and overwriting `test.json`.
    public static func finishedRun(at url: URL, config: RunConfig) -> [String: Any]? {
        let dir = RunDirectory(url: url)
        guard let data = try? Data(contentsOf: dir.testURL),
            let record = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            let checkpoint = try? Checkpoint.read(from: dir.lastCheckpointURL)
        else { return nil }
        let state = RunState(metadata: checkpoint.metadata)
        guard state.nextBatch == 0, state.epoch >= config.epochs else { return nil }
        return record
    }

    /// Removes the temporary files of atomic writes (``DurableFile/isTemporaryName(_:)``) that a killed process
    /// left behind. Only safe under the lock: a live run's write in flight would otherwise be removed.
    /// - Returns: the names removed.
    @discardableResult
    public func removeStaleTemporaryFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter(DurableFile.isTemporaryName).filter {
            (try? FileManager.default.removeItem(at: url.appendingPathComponent($0))) != nil
        }
    }

    private static func prepare(_ url: URL) throws {
        let fm = FileManager.default
        do { try fm.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw RunError(.runDirectory, "cannot create run directory \(url.path): \(error.localizedDescription)")
        }
        guard fm.isWritableFile(atPath: url.path) else {
            throw RunError(.runDirectory, "run directory \(url.path) is not writable")
        }
    }

    private func writeConfig(_ config: RunConfig) throws {
        do { try atomicWrite(Data(config.recordJSON.utf8), to: configURL) } catch {
            throw RunError(.runDirectory, "cannot write to run directory \(url.path): \(error)")
        }
    }

    /// Appends one line (a JSON object) to `metrics.jsonl`, creating it if needed, and flushes it to disk.
    public func appendMetrics(_ line: String) throws {
        let fd = open(metricsURL.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            throw RunError(.runDirectory, "cannot append to \(metricsURL.path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let bytes = Array((line + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            throw RunError(.runDirectory, "cannot append to \(metricsURL.path): \(String(cString: strerror(errno)))")
        }
    }

    /// The lines of `metrics.jsonl` as JSON objects (lines that do not parse are skipped; none when missing).
    public func metrics() -> [[String: Any]] {
        let text = (try? String(contentsOf: metricsURL, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Makes `metrics.jsonl` agree with the checkpoint a run resumes from: lines of epochs after the checkpoint
    /// and partial lines are dropped, and the line of the checkpoint's last epoch (stored in its metadata) is
    /// restored when a crash between the checkpoint and the append lost it. Rewrites the file only when it changes.
    func reconcileMetrics(with checkpoint: Checkpoint) throws {
        let done = RunState(metadata: checkpoint.metadata).epoch
        let text = (try? String(contentsOf: metricsURL, encoding: .utf8)) ?? ""
        var kept: [String] = []
        var epochs: Set<Int> = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let e = obj["epoch"] as? Int, e <= done, !epochs.contains(e)
            else { continue }
            epochs.insert(e)
            kept.append(String(line))
        }
        if done > 0, !epochs.contains(done), let line = checkpoint.metadata[TrainingRun.metricsLineKey] {
            kept.append(line)
        }
        let rewritten = kept.map { $0 + "\n" }.joined()
        guard rewritten != text else { return }
        do { try atomicWrite(Data(rewritten.utf8), to: metricsURL) } catch {
            throw RunError(.runDirectory, "cannot rewrite \(metricsURL.path): \(error)")
        }
    }

    /// Writes an evaluation as `test.json` (or to `url`): accuracy, samples, loss, hidden spikes per sample,
    /// confusion matrix and per-class accuracy, and what was scored: the checkpoint file (relative to the run
    /// directory), the epoch it was written at, the substrate, and the SpikeLoop version and commit.
    public func writeEvaluation(
        _ e: RunStatistics, to url: URL? = nil, checkpoint: String? = nil, epoch: Int? = nil, substrate: String? = nil
    ) throws {
        var obj: [String: Any] = [
            "accuracy": e.accuracy, "samples": e.samples, "loss": JSONValue.finite(e.meanLoss),
            "hidden_spikes_per_sample": e.hiddenSpikesPerSample, "confusion": e.confusion,
            "per_class_accuracy": e.perClassAccuracy, "spikeloop_version": BuildInfo.version,
            "git_commit": BuildInfo.gitCommit,
        ]
        if let c = checkpoint { obj["checkpoint"] = c }
        if let n = epoch { obj["epoch"] = n }
        if let s = substrate { obj["substrate"] = s }
        if e.substrateSeconds > 0 {
            obj["substrate_seconds"] = e.substrateSeconds
            obj["energy_joules"] = e.energyJoules
        }
        let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .prettyPrinted])
        try atomicWrite(data, to: url ?? testURL)
    }
}
