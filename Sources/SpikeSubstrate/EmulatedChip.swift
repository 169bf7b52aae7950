import _CSpikeKernels
import Foundation
import SpikeCore
import SpikeTraining

/// An emulated analog neuromorphic chip modelled on BrainScaleS-2, as a `Substrate` (DESIGN §4).
///
/// One instance per seed: its fixed-pattern mismatch is frozen (`ChipInstance`). `load` maps the network onto
/// the chip (capacity checked; a dense layer with more than `maxFanIn` inputs gets compound neurons of several
/// slots, ``ChipMapping``; a network over capacity runs on ``PartitionedChip``), quantizes weights to signed 6-bit values and writes them; `run` emulates the
/// continuous-time dynamics on a fine grid (`ChipConfig.substeps` per model step) with per-neuron time
/// constants, leak, threshold, reset and refractory time, per-synapse gains and membrane noise, and returns
/// what a user records: spike times binned to the model grid and membrane samples of every neuron at each
/// model step through an 8-bit ADC with per-channel offset and gain, normalized with the per-neuron leak and
/// threshold codes measured at setup. The emulator's exact state is never exposed.
public final class EmulatedChip: Substrate, @unchecked Sendable {
    public let config: ChipConfig
    public private(set) var instance: ChipInstance
    public let name: String
    public let capabilities: SubstrateCapabilities
    /// Whether `calibrate` has run for the current targets.
    public private(set) var isCalibrated = false
    /// Relative spread applied to τ_m, τ_s and (ϑ − leak) after calibration (the paper's decalibration study).
    public private(set) var decalibration = 0.0
    /// Per-neuron ADC codes of leak and threshold used to normalize recordings (measured by `characterizeReadout`).
    public internal(set) var readoutLeakCode: [Double]
    public internal(set) var readoutThresholdCode: [Double]
    /// Calibration targets the settings were made for.
    public private(set) var targetTauMem: Double
    public private(set) var targetTauSyn: Double
    /// Emulate only the inference window (first input + 10 µs) instead of the whole sample.
    public var paperInferenceWindow = false

    var layers: [ChipLayer] = []
    var stepCount = 0
    var runCounter: UInt64 = 0
    private var slots: [ChipSlot] = []

    /// - Parameters:
    ///   - calibrated: run the probe-based calibration for the network's time constants on first `load`.
    public init(seed: UInt64, config: ChipConfig = ChipConfig(), calibrated: Bool = true, tauMem: Double = 6e-6, tauSyn: Double = 6e-6, maxConcurrentRuns: Int = 64) {
        self.config = config
        self.instance = ChipInstance(seed: seed, config: config, tauMem: tauMem, tauSyn: tauSyn)
        self.name = "chip:\(seed)"
        self.capabilities = SubstrateCapabilities(
            exactMembranes: false, dropout: false, streamingWithoutMembranes: true, onDeviceLearning: true,
            maxFanIn: config.maxFanIn, maxNeurons: config.neuronCapacity, maxConcurrentRuns: maxConcurrentRuns,
            preferredChunkSize: 4)
        self.targetTauMem = tauMem
        self.targetTauSyn = tauSyn
        let n = config.neuronCapacity
        readoutLeakCode = Array(repeating: config.adcLeakCode, count: n)
        readoutThresholdCode = Array(repeating: config.adcThresholdCode, count: n)
        wantsCalibration = calibrated
        characterizeReadout()
    }

    private var wantsCalibration: Bool

    /// Sets the per-neuron parameters so that the measured values match the targets (probe-based, see
    /// `Calibration`), then re-measures the readout normalization.
    public func calibrate(tauMem: Double, tauSyn: Double) {
        targetTauMem = tauMem
        targetTauSyn = tauSyn
        Calibration.run(chip: self, tauMem: tauMem, tauSyn: tauSyn)
        isCalibrated = true
        decalibration = 0
        characterizeReadout()
    }

    /// Spreads τ_m, τ_s and (ϑ − leak) by relative SD `sigma` around the calibrated values (seeded per chip),
    /// reproducing the decalibration study of Cramer et al. 2022.
    public func decalibrate(sigma: Double) {
        guard sigma > 0 else { return }
        var rng = SeededRandom(seed: instance.seed, stream: 0xDECA1)
        for i in 0..<instance.neurons {
            let a = max(0.1, 1 + sigma * rng.nextGaussian())
            let b = max(0.1, 1 + sigma * rng.nextGaussian())
            let c = max(0.1, 1 + sigma * rng.nextGaussian())
            instance.tauMemSetting[i] *= a
            instance.tauSynSetting[i] *= b
            let leak = instance.leakSetting[i]
            instance.thresholdSetting[i] = leak + (instance.thresholdSetting[i] - leak) * c
        }
        decalibration = sigma
        characterizeReadout()
        layers = []
    }

    /// Measures each channel's ADC code at the neuron's leak and threshold through probes (what a user
    /// does before normalizing recordings to leak 0, threshold 1).
    public func characterizeReadout() {
        guard config.measuredNormalization else { return }
        for i in 0..<instance.neurons {
            let p = Probe(chip: instance, neuron: i)
            readoutLeakCode[i] = p.idleCode()
            readoutThresholdCode[i] = max(readoutLeakCode[i] + 1, p.thresholdCode())
        }
    }

    // MARK: Substrate

    public func load(_ network: Network) throws {
        try network.validate()
        // Up to maxFanIn sources: dense, source j on row j. More: sparse, routed by address (SynapseRows), or a
        // compound neuron of several slots with connected membranes (ChipMapping).
        let slotsPerNeuron = network.layers.enumerated().map { ChipMapping.slotsPerNeuron($1, index: $0, config: config) }
        let total = zip(network.layers, slotsPerNeuron).reduce(0) { $0 + $1.0.neuronCount * $1.1 }
        guard total <= config.neuronCapacity else {
            let neurons = network.layers.reduce(0) { $0 + $1.neuronCount }
            throw SubstrateError(
                "network needs \(neurons) neurons in \(total) neuron slots, the chip has \(config.neuronCapacity) (\(config.neuronCircuits) circuits, \(config.circuitsPerNeuron) per slot); run it partitioned (PartitionedChip: substrate chip does so by itself) or shrink the hidden layers")
        }
        prepareSettings(for: network.layers[0].parameters)
        let sameShape = layers.count == network.layers.count && zip(layers, network.layers).allSatisfy { $0.inputCount == $1.inputCount && $0.neuronCount == $1.neuronCount }
            && zip(layers, slotsPerNeuron).allSatisfy { $0.placements[0].slots.count == $1 }
        if !sameShape || layers.isEmpty {
            var base = 0
            layers = zip(network.layers, slotsPerNeuron).map { layer, k in
                defer { base += layer.neuronCount * k }
                return ChipLayer(layer, firstNeuron: base, slotsPerNeuron: k, dt: network.dt, chip: self)
            }
        } else {
            for (c, layer) in zip(layers, network.layers) { c.refreshParameters(layer, dt: network.dt) }
        }
        for (l, layer) in network.layers.enumerated() { layers[l].writeWeights(layer, isOutput: l == network.layers.count - 1) }
        runCounter &+= 1
        if slots.count < maxConcurrentRuns { slots = (0..<maxConcurrentRuns).map { _ in ChipSlot() } }
    }

    /// Calibrates for (or, uncalibrated, writes) the first layer's τ_m and τ_s unless the chip is set up for them.
    func prepareSettings(for first: LIFParameters) {
        if wantsCalibration && (!isCalibrated || first.tauMem != targetTauMem || first.tauSyn != targetTauSyn) {
            calibrate(tauMem: first.tauMem, tauSyn: first.tauSyn)
        } else if !wantsCalibration && (first.tauMem != targetTauMem || first.tauSyn != targetTauSyn) {
            targetTauMem = first.tauMem
            targetTauSyn = first.tauSyn
            for i in 0..<instance.neurons {
                instance.tauMemSetting[i] = first.tauMem
                instance.tauSynSetting[i] = first.tauSyn
            }
            characterizeReadout()
        }
    }

    public func run(_ input: SpikeBatch, samples: Range<Int>, options: RunOptions, into observation: inout Observation, worker: Int) throws {
        precondition(!layers.isEmpty, "EmulatedChip.run before load")
        if let d = options.dropout, d.probability > 0 {
            throw SubstrateError("\(name) cannot drop hidden spikes during a run (dropout is a software-substrate option)")
        }
        let slot = slots[worker]
        let emulation = NetworkEmulation(
            layers: layers, routes: layers.map { _ in nil }, noiseSeed: instance.seed &* 0x9E37_79B9_7F4A_7C15 &+ runCounter &* 0x1000_0001,
            inferenceWindow: paperInferenceWindow && observation.recording == .readout ? config.inferenceWindow : nil)
        let windows = emulation.run(input, samples: samples, into: &observation, slot: slot)
        let chipSeconds = windows + Double(samples.count) * config.resetOverhead
        observation.substrateSeconds = chipSeconds
        observation.energyJoules = chipSeconds * config.chipPower
    }

    func setInstanceStorage(_ inst: ChipInstance) {
        instance = inst
        layers = []
    }

    /// Measures the parameters of the neurons in `neurons` (all when nil) through probes (for `inspect chip`, the
    /// run report's calibration summary and tests); arrays are indexed from the range's start.
    public func measure(neurons: Range<Int>? = nil) -> NeuronMeasurements {
        Calibration.measure(instance, tauMemGuess: targetTauMem, tauSynGuess: targetTauSyn, round: 99, neurons: neurons)
    }

    /// Number of hardware runs a batch of `samples` images would take on the physical chip (trace memory).
    public func hardwareRuns(samples: Int) -> Int { (samples + config.imagesPerRun - 1) / config.imagesPerRun }
}

/// One worker's scratch: membrane and current vectors, and per-layer spike lists on the substep grid.
final class ChipSlot: @unchecked Sendable {
    var v = FloatBuffer(count: 0)
    var i = FloatBuffer(count: 0)
    var refractory = Int32Buffer(count: 0)
    var refractoryLeft = Int32Buffer(count: 0)
    /// ADC samples on the ADC's own grid `[K][stride]`, when it differs from the model grid.
    var adc = FloatBuffer(count: 0)
    var spikes: [Int32Buffer] = []
    var offsets: [Int32Buffer] = []
    /// Per-substep spike counts of a layer's output as the routing delivers them (`NetworkEmulation`).
    var routed = Int32Buffer(count: 0)
    var shape: (Int, Int, [Int]) = (0, 0, [])

    func prepare(layers: [ChipLayer], stepCount T: Int, substeps S: Int) {
        let strides = layers.map(\.stride)
        if shape.0 == T && shape.1 == S && shape.2 == strides { return }
        let maxStride = strides.max() ?? 16
        v = FloatBuffer(count: maxStride)
        i = FloatBuffer(count: maxStride)
        refractory = Int32Buffer(count: maxStride)
        refractoryLeft = Int32Buffer(count: maxStride)
        spikes = layers.map { Int32Buffer(count: T * S * $0.neuronCount + 16, initialized: false) }
        offsets = layers.map { _ in Int32Buffer(count: T * S + 1) }
        routed = Int32Buffer(count: T * S + 1)
        shape = (T, S, strides)
    }
}

/// Vectorized temporal noise: xorshift32 per lane, triangular deviates scaled to unit variance.
///
/// The sum of two uniforms has the right mean and variance and costs a few integer ops per 16 neurons; the
/// exact shape of the membrane noise distribution does not matter at this amplitude.
struct NoiseSource {
    var state: SIMD16<UInt32>

    init(seed: UInt64) {
        var r = SeededRandom(seed: seed)
        state = SIMD16<UInt32>((0..<16).map { _ in UInt32(truncatingIfNeeded: r.next() | 1) })
    }

    @inline(__always)
    mutating func nextUniform() -> SIMD16<Float> {
        state ^= state &<< 13
        state ^= state &>> 17
        state ^= state &<< 5
        // 23 random mantissa bits under the exponent of 1.0 give a float in [1, 2) without a conversion.
        return unsafeBitCast((state &>> 9) | SIMD16<UInt32>(repeating: 0x3F80_0000), to: SIMD16<Float>.self) - 1
    }

    /// Zero mean, unit variance.
    @inline(__always)
    mutating func next() -> SIMD16<Float> {
        let a = nextUniform(), b = nextUniform()
        return (a + b - 1) * 2.449_489_7  // √6
    }
}
