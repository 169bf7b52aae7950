import ArgumentParser
import Foundation
import SpikeRun

/// `spikeloop experiment data-parallel`: under `mpirun -np N`, checks the all-reduced gradient against one process
/// computing the whole batch and the weights of all ranks against each other, and measures throughput and the cost
/// of one all-reduce (``DataParallelExperiment``). Exits 1 when a check fails.
struct DataParallelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data-parallel",
        abstract: "Check and measure MPI data-parallel training (run under mpirun -np N).",
        discussion: """
            Run alone for the one-process baseline, or as `mpirun -np N spikeloop experiment data-parallel`. Rank 0 \
            prints one JSON line (the results/mpi.jsonl record): ranks, samples_per_second, allreduce_bytes, \
            allreduce_seconds and the checks gradients_match and weights_identical_on_all_ranks.
            """)

    @Option(help: "Workload: sg-mlp16 (256-246-10, T = 100, batch 256) or shd (70-186r-20, T = 250, batch 64).")
    var workload: String = "sg-mlp16"
    @Option(help: "Timed training steps (global batches).") var steps = 10
    @Option(help: "Timed all-reduces of a gradient-sized buffer.") var reductions = 20
    @Option(help: "Worker threads per rank (default: the cores divided by the ranks).") var workers: Int?
    @Option(help: "Seed of the network and the input.") var seed: UInt64 = 1

    func validate() throws {
        guard DataParallelExperiment.Workload(rawValue: workload) != nil else {
            throw ValidationError("--workload expects \(DataParallelExperiment.Workload.allCases.map(\.rawValue).joined(separator: " or ")), got '\(workload)'")
        }
        guard steps > 0, reductions > 0, workers.map({ $0 > 0 }) ?? true else {
            throw ValidationError("--steps, --reductions and --workers must be positive")
        }
    }

    func run() throws {
        let mpi = try DataParallelLaunch.join()
        try DataParallelLaunch.run(mpi) {
            var e = DataParallelExperiment()
            e.workload = DataParallelExperiment.Workload(rawValue: workload)!
            (e.steps, e.reductions, e.seed) = (steps, reductions, seed)
            e.workers = workers ?? max(1, ProcessInfo.processInfo.activeProcessorCount / (mpi?.size ?? 1))
            let r = try e.run(collective: mpi)
            guard (mpi?.rank ?? 0) == 0 else { return }
            FileHandle.standardError.write(Data(String(
                format: "%@ on %d rank(s) × %d worker(s): %.1f samples/s; gradient max |Δ| %.3g (max |g| %.3g); all-reduce %d bytes in %.3f ms; weights identical on all ranks: %@\n",
                r.workload, r.ranks, r.workers, r.samplesPerSecond, r.gradientMaxAbsDifference, r.gradientMaxAbs,
                r.allreduceBytes, 1e3 * r.allreduceSeconds, r.weightsIdenticalOnAllRanks ? "yes" : "NO").utf8))
            print(JSONValue.text(r.jsonObject))
            guard r.gradientsMatch && r.weightsIdenticalOnAllRanks else { throw ExitCode(1) }
        }
    }
}
