import ArgumentParser
import Foundation
import SpikeRun

/// `spikeloop experiment continual`: a task sequence (split or permuted MNIST) learned with Synaptic Intelligence,
/// plain fine-tuning or jointly (`ContinualExperiment`); prints the accuracy matrix.
struct ContinualCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "continual",
        abstract: "Continual learning: a task sequence with Synaptic Intelligence, fine-tuning or joint training.",
        discussion: """
            --epochs are epochs per task. After each task every task seen so far is tested; the matrix goes to \
            OUT/continual-<tasks>-<method>.json and .svg. --substrate chip:N trains in the loop (SI's path integral \
            is taken over the host's float weights).
            """)

    @OptionGroup var flags: ConfigFlags
    @OptionGroup var continualFlags: ContinualFlags
    @Option(help: "Output folder for the matrix and plot.") var out: String = "runs/continual"
    @Flag(help: "Print one JSON object as the last line.") var json = false

    func run() throws {
        let config = try flags.resolve()
        let experiment = try continualFlags.experiment(config, benchmark: .permuted, outputDirectory: out)
        let result = try experiment.run { event in
            switch event {
            case .dataLoaded(let train, let test, let names):
                log("\(config.dataset): \(train) train, \(test) test samples; tasks \(names.joined(separator: ", "))")
            case .taskDone(let task, let accuracies, let seconds):
                let cells = accuracies.map { String(format: "%.1f", 100 * $0) }.joined(separator: " ")
                log(String(format: "after task %d (%.0f s): %@", task + 1, seconds, cells))
            }
        }
        print(String(format: "\n%@ %@ %@: mean test accuracy over %d tasks after the last: %.2f %%", config.dataset,
            experiment.benchmark.rawValue, experiment.method.rawValue, result.taskNames.count, 100 * result.meanAccuracy))
        print("matrix: \(result.tablePath)\nplot: \(result.plotPath)")
        if json { printJSONLine(result.jsonObject) }
    }

    private func log(_ s: String) {
        if json { FileHandle.standardError.write(Data((s + "\n").utf8)) } else { print(s) }
    }
}
