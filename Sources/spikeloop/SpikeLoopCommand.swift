import ArgumentParser

@main
struct SpikeLoop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spikeloop",
        abstract: "Train spiking neural networks with surrogate gradients, in software and in the loop.",
        subcommands: [Train.self, Evaluate.self, Convert.self, Dataset.self, Bench.self, Experiment.self, Inspect.self, NIR.self])
}
