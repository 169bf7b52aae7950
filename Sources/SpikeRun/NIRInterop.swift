import Foundation
import SpikeNIR

/// NIR files in and out of runs: the library behind `spikeloop nir import` and `spikeloop nir export`.
///
/// ```swift
/// let imported = try NIRInterop.importGraph(from: URL(fileURLWithPath: "model.nir"),
///                                           options: NIRImportOptions(dt: 1e-4, producer: .snntorch))
/// try imported.checkpoint.write(to: URL(fileURLWithPath: "model.safetensors"))
/// try NIRInterop.export(checkpoint: URL(fileURLWithPath: "model.safetensors"), to: URL(fileURLWithPath: "back.nir"))
/// ```
public enum NIRInterop {
    public struct Imported: Sendable {
        public var graph: NIRGraph
        public var version: String
        public var result: NIRImporter.Result
        /// The network as a checkpoint, with provenance (`spikeloop.provenance`, `nir.*`) in its metadata.
        public var checkpoint: Checkpoint
    }

    /// Reads `url`, imports it with `options` and wraps the network in a checkpoint.
    public static func importGraph(from url: URL, options: NIRImportOptions) throws -> Imported {
        let (graph, version) = try NIRFile.read(url)
        let result: NIRImporter.Result
        do { result = try NIRImporter.network(from: graph, options: options) } catch let e as NIRError {
            var named = e
            if named.file == nil { named.file = url.path }
            throw named
        }
        let metadata = [
            "spikeloop.provenance":
                "imported from NIR \(version.isEmpty ? "(no version)" : version) file \(url.lastPathComponent)",
            "nir.producer": result.producer.rawValue,
            "nir.layers": result.sources.map {
                [$0.weights, $0.scale, $0.neurons, $0.recurrent].compactMap { $0 }.joined(separator: ",")
            }
            .joined(separator: ";"),
        ]
        return Imported(
            graph: graph, version: version, result: result,
            checkpoint: Checkpoint(network: result.network, metadata: metadata))
    }

    /// Writes the network of the checkpoint at `checkpoint` as a NIR file (see ``NIRExporter``); returns the graph.
    @discardableResult
    public static func export(
        checkpoint: URL, to url: URL, compression: Bool = true, target: NIRExportTarget = .nir
    ) throws -> NIRGraph {
        let network = try Checkpoint.read(from: checkpoint).network
        return try export(network, to: url, compression: compression, target: target)
    }

    /// Writes `network` as a NIR file; returns the graph.
    @discardableResult
    public static func export(
        _ network: Network, to url: URL, compression: Bool = true, target: NIRExportTarget = .nir
    ) throws -> NIRGraph {
        let graph = try NIRExporter.graph(of: network, target: target)
        try NIRFile.write(graph, to: url, compression: compression ? .gzip(level: 4) : .none)
        return graph
    }

    /// The network to start a run from: a NIR file (by extension `.nir`, imported with `producer` at `dt`, else the
    /// producer's default step) or a checkpoint.
    public static func network(from url: URL, producer: NIRProducer = .nir, dt: Double? = nil) throws -> Network {
        guard url.pathExtension.lowercased() == "nir" else { return try Checkpoint.read(from: url).network }
        let fallback =
            NIRProducer.detect(try NIRFile.read(url).graph) == nil ? (producer.defaultDt == nil ? dt : nil) : nil
        return try importGraph(from: url, options: NIRImportOptions(dt: fallback, producer: producer)).result.network
    }
}
