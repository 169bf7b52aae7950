import ArgumentParser
import SpikeRun

/// `spikeloop config keys`: every setting a config file or `config.json` may hold, generated from the code.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Explain the settings of a run.", subcommands: [ConfigKeys.self])
}

struct ConfigKeys: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "List every config key with its flag, default and meaning.",
        discussion: """
            Keys are snake_case in config files (YAML or JSON), config.json, metrics and Python; a flag is the key \
            in kebab case. Defaults are those of the image datasets, with synthetic's and shd's where they differ. \
            `spikeloop train --print-config` shows the values a run would use.
            """)

    @Flag(help: "Print a Markdown table (docs/CONFIG.md is this output).") var markdown = false

    func run() {
        if markdown {
            print(SettingDoc.markdown)
            return
        }
        let docs = SettingDoc.all
        let keyWidth = docs.map(\.key.count).max() ?? 0
        for d in docs {
            print(d.key.padding(toLength: keyWidth + 2, withPad: " ", startingAt: 0) + d.description)
            print(String(repeating: " ", count: keyWidth + 2) + "default \(d.defaultValue)" + (d.flag.map { "; flag \($0)" } ?? "; no flag (config file)"))
        }
    }
}
