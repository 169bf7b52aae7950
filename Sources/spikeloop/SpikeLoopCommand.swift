import ArgumentParser
import Foundation
import SpikeRun

@main
struct SpikeLoop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spikeloop",
        abstract: "Train spiking neural networks with surrogate gradients, in software and in the loop.",
        discussion: """
            A substrate is what runs the network's forward pass: the ideal software simulator, or an emulated \
            analog neuromorphic chip (mismatch, 6-bit weights, noise, ADC; an emulation: no real-chip backend yet). \
            Start with: spikeloop train --dataset synthetic --epochs 2
            """,
        version: BuildInfo.versionLine,
        subcommands: [
            Train.self, Evaluate.self, Export.self, Convert.self, Dataset.self, Bench.self, Experiment.self,
            Inspect.self, PartitionCommand.self, NIR.self, ConfigCommand.self,
        ])

    /// ArgumentParser's `main`, plus "did you mean" for a misspelled subcommand and, for a usage error thrown
    /// while a subcommand runs, that subcommand's usage rather than the root's.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let message = unknownSubcommand(arguments) {
            FileHandle.standardError.write(Data(message.utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        var command: ParsableCommand
        do { command = try parseAsRoot(arguments) } catch { exit(withError: error) }
        do { try command.run() } catch let e as ValidationError {
            let type = Swift.type(of: command)
            let path = commandPath(arguments)
            let usage = usageString(for: type).replacingOccurrences(of: "\n", with: "\n  ")
            FileHandle.standardError.write(
                Data("Error: \(e.message)\nUsage: \(usage)\n  See '\(path) --help' for more information.\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        } catch {
            exit(withError: error)
        }
    }

    /// `spikeloop <subcommand> …` as typed, up to the last subcommand name.
    static func commandPath(_ arguments: [String]) -> String {
        var path = ["spikeloop"]
        var current: ParsableCommand.Type = SpikeLoop.self
        for a in arguments {
            guard let next = current.configuration.subcommands.first(where: { $0._commandName == a }) else { break }
            path.append(a)
            current = next
        }
        return path.joined(separator: " ")
    }

    /// The error for a word that is not a subcommand where one is expected (`spikeloop trian`), with the nearest.
    static func unknownSubcommand(_ arguments: [String]) -> String? {
        var current: ParsableCommand.Type = SpikeLoop.self
        var path = "spikeloop"
        for a in arguments {
            let subcommands = current.configuration.subcommands
            guard !subcommands.isEmpty, !a.hasPrefix("-") else { return nil }
            if a == "help" { return nil }
            guard let next = subcommands.first(where: { $0._commandName == a }) else {
                let names = subcommands.map { $0._commandName }
                return "Error: '\(a)' is not a \(path) subcommand.\(Suggestion.hint(for: a, in: names))\n"
                    + "  Subcommands: \(names.joined(separator: ", ")). See '\(path) --help'.\n"
            }
            current = next
            path += " \(a)"
        }
        return nil
    }
}
