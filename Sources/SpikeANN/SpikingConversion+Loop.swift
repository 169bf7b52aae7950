import Foundation
import SpikeCore
import SpikeSubstrate
import SpikeTraining

extension SpikingConversion {
    /// What the chip recorded of a batch, decoded into the ANN's activation units.
    public struct Recording: Sendable {
        /// Per hidden layer `[batch][neurons]`: `â = count / (T·ρ_k) · λ_k`.
        public var hidden: [[Float]]
        /// `[batch][classes]`: `ô = mean_t V_out(t) · λ_out`.
        public var output: [Float]
        /// Emulated chip time of the batch, seconds.
        public var chipSeconds: Double
    }

    /// Loads `ann` (converted) onto `chip` and runs `images` on it, rate-coded with `seed`.
    /// - Throws: ``SubstrateError`` when the network does not fit the chip.
    public func record(_ ann: ANNNetwork, on chip: EmulatedChip, images: [Float], labels: [Int32], seed: UInt64,
                       workers: Int = availableCores) throws -> Recording {
        let net = network(ann)
        try chip.load(net)
        let batch = encode(images: images, inputCount: ann.inputCount, labels: labels, seed: seed)
        let n = labels.count, T = settings.stepCount
        let hiddenSizes = net.layers.dropLast().map(\.neuronCount), classes = net.outputCount
        var rec = Recording(hidden: hiddenSizes.map { [Float](repeating: 0, count: n * $0) },
                            output: [Float](repeating: 0, count: n * classes), chipSeconds: 0)
        let chunk = 25
        let chunks = (n + chunk - 1) / chunk
        let results = PerWorker<[(first: Int, part: Result<Recording, Error>)]>(count: max(1, min(workers, chunks)), initial: [])
        parallelChunks(count: chunks, workers: results.count) { w, range in
            var obs = Observation(network: net, stepCount: T, capacity: chunk, recording: .readout)
            for c in range {
                let part = Result { () throws -> Recording in
                    try chip.run(batch, samples: (c * chunk)..<min(n, (c + 1) * chunk), into: &obs, worker: w)
                    return decode(obs)
                }
                results[w].append((c * chunk, part))
            }
        }
        for (first, part) in results.values.joined() {
            let local = try part.get()
            for k in rec.hidden.indices {
                let width = hiddenSizes[k], m = local.hidden[k].count
                rec.hidden[k].replaceSubrange((first * width)..<(first * width + m), with: local.hidden[k])
            }
            rec.output.replaceSubrange((first * classes)..<(first * classes + local.output.count), with: local.output)
            rec.chipSeconds += local.chipSeconds
        }
        return rec
    }

    /// One chunk's decoded spike counts and readout means.
    private func decode(_ obs: Observation) -> Recording {
        let T = settings.stepCount
        var local = Recording(hidden: [], output: [], chipSeconds: obs.substrateSeconds ?? 0)
        for (k, layer) in obs.layers.dropLast().enumerated() {
            let scale = lambdas[k] / Float(Double(T) * rates[k + 1])
            var counts = [Float](repeating: 0, count: obs.samples.count * layer.neuronCount)
            for s in 0..<obs.samples.count {
                let ids = layer.spikeIndices(sample: s)
                for e in 0..<layer.spikeCount(sample: s) { counts[s * layer.neuronCount + Int(ids[e])] += scale }
            }
            local.hidden.append(counts)
        }
        let out = obs.readout, lambda = lambdas[lambdas.count - 1]
        for s in 0..<obs.samples.count {
            for i in 0..<out.neuronCount {
                var sum: Float = 0
                for t in 0..<T { sum += out.membrane(sample: s, step: t, neuron: i) }
                local.output.append(sum / Float(T) * lambda)
            }
        }
        return local
    }

    /// The ANN's forward trace with the recorded activity in place of its activations (Schmitt et al. 2017):
    /// each hidden layer's recorded `â` is the input of the next linear layer *and* stands in for the ReLU's
    /// pre-activation, so the backward pass uses `ReLU'(z) = 1[â > 0]`; the output is `ô`. Gradients then flow
    /// through the ANN's own derivatives and weights (straight-through for everything the chip does).
    public func substitutedTrace(_ ann: ANNNetwork, inputs: [Float], recording: Recording) -> ANNNetwork.Trace {
        let batch = inputs.count / ann.inputCount
        var trace = ANNNetwork.Trace(batch: batch)
        for (l, layer) in ann.layers.enumerated() {
            // linear layer 2k reads hidden layer k−1 (the inputs for k = 0); ReLU 2k+1 stands for hidden layer k
            let k = l / 2
            switch layer {
            case .linear: trace.activations.append(l == 0 ? inputs : recording.hidden[k - 1])
            default: trace.activations.append(recording.hidden[k])
            }
            trace.columns.append([])
            trace.used.append(ann.weights[l])
        }
        trace.activations.append(recording.output)
        trace.chipSeconds = recording.chipSeconds
        return trace
    }

    /// One in-the-loop step on a mini-batch: chip forward, softmax cross-entropy on `ô`, backward through the ANN
    /// with the recorded activations, Adam update of the ANN weights. Returns the loss and correct predictions.
    public func fineTuneStep(_ ann: inout ANNNetwork, optimizer: inout ANNAdam, on chip: EmulatedChip, images: [Float],
                             labels: [Int32], seed: UInt64) throws -> (loss: Double, correct: Int) {
        let rec = try record(ann, on: chip, images: images, labels: labels, seed: seed)
        let trace = substitutedTrace(ann, inputs: images, recording: rec)
        let (loss, gradient, correct) = ann.softmaxCrossEntropy(rec.output, labels: labels)
        optimizer.apply(ann.backward(trace, outputGradient: gradient, backend: .float(gain: 1)), to: &ann)
        return (loss, correct)
    }
}
