import Foundation
import SpikeTraining

extension RunConfig {
    /// The spike-domain augmentation these settings ask for.
    public var spikeAugmentation: SpikeAugmentation {
        SpikeAugmentation(
            channelJitter: channelJitter, onsetShift: augmentOnsetShift, channelMask: augmentChannelMask,
            timeMask: augmentTimeMask, spikeDrop: augmentSpikeDrop)
    }

    /// A fresh network for `inputs` channels and `classes` outputs, initialized as in the paper.
    ///
    /// Hidden layers use ``neuron``; the readout is a leaky integrator with the same time constants. Weights are
    /// drawn from `N(mean, SD)` with `SD = initScale·(1 − β)/√N_in`, `β = exp(−dt/τ_m)` (Cramer et al. 2022), or
    /// from ``initStd`` when it is set; hidden layers get mean ``hiddenInitMean``, the readout mean 0.
    /// Deterministic for ``seed``.
    public func makeNetwork(inputs: Int, classes: Int) -> Network {
        let beta = exp(-dt / tauMem)
        let sizes = [inputs] + hidden + [classes]
        precondition(
            initStd.map { $0.count == sizes.count - 1 } ?? true,
            "initStd needs \(sizes.count - 1) SDs for sizes \(sizes), got \(initStd ?? [])")
        var inits: [WeightInit] = []
        for l in 0..<(sizes.count - 1) {
            let mean: Float = l < sizes.count - 2 ? hiddenInitMean : 0
            if let sd = initStd {
                inits.append(WeightInit(mean: mean, std: Float(sd[l])))
            } else {
                inits.append(WeightInit.paper(inputCount: sizes[l], beta: beta, scale: initScale, mean: mean))
            }
        }
        let readout = LIFParameters(
            tauMem: tauMem, tauSyn: tauSyn, currentTiming: currentTiming, inputScaling: inputScaling)
        return Network.feedForward(
            sizes: sizes, dt: dt, hidden: neuron, readout: readout, initializers: inits, recurrent: recurrent,
            recurrentInit: recurrent ? WeightInit.paper(inputCount: hidden[0], beta: beta, scale: initScale) : nil,
            weightLimit: weightLimit, seed: seed)
    }
}
