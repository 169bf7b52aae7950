import SpikeSubstrate
import SpikeTraining

/// Which substrate a run uses, parsed from `software`, `chip` or `chip:SEED`.
///
/// The spec, not the substrate object, answers "is this a chip?", so that no caller needs a type check on a
/// `Substrate`. `chip` alone means chip instance 1.
///
/// ```swift
/// let spec = try SubstrateSpec(parsing: "chip:3")
/// let chip = try spec.makeSubstrate(for: network, chip: ChipSettings(calibrated: false))
/// ```
public enum SubstrateSpec: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The ideal software simulator (`SoftwareSubstrate`).
    case software
    /// An emulated analog chip instance; `seed` draws its fixed-pattern mismatch.
    case chip(seed: UInt64)

    /// Parses `software`, `chip` (instance 1) or `chip:SEED`.
    /// - Throws: ``RunError`` naming the setting `substrate`, with what was expected and what was found.
    public init(parsing text: String) throws {
        if text == "software" {
            self = .software
        } else if text == "chip" {
            self = .chip(seed: 1)
        } else if text.hasPrefix("chip:"), let seed = UInt64(text.dropFirst(5)) {
            self = .chip(seed: seed)
        } else {
            let head = String(text.split(separator: ":", maxSplits: 1).first ?? "")
            let names = ["software", "chip"]
            let hint = (names.contains(head) ? nil : Suggestion.closest(to: head, in: names)).map { name in
                " Did you mean '\(name)\(text.dropFirst(head.count))'?"
            } ?? ""
            throw RunError(
                .invalidSetting, subject: "substrate", "expected software, chip or chip:SEED, got '\(text)'\(hint.isEmpty ? "" : "." + hint)")
        }
    }

    /// True for an emulated chip: in-the-loop training, chip time and energy in the evaluation.
    public var isChip: Bool {
        if case .chip = self { return true }
        return false
    }

    /// The instance data-parallel rank `rank` uses: the chip `chip:SEED+rank` (every rank its own chip); the
    /// software substrate for every rank.
    public func instance(forRank rank: Int) -> SubstrateSpec {
        if case .chip(let seed) = self, rank > 0 { return .chip(seed: seed &+ UInt64(rank)) }
        return self
    }

    /// The canonical text: `software` or `chip:SEED` (what the substrate reports as its name).
    public var description: String {
        switch self {
        case .software: return "software"
        case .chip(let seed): return "chip:\(seed)"
        }
    }

    /// Builds the substrate; a chip is calibrated for the first layer's time constants, loaded with `network`
    /// and decalibrated as `chip` says. `chip` is ignored for the software substrate.
    /// A chip spec gives an ``EmulatedChip`` when the network fits one chip run and `settings.chips` is 1, else a
    /// ``PartitionedChip`` over `settings.chips` chips (seeds `seed`, `seed + 1`, …).
    public func makeSubstrate(for network: Network, chip settings: ChipSettings = ChipSettings()) throws -> Substrate {
        if let chip = try makeChip(for: network, chip: settings) { return chip }
        guard case .chip(let seed) = self else { return SoftwareSubstrate() }
        let p = network.layers[0].parameters
        let chips = PartitionedChip(
            seed: seed, chips: settings.chips, config: settings.chipConfig, calibrated: settings.calibrated,
            tauMem: p.tauMem, tauSyn: p.tauSyn, routingDelaySteps: settings.routingDelaySteps)
        try chips.load(network)
        if settings.decalibration > 0 {
            chips.decalibrate(sigma: settings.decalibration)
            try chips.load(network)
        }
        return chips
    }

    /// How `network` maps onto the chips this spec and `settings` name (nil for `software`).
    public func mapping(for network: Network, chip settings: ChipSettings = ChipSettings()) throws -> ChipMapping? {
        guard isChip else { return nil }
        try network.validate()
        return try ChipMapping(network: network, config: settings.chipConfig, chips: settings.chips)
    }

    /// The emulated chip this spec names, built as ``makeSubstrate(for:chip:)`` builds it (nil for `software`, and
    /// for a network that runs partitioned): for callers that need the chip itself (the run report's ADC ranges,
    /// calibration and weight mapping, on-chip learning).
    public func makeChip(for network: Network, chip settings: ChipSettings = ChipSettings()) throws -> EmulatedChip? {
        switch self {
        case .software:
            return nil
        case .chip(let seed):
            guard settings.chips == 1, try mapping(for: network, chip: settings)?.fitsOneChip == true else { return nil }
            let p = network.layers[0].parameters
            let chip = EmulatedChip(
                seed: seed, config: settings.chipConfig, calibrated: settings.calibrated, tauMem: p.tauMem,
                tauSyn: p.tauSyn)
            try chip.load(network)
            if settings.decalibration > 0 { chip.decalibrate(sigma: settings.decalibration) }
            return chip
        }
    }
}

/// How an emulated chip is set up: calibration, mismatch, noise, decalibration and substeps.
public struct ChipSettings: Equatable, Sendable {
    /// Calibrate the chip to the network's τ_m and τ_s (probe measurements, as on hardware).
    public var calibrated: Bool
    /// Multiplies every fixed-pattern mismatch spread (1: the documented defaults of `ChipConfig`).
    public var mismatchScale: Double
    /// Temporal membrane noise SD in threshold units; nil: the `ChipConfig` default.
    public var noise: Double?
    /// Relative spread of τ_m, τ_s and (ϑ − leak) applied after calibration.
    public var decalibration: Double
    /// Integration substeps per model step; nil: the `ChipConfig` default.
    public var substeps: Int?
    /// Chips side by side for a network larger than one chip (``PartitionedChip``).
    public var chips: Int
    /// Extra delay of spikes routed between sub-networks, model steps.
    public var routingDelaySteps: Int

    public init(
        calibrated: Bool = true, mismatchScale: Double = 1, noise: Double? = nil, decalibration: Double = 0,
        substeps: Int? = nil, chips: Int = 1, routingDelaySteps: Int = 0
    ) {
        self.chips = chips
        self.routingDelaySteps = routingDelaySteps
        self.calibrated = calibrated
        self.mismatchScale = mismatchScale
        self.noise = noise
        self.decalibration = decalibration
        self.substeps = substeps
    }

    /// The chip model with the mismatch spreads scaled and the noise and substeps set.
    public var chipConfig: ChipConfig {
        var cfg = ChipConfig().scalingMismatch(by: mismatchScale)
        if let n = noise { cfg.membraneNoise = n }
        if let s = substeps { cfg.substeps = s }
        return cfg
    }
}

extension RunConfig {
    /// The parsed ``substrate`` setting.
    public func substrateSpec() throws -> SubstrateSpec { try SubstrateSpec(parsing: substrate) }

    /// The chip settings of this config.
    public var chipSettings: ChipSettings {
        ChipSettings(
            calibrated: chipCalibrated, mismatchScale: chipMismatchScale, noise: chipNoise,
            decalibration: chipDecalibration, substeps: chipSubsteps, chips: chipCount, routingDelaySteps: chipRoutingDelay)
    }

    /// The substrate this config names, built for `network` (see ``SubstrateSpec/makeSubstrate(for:chip:)``).
    public func makeSubstrate(for network: Network) throws -> Substrate {
        try substrateSpec().makeSubstrate(for: network, chip: chipSettings)
    }

    /// The settings of on-chip learning: the learning rate for hidden and readout weights (per sample), the
    /// membrane-sample interval, and homeostasis into `lowerThreshold…upperThreshold` spikes per sample.
    public var onChipLearning: OnChipLearningConfig {
        var c = OnChipLearningConfig()
        (c.learningRate, c.readoutLearningRate) = (Float(learningRate), Float(learningRate))
        c.sampleEvery = onchipSampleEvery
        (c.homeostasis, c.rateLow, c.rateHigh) = (onchipHomeostasis, lowerThreshold, upperThreshold)
        return c
    }

    /// The emulated chip this config names (nil for the software substrate); see ``SubstrateSpec/makeChip(for:chip:)``.
    public func makeChip(for network: Network) throws -> EmulatedChip? {
        try substrateSpec().makeChip(for: network, chip: chipSettings)
    }
}
