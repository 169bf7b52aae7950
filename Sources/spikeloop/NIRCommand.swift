import ArgumentParser
import Foundation
import SpikeRun

struct NIR: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nir",
        abstract:
            "Neuromorphic Intermediate Representation: import graphs from snnTorch, Norse, … and export networks.",
        subcommands: [NIRImport.self, NIRExport.self, NIRRun.self])
}

extension NIRProducer: ExpressibleByArgument {}
extension NIRIntegration: ExpressibleByArgument {}
extension NIRExportTarget: ExpressibleByArgument {}

struct NIRImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Read a NIR file, print its graph and the layers it becomes, and write them as a checkpoint.",
        discussion: """
            NIR holds continuous-time equations; --dt and --producer decide the discrete step. nir: NIR's canonical \
            forward Euler (needs --dt). snntorch: dt 1e-4, reset by subtraction. norse: dt 1e-3, time constants \
            written as τ·dt, current input as a jump. spikeloop: exact (files written by spikeloop nir export; \
            detected from the file). SpikeLoop reads spikes one step after the threshold crossing, so layer k's \
            spikes come k steps later than the exporter reports them; membranes and spike patterns are the same.
            """)

    @Argument(help: "NIR file (HDF5, as nir.write writes it).") var file: String
    @Option(help: "Time step in seconds (default: the producer's: snntorch 1e-4, norse 1e-3).") var dt: Double?
    @Option(help: "Who wrote the file: \(NIRProducer.allCases.map(\.rawValue).joined(separator: ", ")).") var producer:
        NIRProducer = .nir
    @Option(help: "euler (NIR's canonical step) or exponential (exact decays).") var integration: NIRIntegration =
        .euler
    @Option(name: .shortAndLong, help: "Checkpoint to write (.safetensors).") var output: String?
    @Flag(help: "Print one JSON object as the last line.") var json = false

    func validate() throws {
        if let d = dt, !(d > 0 && d.isFinite) {
            throw ValidationError("--dt must be a positive number of seconds, got \(d)")
        }
    }

    func run() throws {
        let url = URL(fileURLWithPath: file)
        let imported = try NIRInterop.importGraph(
            from: url, options: NIRImportOptions(dt: dt, producer: producer, integration: integration))
        print(
            "NIR \(imported.version) graph \(url.lastPathComponent): \(imported.graph.nodes.count) nodes, \(imported.graph.edges.count) edges"
        )
        print(imported.graph.summary(indent: "  "))
        print(imported.result.summary)
        if let out = output {
            try imported.checkpoint.write(to: URL(fileURLWithPath: out))
            print("wrote \(out)")
        }
        if json {
            let net = imported.result.network
            let obj: [String: Any] = [
                "file": file, "version": imported.version, "producer": imported.result.producer.rawValue, "dt": net.dt,
                "sizes": [net.inputCount] + net.layers.map(\.neuronCount), "kinds": net.layers.map(\.kind.rawValue),
                "checkpoint": output ?? NSNull(),
            ]
            print(
                String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self)
            )
        }
    }
}

struct NIRExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a checkpoint's network as a NIR file (NIR 1.0.8 layout, readable by nir.read).",
        discussion: """
            Layers become Linear → CubaLIF/LIF/IF (readout CubaLI/LI), recurrent weights a Linear in a cycle. What NIR \
            cannot express (reset by subtraction, delayed current, exact decays) is kept in node metadata, so \
            spikeloop nir import restores the network exactly; other tools see the nearest NIR model.
            """)

    @Argument(help: "Checkpoint (.safetensors).") var checkpoint: String
    @Option(name: .shortAndLong, help: "NIR file to write.") var output: String
    @Flag(help: "Write plain datasets instead of gzip-compressed ones.") var uncompressed = false
    @Option(
        help:
            "nir (NIR's own parameters) or snntorch (what snnTorch 1.0's import_from_nir accepts: LIF/CubaLIF at dt 1e-4)."
    )
    var target: NIRExportTarget = .nir

    func run() throws {
        let graph = try NIRInterop.export(
            checkpoint: URL(fileURLWithPath: checkpoint), to: URL(fileURLWithPath: output), compression: !uncompressed,
            target: target)
        print(graph.summary(indent: "  "))
        print("wrote \(output)")
    }
}

struct NIRRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Simulate a NIR graph on input spikes and write every neuron node's spikes, membranes and currents as .npy.",
        discussion: """
            Input: float32 or float64 .npy, [T, B, C] time-major, 0/1. Output: DIR/<node>.spikes.npy, \
            DIR/<node>.v.npy and (CubaLIF, CubaLI) DIR/<node>.i.npy, float32 [T, B, n], on NIR's time axis (spikes at \
            the step the threshold is crossed; v is the membrane the threshold sees, before the reset; i is the \
            synaptic current that drove v, in the node's own units).
            """)

    @Argument(help: "NIR file.") var file: String
    @Option(help: "Input spikes (.npy, [T, B, C]).") var input: String
    @Option(help: "Time step in seconds (default: the producer's).") var dt: Double?
    @Option(help: "Who wrote the file: \(NIRProducer.allCases.map(\.rawValue).joined(separator: ", ")).") var producer:
        NIRProducer = .nir
    @Option(help: "euler or exponential.") var integration: NIRIntegration = .euler
    @Option(name: .shortAndLong, help: "Directory for the .npy outputs.") var output: String

    func validate() throws {
        if let d = dt, !(d > 0 && d.isFinite) {
            throw ValidationError("--dt must be a positive number of seconds, got \(d)")
        }
    }

    func run() throws {
        let (imported, files) = try NIRInterop.run(
            graph: URL(fileURLWithPath: file), input: URL(fileURLWithPath: input),
            options: NIRImportOptions(dt: dt, producer: producer, integration: integration),
            directory: URL(fileURLWithPath: output))
        print(imported.result.summary)
        for f in files { print("wrote \(f.path)") }
    }
}
