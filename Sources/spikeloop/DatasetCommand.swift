import ArgumentParser

struct Dataset: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate datasets.",
        subcommands: [])
}
