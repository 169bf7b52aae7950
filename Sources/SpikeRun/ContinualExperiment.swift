import Foundation
import SpikeCore
import SpikeReport
import SpikeTraining

/// Task sequences of continual learning (Zenke, Poole & Ganguli 2017).
public enum ContinualBenchmark: String, Sendable, CaseIterable {
    /// Split MNIST: classes in pairs (0/1, 2/3, …), one task per pair, a two-class head per task (multi-head).
    case split
    /// Permuted MNIST: every task the whole dataset with its pixels (input channels) in a fixed random order; task 1
    /// keeps the original order; one 10-class head.
    case permuted
}

/// How the tasks are learned.
public enum ContinualMethod: String, Sendable, CaseIterable {
    /// One task after the other with the Synaptic Intelligence penalty.
    case si
    /// One task after the other, nothing against forgetting (the lower bound).
    case finetune
    /// All tasks' data at once (the upper bound).
    case joint
}

/// `spikeloop experiment continual`: trains a network on a task sequence and tests every task seen so far after
/// each task (the accuracy matrix). `config.epochs` are epochs per task (joint: epochs over all tasks' data, the
/// same number of optimizer steps in all); the optimizer and its learning-rate schedule restart with every task.
public struct ContinualExperiment: Sendable {
    public var config: RunConfig
    public var benchmark: ContinualBenchmark
    public var method: ContinualMethod
    /// Tasks (split: classes / 2, at most; permuted: default 10).
    public var taskCount: Int
    /// SI strength `c` and damping `ξ` (defaults: the paper's, 1 and 1e-3 for split, 0.1 and 0.1 for permuted).
    public var siStrength: Float
    public var siDamping: Float
    /// Folder for `continual-<benchmark>-<method>.json` and `.svg`.
    public var outputDirectory: String

    public init(
        config: RunConfig, benchmark: ContinualBenchmark, method: ContinualMethod, taskCount: Int? = nil,
        siStrength: Float? = nil, siDamping: Float? = nil, outputDirectory: String = "runs/continual"
    ) {
        var c = config
        c.validationSamples = 0
        self.config = c
        self.benchmark = benchmark
        self.method = method
        self.taskCount = taskCount ?? (benchmark == .split ? 5 : 10)
        self.siStrength = siStrength ?? (benchmark == .split ? 1 : 0.1)
        self.siDamping = siDamping ?? (benchmark == .split ? 1e-3 : 0.1)
        self.outputDirectory = outputDirectory
    }

    /// What the experiment reports while it runs.
    public enum Event: Sendable {
        case dataLoaded(train: Int, test: Int, tasks: [String])
        /// After training task `task` (joint: once, task = last): accuracy on every task seen so far.
        case taskDone(task: Int, accuracies: [Double], seconds: Double)
    }

    /// Checks the settings that the run's config does not cover.
    public func validate() throws {
        try config.validate()
        guard (1...100).contains(taskCount) else {
            throw RunError(.invalidSetting, subject: "--task-count", "must be in 1…100, got \(taskCount)")
        }
        guard siStrength.isFinite, siStrength >= 0 else {
            throw RunError(.invalidSetting, subject: "--si-c", "must be a finite number ≥ 0, got \(siStrength)")
        }
        guard siDamping.isFinite, siDamping > 0 else {
            throw RunError(.invalidSetting, subject: "--si-xi", "must be a finite number > 0, got \(siDamping)")
        }
    }

    /// Runs the sequence and writes the matrix (JSON) and its plot into ``outputDirectory``.
    public func run(events: (Event) -> Void = { _ in }) throws -> ContinualResult {
        try validate()
        BLAS.setThreads(1)
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        let data = try RunData.load(config)
        let tasks = try ContinualTask.make(benchmark, count: taskCount, data: data, seed: config.seed)
        events(.dataLoaded(train: data.train.sampleCount, test: data.test.sampleCount, tasks: tasks.map(\.name)))
        var objective = config.objective
        if benchmark == .split { objective.loss.headSize = 2 }
        let network = config.makeNetwork(inputs: data.channels, classes: data.classes)
        let substrate = try config.makeSubstrate(for: network)
        let trainer = try Trainer(
            network: network, optimizer: Optimizer(config: config.optimizerConfig, network: network), objective: objective,
            substrate: substrate, stepCount: config.steps, seed: config.seed, workers: config.workers,
            learning: config.learningRule, dropout: config.dropout)
        if method == .si {
            trainer.synapticIntelligence = SynapticIntelligence(network: network, strength: siStrength, damping: siDamping)
        }
        let inference = Inference(network: network, stepCount: config.steps, workers: config.workers)
        func test(upTo last: Int) throws -> [Double] {
            try substrate.load(trainer.network)
            return try tasks[0...last].map {
                try inference.evaluate($0.test, substrate: substrate, loss: objective.loss, classes: data.classes).accuracy
            }
        }
        var matrix: [[Double]] = []
        let schedule: [[ContinualTask]] = method == .joint ? [tasks] : tasks.map { [$0] }
        for (i, group) in schedule.enumerated() {
            let t0 = monotonicSeconds()
            let train = group.dropFirst().reduce(group[0].train) { $0.appending($1.train) }
            trainer.optimizer = Optimizer(config: config.optimizerConfig, network: trainer.network)
            for e in 0..<config.epochs { _ = try trainer.trainEpoch(train, epoch: e, batchSize: config.batchSize) }
            trainer.synapticIntelligence?.consolidate(trainer.network)
            let last = method == .joint ? tasks.count - 1 : i
            matrix.append(try test(upTo: last))
            events(.taskDone(task: last, accuracies: matrix.last!, seconds: monotonicSeconds() - t0))
        }
        let result = ContinualResult(
            dataset: config.dataset, benchmark: benchmark, method: method, substrate: config.substrate, seed: config.seed,
            taskNames: tasks.map(\.name), accuracy: matrix, siStrength: siStrength, siDamping: siDamping,
            epochsPerTask: config.epochs, outputDirectory: outputDirectory)
        try result.write()
        return result
    }
}

/// One task of a sequence: its training and test samples.
struct ContinualTask {
    var name: String
    var train: SpikeBatch
    var test: SpikeBatch

    static func make(_ benchmark: ContinualBenchmark, count: Int, data: RunData, seed: UInt64) throws -> [ContinualTask] {
        switch benchmark {
        case .split:
            guard data.classes >= 2 * count else {
                throw RunError(
                    .invalidSetting, subject: "--task-count",
                    "split tasks take two classes each: \(count) tasks need \(2 * count) classes, the dataset has \(data.classes)")
            }
            return (0..<count).map { k in
                let pair: Set<Int32> = [Int32(2 * k), Int32(2 * k + 1)]
                return ContinualTask(
                    name: "\(2 * k)/\(2 * k + 1)", train: data.train.samples(withLabels: pair),
                    test: data.test.samples(withLabels: pair))
            }
        case .permuted:
            return (0..<count).map { k in
                guard k > 0 else { return ContinualTask(name: "P1", train: data.train, test: data.test) }
                var order = Array(0..<data.channels)
                var rng = SeededRandom(seed: seed, stream: 0xC0_471E + UInt64(k))
                order.seededShuffle(&rng)
                return ContinualTask(
                    name: "P\(k + 1)", train: data.train.permutingChannels(order), test: data.test.permutingChannels(order))
            }
        }
    }
}

/// The accuracy matrix of a ``ContinualExperiment``: `accuracy[i][j]` is the test accuracy on task `j` after training
/// task `i` (joint: one row, after training on all).
public struct ContinualResult: Sendable {
    public var dataset: String
    public var benchmark: ContinualBenchmark
    public var method: ContinualMethod
    public var substrate: String
    public var seed: UInt64
    public var taskNames: [String]
    public var accuracy: [[Double]]
    public var siStrength: Float
    public var siDamping: Float
    public var epochsPerTask: Int
    public var outputDirectory: String

    /// Mean test accuracy over all tasks after the last one (the paper's figure of merit).
    public var meanAccuracy: Double { accuracy.last.map { $0.reduce(0, +) / Double(max(1, $0.count)) } ?? 0 }

    var stem: String { (outputDirectory as NSString).appendingPathComponent("continual-\(benchmark.rawValue)-\(method.rawValue)") }
    public var tablePath: String { stem + ".json" }
    public var plotPath: String { stem + ".svg" }
    /// The page with the matrix plot, its table and the settings.
    public var reportPath: String { (outputDirectory as NSString).appendingPathComponent("report.html") }

    /// The JSON table (also the last line of `spikeloop experiment continual --json`).
    public var jsonObject: [String: Any] {
        var o: [String: Any] = [
            "dataset": dataset, "benchmark": benchmark.rawValue, "method": method.rawValue, "substrate": substrate,
            "seed": Int(seed), "tasks": taskNames, "accuracy_matrix": accuracy, "mean_accuracy": meanAccuracy,
            "epochs_per_task": epochsPerTask, "plot": plotPath,
        ]
        if method == .si {
            o["si_c"] = Double(siStrength)
            o["si_xi"] = Double(siDamping)
        }
        return o
    }

    /// Writes the matrix plot, the JSON table and the report page (atomically).
    public func write() throws {
        let rows = method == .joint ? ["joint"] : taskNames.map { "after \($0)" }
        let svg = SVG.accuracyMatrix(
            title: "\(dataset) \(benchmark.rawValue), \(method.rawValue): mean \(String(format: "%.1f", 100 * meanAccuracy)) %",
            rowLabels: rows, columnLabels: taskNames, accuracy: accuracy.map { $0.map { Optional($0) } })
        try atomicWrite(Data(svg.utf8), to: URL(fileURLWithPath: plotPath))
        let json = try JSONSerialization.data(withJSONObject: jsonObject, options: [.sortedKeys, .prettyPrinted])
        try atomicWrite(json, to: URL(fileURLWithPath: tablePath))
        var page = HTMLReport(title: "Continual learning: \(dataset), \(benchmark.rawValue) tasks, \(method.rawValue)")
        page.headline(String(
            format: "Mean test accuracy over all %d tasks after the last one: %.2f %%", taskNames.count, 100 * meanAccuracy))
        page.heading("Accuracy on every task seen so far, after each task", id: "matrix")
        page.figures([svg])
        page.table(
            header: [""] + taskNames,
            rows: zip(rows, accuracy).map { r, a in [r] + a.map { String(format: "%.2f", 100 * $0) } + Array(repeating: "", count: taskNames.count - a.count) })
        page.heading("Settings", id: "settings")
        var settings: [(key: String, value: String)] = [
            ("dataset", dataset), ("tasks", benchmark.rawValue), ("method", method.rawValue), ("substrate", substrate),
            ("seed", "\(seed)"), ("epochs_per_task", "\(epochsPerTask)"),
        ]
        if method == .si { settings += [("si_c", "\(siStrength)"), ("si_xi", "\(siDamping)")] }
        page.keyValueTable(settings, columns: 2)
        try atomicWrite(Data(page.html.utf8), to: URL(fileURLWithPath: reportPath))
    }
}
