import Foundation
import SpikeTraining

/// On-chip learning as the trainer sees it (`learning: onchip`): each sample runs on the emulated chip, then the
/// plasticity processor's e-prop program (``OnChipEprop``) updates the chip's own weights from what the chip
/// observed and the readout errors the host broadcasts. The host does no backward pass and keeps no weights.
///
/// Chip time per training image = the run (`T·Δt` + reset) + whatever of the program's in-run work (membrane
/// samples, pulses, counters) outlasts the run + the update after it (ADC conversions of every sensor row, weight
/// loads and stores, at the PPU's clock). Energy adds the PPU's cycles to the chip's run energy.
public final class OnChipLearner: DeviceLearning {
    public let chip: EmulatedChip
    public let program: OnChipEprop
    private var observation: Observation
    /// Totals since creation: trained samples, chip seconds of runs and of PPU work, PPU energy.
    public private(set) var samples = 0
    public private(set) var runSeconds = 0.0
    public private(set) var ppuSeconds = 0.0
    public private(set) var ppuJoules = 0.0

    public init(chip: EmulatedChip, network: Network, stepCount: Int, objective: Objective, config: OnChipLearningConfig, seed: UInt64) throws {
        try chip.load(network)
        self.chip = chip
        program = try OnChipEprop(chip: chip, network: network, stepCount: stepCount, objective: objective, config: config, seed: seed)
        observation = Observation(network: network, stepCount: stepCount, capacity: 1, recording: .full)
    }

    public func learn(_ batch: SpikeBatch, objective: Objective, learningRateFactor: Float) throws -> RunStatistics {
        program.learningRateFactor = learningRateFactor
        var stats = RunStatistics()
        for s in 0..<batch.sampleCount {
            try chip.run(batch, samples: s..<(s + 1), options: RunOptions(), into: &observation, worker: 0)
            let r = program.learn(observation, local: 0, input: batch, sample: s)
            stats.record(label: Int(batch.labels[s]), predicted: r.predicted, loss: Double(r.loss))
            stats.hiddenSpikes += observation.layers[0].spikeCount(sample: 0)
            let run = observation.substrateSeconds ?? 0
            let ppu = max(0, program.lastTiming.duringRun - run) + program.lastTiming.update
            stats.substrateSeconds += run + ppu
            stats.energyJoules += (observation.energyJoules ?? 0) + program.lastTiming.joules
            (runSeconds, ppuSeconds, ppuJoules) = (runSeconds + run, ppuSeconds + ppu, ppuJoules + program.lastTiming.joules)
        }
        samples += batch.sampleCount
        return stats
    }

    public func heldNetwork(_ template: Network) -> Network { chip.residentNetwork(template) }

    /// Chip seconds per trained image (runs and PPU work), and the PPU's share.
    public var chipSecondsPerImage: Double { samples > 0 ? (runSeconds + ppuSeconds) / Double(samples) : 0 }
    public var ppuSecondsPerImage: Double { samples > 0 ? ppuSeconds / Double(samples) : 0 }
}
