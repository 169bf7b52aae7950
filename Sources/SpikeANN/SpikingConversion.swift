import Foundation
import SpikeCore
import SpikeData
import SpikeSubstrate
import SpikeTraining

/// How a bias-free ReLU MLP becomes a rate-coded spiking network on an emulated chip, and how recorded spike
/// counts map back onto the ANN's activations.
///
/// Data-based normalization (Diehl et al. 2015, doi:10.1109/IJCNN.2015.7280696; Rueckauer et al. 2017,
/// doi:10.3389/fnins.2017.00682): `λ_k` is the `percentile`-th percentile of the positive activations of weighted
/// layer `k` (ReLU outputs; for the last layer the positive logits) over a set of training images, `λ_in = 1`
/// (pixels in [0, 1]). Hidden neuron `i` of layer `k` should fire `ρ_k · a_i / λ_k` spikes per step. A spike of
/// weight `w` deposits the charge `q·w` on the membrane (`q = (h/Δt)/(1 − α_h)` for the chip's current-based
/// synapse, `h = Δt/substeps`), and an integrate-and-fire neuron with threshold ϑ = 1 fires at the rate of the
/// charge it receives, so
/// ```
/// hidden:   w_chip = W · (λ_prev/λ_k) · (ρ_k/ρ_prev) · g_k / q,   ρ_k = min(ρ_max, ρ_prev · w_max / (P99|W|·(λ_prev/λ_k)·g_k/q))
/// readout:  w_chip = W · λ_prev / (ρ_prev · κ · λ_out),       κ = q / (substeps · (1 − β_h))
/// decoding: â_k = count / (T · ρ_k) · λ_k,                    ô = mean_t V_out(t) · λ_out
/// ```
/// Threshold balancing is done in the weights (only `w/ϑ` matters; the chip keeps its calibrated ϑ). Each hidden
/// layer's full rate `ρ_k` is chosen so that the 99th percentile of its weights fills the synapse range
/// `w_max = weightMax/hiddenWeightScale` (the top 1 % may clip), up to `ρ_max` (`maxHiddenRate`): small weights
/// would otherwise round to a few codes (4 bits on BrainScaleS-1), large ones clip. `g_k` compensates the leak
/// (``leakGain(_:profile:)``). The
/// readout is a leaky integrator whose time-averaged membrane (the chip's ADC, κ its steady-state gain per
/// input spike per step) stands for the logits, scaled so that `λ_out` sits at V = 1 within the ADC's range.
/// The chip's neurons leak (τ_m), reset to their reset potential and are refractory, so low rates are lost and
/// high ones compressed; in-the-loop fine-tuning corrects what this linear mapping cannot. The ANN has no biases
/// (``ANNNetwork`` has none), so nothing is dropped.
public struct SpikingConversion: Sendable {
    public struct Settings: Sendable {
        public var profile: ChipProfile = .bss2
        /// Percentile of the positive activations that becomes the full rate (Rueckauer et al.: 99.9).
        public var percentile = 99.9
        /// Input spikes per step of a pixel of value 1.
        public var maxRate = 0.6
        /// The highest full rate of a hidden layer, spikes per step.
        public var maxHiddenRate = 0.8
        /// Steps of one presentation (Δt of the profile each).
        public var stepCount = 100
        public var encoding: RateEncoder.Kind = .regular
        public init() {}
    }

    public let settings: Settings
    /// `λ` of each weighted layer's output (model activation units).
    public let lambdas: [Float]
    /// `ρ_in` and each hidden layer's full rate, spikes per step.
    public let rates: [Double]
    /// `w_chip = factor · W` per weighted layer.
    public let weightFactors: [Float]
    /// Indices of the ANN's weighted layers.
    let linearLayers: [Int]

    /// Normalizes `ann` with its activations on `images` (`[count][inputCount]`, pixels in [0, 1]).
    /// - Throws: ``SubstrateError`` when `ann` is not `linear (relu linear)*` or a layer never activates.
    public init(ann: ANNNetwork, images: [Float], settings: Settings) throws {
        self.settings = settings
        linearLayers = try Self.checkedLinearLayers(ann)
        let count = images.count / ann.inputCount
        let trace = try ann.forward(images, batch: count, backend: .float(gain: 1))
        let p = settings.profile, cfg = p.config
        let h = p.dt / Double(cfg.substeps)
        let q = (h / p.dt) / (1 - NeuronStep<Double>.decay(dt: h, tau: p.tauSyn))
        let kappa = q / (Double(cfg.substeps) * (1 - NeuronStep<Double>.decay(dt: h, tau: p.tauMem)))
        let wMax = Double(cfg.weightMax) / cfg.hiddenWeightScale
        // the readout starts at rest: its mean over the window is this fraction of the steady state
        let window = Double(settings.stepCount) * p.dt
        let onset = 1 - p.tauMem / window * (1 - Foundation.exp(-window / p.tauMem))
        var lambdas: [Float] = [], rates = [settings.maxRate], factors: [Float] = []
        var lambdaPrev: Float = 1
        for (k, l) in linearLayers.enumerated() {
            let isOutput = k == linearLayers.count - 1
            // the ReLU's output for hidden layers, the logits for the last
            let a = trace.activations[isOutput ? l + 1 : l + 2]
            guard let lambda = Self.percentile(a.filter { $0 > 0 }, settings.percentile) else {
                throw SubstrateError("layer \(l) of the ANN has no positive activation on the \(count) normalization images; it cannot be rate-coded")
            }
            lambdas.append(lambda)
            let ratio = Double(lambdaPrev / lambda) / q
            if isOutput {
                factors.append(Float(Double(lambdaPrev) / (rates[k] * kappa * onset * Double(lambda))))
            } else {
                // the rate ceiling that keeps the largest weight in range, with the leak compensation at that rate
                // (the top 1 % of weights may clip: one outlier must not slow the whole layer)
                let peak = Double(Self.percentile(ann.weights[l].map { abs($0) }, 99) ?? 0) * ratio
                let normalized = a.lazy.filter { $0 > 0 }.prefix(20_000).map { Double($0 / lambda) }
                let rate = min(settings.maxHiddenRate, rates[k] * wMax / (peak * Self.leakGain(normalized.map { $0 * rates[k] }, profile: p)))
                let gain = Self.leakGain(normalized.map { $0 * rate }, profile: p)
                rates.append(rate)
                factors.append(Float(ratio * gain * rate / rates[k]))
            }
            lambdaPrev = lambda
        }
        (self.lambdas, self.rates, self.weightFactors) = (lambdas, rates, factors)
    }

    /// The gain on a hidden layer's drive that best matches its LIF firing rates to the integrate-and-fire rates
    /// `targets` (spikes per step) in least squares (a grid over 1…4 in steps of 0.05).
    ///
    /// A drive that alone would fire an integrate-and-fire neuron at `r` spikes per step holds a leaky neuron at
    /// `V∞ = r·τ_m/Δt` (threshold 1, reset and leak 0), which fires at `Δt / (t_ref + τ_m·ln(V∞/(V∞ − 1)))` when
    /// `V∞ > 1`: below the target everywhere, and not at all for `V∞ ≤ 1`. Scaling the drive by the gain recovers
    /// the typical rates of the layer (the smallest stay silent; fine-tuning absorbs the rest).
    static func leakGain(_ targets: [Double], profile p: ChipProfile) -> Double {
        guard !targets.isEmpty else { return 1 }
        let tRef = p.config.refractory
        func lif(_ r: Double, _ g: Double) -> Double {
            let v = g * r * p.tauMem / p.dt
            return v > 1 ? p.dt / (tRef + p.tauMem * Foundation.log(v / (v - 1))) : 0
        }
        let gains = stride(from: 1.0, through: 4.0, by: 0.05)
        return gains.min { g1, g2 in
            targets.reduce(0) { $0 + (lif($1, g1) - $1) * (lif($1, g1) - $1) } < targets.reduce(0) { $0 + (lif($1, g2) - $1) * (lif($1, g2) - $1) }
        } ?? 1
    }

    /// The ANN's weighted layers, checking the `linear (relu linear)*` pattern.
    static func checkedLinearLayers(_ ann: ANNNetwork) throws -> [Int] {
        for (i, layer) in ann.layers.enumerated() {
            let ok: Bool
            switch layer {
            case .linear: ok = i % 2 == 0
            case .relu: ok = i % 2 == 1 && i < ann.layers.count - 1
            default: ok = false
            }
            guard ok else {
                throw SubstrateError("ANN layer \(i) is \(layer); conversion needs linear layers separated by single ReLUs, ending in a linear layer")
            }
        }
        guard ann.layers.count >= 3 else { throw SubstrateError("conversion needs at least one hidden layer, the ANN has \(ann.layers.count) layer(s)") }
        return Array(stride(from: 0, to: ann.layers.count, by: 2))
    }

    /// The `p`-th percentile (nearest rank) of `xs`, nil when empty.
    static func percentile(_ xs: [Float], _ p: Double) -> Float? {
        guard !xs.isEmpty else { return nil }
        let sorted = xs.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(sorted.count - 1, max(0, rank))]
    }

    /// The spiking network for the current ANN weights: CUBA-LIF hidden layers and a leaky readout with the
    /// profile's time constants, weights `factor · W` (the chip quantizes them when it loads the network).
    public func network(_ ann: ANNNetwork) -> Network {
        let p = settings.profile
        let params = NeuronParameters(tauMem: p.tauMem, tauSyn: p.tauSyn, reset: .zero)
        let layers = linearLayers.enumerated().map { k, l -> Layer in
            guard case .linear(let i, let o) = ann.layers[l] else { preconditionFailure("layer \(l) is not linear") }
            let isOutput = k == linearLayers.count - 1
            return Layer(kind: isOutput ? .leakyReadout : .lif, inputCount: i, neuronCount: o, parameters: params,
                         weights: ann.weights[l].map { $0 * weightFactors[k] })
        }
        return Network(dt: p.dt, layers: layers)
    }

    /// Rate-codes `images` (`[count][inputCount]`) with this conversion's encoding and input rate.
    public func encode(images: [Float], inputCount: Int, labels: [Int32], seed: UInt64) -> SpikeBatch {
        RateEncoder(kind: settings.encoding, maxRate: settings.maxRate, stepCount: settings.stepCount, seed: seed)
            .encode(images: images, pixels: inputCount, labels: labels)
    }
}
