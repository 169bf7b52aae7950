import Foundation
import SpikeCore
import SpikeData
import SpikeTraining

/// What `spikeloop experiment data-parallel` measures on each rank count (run it under `mpirun -np N`): that the
/// all-reduced gradient equals the single-process gradient of the same global batch, that every rank holds the
/// same weights after training, the training throughput, and the cost of one gradient all-reduce.
///
/// Workloads: `sg-mlp16` (256-246-10, T = 100, batch 256, the `spikeloop bench` network) and `shd` (70-186-20 with
/// 186 recurrent neurons, T = 250, batch 64, SHD-shaped random input). The global batch is the same for every
/// rank count, as data-parallel training keeps it.
public struct DataParallelExperiment: Sendable {
    public enum Workload: String, CaseIterable, Sendable {
        case sgMLP16 = "sg-mlp16"
        case shd
    }

    public var workload = Workload.sgMLP16
    /// Timed optimizer steps (after one warm-up step).
    public var steps = 10
    /// Timed all-reduces of a gradient-sized buffer.
    public var reductions = 20
    /// Worker threads per rank.
    public var workers = 1
    public var seed: UInt64 = 1

    public init() {}

    /// The `spikeloop bench` workload: SG-MLP16, or the paper's SHD network on 70 inputs.
    public var benchmark: BenchmarkWorkload {
        workload == .sgMLP16 ? BenchmarkWorkload(paper: false, seed: seed) : .shd(inputs: 70, seed: seed)
    }

    /// Runs the checks and measurements as one rank of `collective` (nil: a single process).
    /// - Throws: ``CollectiveError`` when a collective fails, training errors.
    public func run(collective: Collective?) throws -> DataParallelResult {
        let bench = benchmark, cfg = bench.config
        let network = bench.network
        let data = bench.input(samples: cfg.batchSize * (steps + 1), seed: seed &+ 7)
        func trainer(_ c: Collective?) throws -> Trainer {
            let t = try Trainer(
                network: network, optimizer: Optimizer(config: cfg.optimizerConfig, network: network),
                objective: cfg.objective, substrate: SoftwareSubstrate(), stepCount: cfg.steps, seed: cfg.seed,
                workers: workers, learning: cfg.learningRule)
            t.collective = c
            return t
        }
        var result = DataParallelResult(workload: workload.rawValue, ranks: collective?.size ?? 1, workers: workers)
        result.parameters = network.layers.reduce(0) { $0 + $1.weights.count + $1.recurrentWeights.count }
        result.globalBatch = cfg.batchSize

        // 1. The all-reduced gradient of the first global batch against one process computing all of it.
        let first = Array(0..<cfg.batchSize)
        let alone = try trainer(nil).gradients(of: data.subset(first), epoch: 0, batchIndex: 0).0
        let parallel = try trainer(collective)
        let shared = try parallel.gradients(of: parallel.share(of: data, batch: first), epoch: 0, batchIndex: 0).0
        (result.gradientMaxAbsDifference, result.gradientMaxAbs) = Self.difference(alone, shared)

        // 2. Training throughput over `steps` global batches, then the weights of every rank compared.
        _ = try parallel.step(parallel.share(of: data, batch: first), epoch: 0, batchIndex: 0)
        let t0 = monotonicSeconds()
        for b in 1...steps {
            let idx = Array((b * cfg.batchSize)..<((b + 1) * cfg.batchSize))
            _ = try parallel.step(parallel.share(of: data, batch: idx), epoch: 0, batchIndex: b)
        }
        let seconds = monotonicSeconds() - t0
        result.samplesPerSecond = Double(steps * cfg.batchSize) / seconds
        result.secondsPerStep = seconds / Double(steps)
        let flat = parallel.network.layers.flatMap { $0.weights + $0.recurrentWeights }.map(Double.init)
        if let c = collective {
            result.weightsIdenticalOnAllRanks = try c.allGather(flat).allSatisfy { $0 == flat }
            // 3. The all-reduce alone, on a gradient-sized buffer.
            var buffer = [Float](repeating: 1, count: result.parameters)
            try c.sumInRankOrder(&buffer)  // warm-up
            let r0 = monotonicSeconds()
            for _ in 0..<reductions { try c.sumInRankOrder(&buffer) }
            result.allreduceSeconds = (monotonicSeconds() - r0) / Double(reductions)
            let slice = DataParallel.share(count: result.parameters, rank: c.rank, size: c.size).count
            result.allreduceBytes = 2 * (result.parameters - slice) * MemoryLayout<Float>.size
        }
        return result
    }

    /// The largest absolute difference between two gradients, and the largest absolute value of the first.
    static func difference(_ a: Gradients, _ b: Gradients) -> (Double, Double) {
        var diff = 0.0, scale = 0.0
        for (x, y) in zip(a.weights + a.recurrent, b.weights + b.recurrent) {
            for (u, v) in zip(x, y) {
                diff = max(diff, Double(abs(u - v)))
                scale = max(scale, Double(abs(u)))
            }
        }
        return (diff, scale)
    }
}

/// The figures of one ``DataParallelExperiment`` run (rank 0's view; the checks hold on every rank).
public struct DataParallelResult: Sendable {
    public var workload: String
    public var ranks: Int
    public var workers: Int
    public var parameters = 0
    public var globalBatch = 0
    public var samplesPerSecond = 0.0
    public var secondsPerStep = 0.0
    /// Max |g_single − g_allreduced| over all weights, and max |g_single| for scale.
    public var gradientMaxAbsDifference = 0.0
    public var gradientMaxAbs = 0.0
    public var weightsIdenticalOnAllRanks = true
    /// Bytes one rank sends (and as many it receives) per gradient all-reduce, and its mean time.
    public var allreduceBytes = 0
    public var allreduceSeconds = 0.0

    /// Whether the all-reduced gradient matches to float rounding (relative 1e-5 of the largest gradient).
    public var gradientsMatch: Bool { gradientMaxAbsDifference <= 1e-5 * max(gradientMaxAbs, 1e-30) }

    /// The `results/mpi.jsonl` record.
    public var jsonObject: [String: Any] {
        [
            "job": "data-parallel", "workload": workload, "ranks": ranks, "workers_per_rank": workers,
            "parameters": parameters, "global_batch": globalBatch, "samples_per_second": samplesPerSecond,
            "seconds_per_step": secondsPerStep, "allreduce_bytes": allreduceBytes, "allreduce_seconds": allreduceSeconds,
            "gradient_max_abs_difference": gradientMaxAbsDifference, "gradient_max_abs": gradientMaxAbs,
            "gradients_match": gradientsMatch, "weights_identical_on_all_ranks": weightsIdenticalOnAllRanks,
        ]
    }
}
