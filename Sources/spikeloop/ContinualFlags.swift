import ArgumentParser
import SpikeRun

extension ContinualBenchmark: ExpressibleByArgument {}
extension ContinualMethod: ExpressibleByArgument {}

/// The continual-learning flags of `train --tasks` and `experiment continual`.
struct ContinualFlags: ParsableArguments {
    @Option(help: "Task sequence: split (class pairs, one head per task) or permuted (pixel orders); train: instead of one task.")
    var tasks: ContinualBenchmark?
    @Option(help: "Method: si (Synaptic Intelligence), finetune or joint.") var continual: ContinualMethod = .si
    @Option(parsing: .unconditional, help: "Number of tasks (default: 5 split, 10 permuted).") var taskCount: Int?
    @Option(name: .customLong("si-c"), parsing: .unconditional, help: "SI strength c (default: 1 split, 0.1 permuted).")
    var siC: Float?
    @Option(name: .customLong("si-xi"), parsing: .unconditional, help: "SI damping ξ (default: 1e-3 split, 0.1 permuted).")
    var siXi: Float?

    /// The experiment these flags describe (`tasks` defaulting to `benchmark`), validated with flag names.
    func experiment(_ config: RunConfig, benchmark: ContinualBenchmark, outputDirectory: String) throws -> ContinualExperiment {
        let e = ContinualExperiment(
            config: config, benchmark: tasks ?? benchmark, method: continual, taskCount: taskCount, siStrength: siC,
            siDamping: siXi, outputDirectory: outputDirectory)
        do { try e.validate() } catch { throw flagError(error) }
        return e
    }
}
