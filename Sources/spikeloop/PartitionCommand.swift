import ArgumentParser
import SpikeRun

/// `spikeloop partition`: how a config's network maps onto emulated chips (`PartitionPlan`): circuits per neuron,
/// partitions per layer, sub-networks, runs and chip time per sample.
struct PartitionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partition",
        abstract: "Show how a network maps onto emulated chips (circuits per neuron, partitions, runs and chip time per sample).",
        discussion: """
            Takes the same settings as train (--config, --dataset, --hidden, --recurrent, --chip-count, ...); \
            no data files are read. Example: spikeloop partition --config configs/partition-mnist784.yaml
            """)

    @OptionGroup var flags: ConfigFlags
    @Option(parsing: .unconditional, help: "Input channels (default: what the dataset settings imply).") var inputs: Int?
    @Option(parsing: .unconditional, help: "Output classes (default: what the dataset settings imply).") var classes: Int?
    @Flag(help: "Print one JSON object as the last line.") var json = false

    func validate() throws {
        if let n = inputs, n < 1 { throw ValidationError("--inputs: must be at least 1, got \(n)") }
        if let n = classes, n < 1 { throw ValidationError("--classes: must be at least 1, got \(n)") }
    }

    func run() throws {
        var overrides = flags.overrides
        if overrides.substrate == nil { overrides.substrate = "chip" }  // a mapping is about chips, whatever the file says
        let plan: PartitionPlan
        do {
            plan = try PartitionPlan(config: try overrides.resolve(), inputs: inputs, classes: classes)
        } catch let e as RunError where e.code == .invalidSetting {
            throw ValidationError(e.description)
        }
        for line in plan.lines { print(line) }
        if json { printJSONLine(plan.jsonObject) }
    }
}
