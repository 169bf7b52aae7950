import SpikeTraining

extension CorrelationSensors {
    /// Accumulates what a substrate recorded for one sample of layer `l`: the layer's input events (the input batch
    /// for layer 0, the spikes of the layer below otherwise) as presynaptic spikes and its own spikes as
    /// postsynaptic ones, at `step·dt` — what the chip's sensors see of that run.
    /// - Parameter local: the sample's index within the observation (its chunk).
    public func accumulate(_ observation: Observation, input: SpikeBatch, sample local: Int, layer l: Int, dt: Double) throws {
        let record = observation.layers[l]
        guard record.isSpiking else { throw SubstrateError("correlation sensors: layer \(l) does not spike (a readout)") }
        let below = l == 0 ? nil : observation.layers[l - 1]
        let inputs = below?.neuronCount ?? input.channelCount
        guard inputs == rows, record.neuronCount == columns else {
            throw SubstrateError("correlation sensors: layer \(l) is \(inputs) inputs × \(record.neuronCount) neurons, the sensors \(rows) × \(columns)")
        }
        var pre = [[Double]](repeating: [], count: rows), post = [[Double]](repeating: [], count: columns)
        if let below {
            for e in below.spikes(sample: local) { pre[e.neuron].append(Double(e.step) * dt) }
        } else {
            for e in input.events(ofSample: observation.samples.lowerBound + local) { pre[e.channel].append(Double(e.step) * dt) }
        }
        for e in record.spikes(sample: local) { post[e.neuron].append(Double(e.step) * dt) }
        try accumulate(pre: pre, post: post)
    }
}
