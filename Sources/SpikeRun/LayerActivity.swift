import SpikeModel
import SpikeTraining

/// How often each neuron of a spiking layer fired over a set of samples: the basis of the report's activity
/// plot and its silent-neuron count.
///
/// A silent neuron (no spike on any of the samples) contributes nothing to the readout and receives no
/// surrogate gradient through its own spikes; on a chip it still occupies a neuron circuit. The count is a
/// property of the substrate as well as of the weights: a chip's mismatch can silence or wake neurons.
public struct LayerActivity: Sendable, Equatable {
    /// 0-based layer index in the network.
    public var layer: Int
    /// Spikes of each neuron summed over ``samples``.
    public var spikeCounts: [Int]
    public var samples: Int

    public init(layer: Int, spikeCounts: [Int], samples: Int) {
        self.layer = layer
        self.spikeCounts = spikeCounts
        self.samples = samples
    }

    public var neuronCount: Int { spikeCounts.count }
    /// Neurons that never fired on any sample.
    public var silentCount: Int { spikeCounts.lazy.filter { $0 == 0 }.count }
    /// Spikes per sample of each neuron.
    public var rates: [Double] { spikeCounts.map { Double($0) / Double(max(1, samples)) } }
    /// Spikes of the whole layer per sample.
    public var spikesPerSample: Double { Double(spikeCounts.reduce(0, +)) / Double(max(1, samples)) }

    /// Runs the first `limit` samples of `input` (all by default) on `substrate` (which must hold `network`) in chunks of 50 and
    /// counts every hidden neuron's spikes; also returns the hidden spikes of each sample.
    /// - Complexity: one substrate pass over the samples, recording spikes only.
    public static func measure(network: Network, input: SpikeBatch, substrate: Substrate, limit: Int = .max) throws
        -> (layers: [LayerActivity], spikesPerSample: [Int])
    {
        let n = min(limit, input.sampleCount)
        let hidden = Array(network.layers.indices.dropLast())
        var counts = hidden.map { [Int](repeating: 0, count: network.layers[$0].neuronCount) }
        var perSample: [Int] = []
        guard n > 0 else { return ([], []) }
        let chunk = 50
        var obs = Observation(network: network, stepCount: input.stepCount, capacity: chunk, recording: .readout)
        var lo = 0
        while lo < n {
            let hi = min(n, lo + chunk)
            try substrate.run(input, samples: lo..<hi, into: &obs, worker: 0)
            for s in 0..<(hi - lo) {
                var total = 0
                for l in hidden where obs.layers[l].isSpiking {
                    let spikes = obs.layers[l].spikes(sample: s)
                    total += spikes.count
                    for e in spikes { counts[l][e.neuron] += 1 }
                }
                perSample.append(total)
            }
            lo = hi
        }
        let layers = hidden.map { LayerActivity(layer: $0, spikeCounts: counts[$0], samples: n) }
        return (layers, perSample)
    }
}
