import Foundation
import SpikeNIR

extension NIRInterop {
    /// What `simulate` recorded of one neuron node, aligned to NIR's time axis.
    public struct NodeTrace: Sendable {
        public var node: String
        /// `[T, B, n]` 0/1, nil for LI/CubaLI.
        public var spikes: NPYArray?
        /// `[T, B, n]`: the membrane the threshold sees at each step (before the reset).
        public var v: NPYArray
        /// `[T, B, n]`: the synaptic current that drove `v` at each step, in the NIR node's units (NIR's Euler order:
        /// `i` after this step's input; Norse: `i + x` before its decay); nil for nodes without one (LIF, LI, IF).
        public var i: NPYArray?
    }

    /// Simulates an imported graph on input spikes `[T, B, C]` (time-major) with the software substrate and
    /// returns every neuron node's spikes and membranes on NIR's time axis: SpikeLoop's layer `k` (from 0) reports
    /// step `t`'s threshold crossing at step `t + k + 1`, so it runs `T + layers` steps and shifts each trace back.
    /// - Throws: ``RunError`` `.inputFile` when the input is not 0/1 spikes of the graph's input size.
    public static func simulate(_ imported: NIRImporter.Result, input: NPYArray, inputName: String = "input") throws
        -> [NodeTrace]
    {
        let net = imported.network
        guard input.shape.count == 3, input.shape[2] == net.inputCount else {
            throw RunError(
                .inputFile, subject: inputName,
                "has shape \(input.shape), expected [T, B, \(net.inputCount)] (time-major)")
        }
        let (T, B, C) = (input.shape[0], input.shape[1], input.shape[2])
        guard T > 0, B > 0 else { throw RunError(.inputFile, subject: inputName, "is empty: shape \(input.shape)") }
        var events: [(sample: Int, step: Int, channel: Int)] = []
        for t in 0..<T {
            for b in 0..<B {
                for c in 0..<C {
                    let x = input.values[(t * B + b) * C + c]
                    guard x == 0 || x == 1 else {
                        throw RunError(
                            .inputFile, subject: inputName,
                            "element [\(t), \(b), \(c)] is \(x); SpikeLoop layers take spikes (0 or 1)")
                    }
                    if x == 1 { events.append((b, t, c)) }
                }
            }
        }
        let steps = T + net.layers.count
        let batch = SpikeBatch(sampleCount: B, stepCount: steps, channelCount: C, events: events)
        let substrate = SoftwareSubstrate(maxConcurrentRuns: 1)
        try substrate.load(net)
        var obs = Observation(network: net, stepCount: steps, capacity: B, recording: .full)
        try substrate.run(batch, samples: 0..<B, into: &obs, worker: 0)
        let currents = (0..<B).map { b in obs.reconstructedCurrents(of: net, input: batch, sample: b) }
        return zip(net.layers.indices, imported.sources).map { k, source in
            let rec = obs.layers[k]
            let n = rec.neuronCount
            var v = [Float](repeating: 0, count: T * B * n)
            var s = [Float](repeating: 0, count: rec.isSpiking ? T * B * n : 0)
            var current = [Float](repeating: 0, count: source.currentToNIR == nil ? 0 : T * B * n)
            for b in 0..<B {
                for t in 0..<T {
                    for i in 0..<n { v[(t * B + b) * n + i] = rec.membrane(sample: b, step: t + k + 1, neuron: i) }
                }
                if let scale = source.currentToNIR {
                    // V[t + k + 1] integrates the current after step t + k's input: row t + k + 1.
                    for t in 0..<T {
                        for i in 0..<n { current[(t * B + b) * n + i] = Float(scale) * currents[b][k][(t + k + 1) * n + i] }
                    }
                }
                if rec.isSpiking {
                    for e in rec.spikes(sample: b) where e.step > k && e.step - k - 1 < T {
                        s[((e.step - k - 1) * B + b) * n + e.neuron] = 1
                    }
                }
            }
            return NodeTrace(
                node: source.neurons, spikes: rec.isSpiking ? NPYArray(shape: [T, B, n], values: s) : nil,
                v: NPYArray(shape: [T, B, n], values: v),
                i: source.currentToNIR == nil ? nil : NPYArray(shape: [T, B, n], values: current))
        }
    }

    /// `spikeloop nir run`: imports `graph`, simulates it on `input` and writes `<node>.spikes.npy`, `<node>.v.npy`
    /// and (CubaLIF, CubaLI) `<node>.i.npy` per neuron node into `directory`; returns the files written.
    public static func run(graph: URL, input: URL, options: NIRImportOptions, directory: URL) throws -> (
        Imported, [URL]
    ) {
        let imported = try importGraph(from: graph, options: options)
        let traces = try simulate(imported.result, input: try NPYArray.read(input), inputName: input.path)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var files: [URL] = []
        for trace in traces {
            let named = [("spikes", trace.spikes), ("v", trace.v), ("i", trace.i)].compactMap { n, a in a.map { (n, $0) } }
            for (variable, array) in named {
                let url = directory.appendingPathComponent("\(trace.node).\(variable).npy")
                try array.write(to: url)
                files.append(url)
            }
        }
        return (imported, files)
    }
}
