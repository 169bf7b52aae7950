import ArgumentParser
import Foundation
import SpikeRun
import SpikeSubstrate
import SpikeTraining

/// `spikeloop experiment rstdp`: reward-modulated STDP run by the emulated chip's plasticity processor on a small
/// action-selection task (``ActionSelectionTask``).
struct RewardSTDPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rstdp",
        abstract: "Reward-modulated STDP on the emulated chip's plasticity processor (action selection).",
        discussion: "Prints the reward per block of trials and, last, one JSON line with the first and last block's mean reward and the PPU's chip time per update.")

    @Option(help: "Trials.") var trials = 2000
    @Option(help: "Task states (input patterns and output neurons).") var states = 4
    @Option(help: "Trials per printed block.") var block = 100
    @Option(help: "Weight change per sensor code and unit reward error, in synapse codes.") var beta: Float = RewardSTDP.Settings().beta
    @Option(help: "Weight of the anti-causal correlation store.") var anticausal: Float = RewardSTDP.Settings().anticausal
    @Option(help: "Seed of the task, the network and the chip instance.") var seed: UInt64 = 1

    func validate() throws {
        guard trials > 0, block > 0, states >= 2 else { throw ValidationError("--trials and --block must be positive, --states at least 2") }
        guard beta > 0, anticausal >= 0 else { throw ValidationError("--beta must be positive and --anticausal non-negative") }
    }

    func run() throws {
        var s = RewardSTDP.Settings()
        (s.beta, s.anticausal) = (beta, anticausal)
        let task = ActionSelectionTask(states: states, seed: seed)
        let r = try task.trainRewardSTDP(trials: trials, seed: seed, settings: s)
        let blocks = stride(from: 0, to: r.rewards.count, by: block).map { Array(r.rewards[$0..<min(r.rewards.count, $0 + block)]) }
        for (b, rewards) in blocks.enumerated() {
            FileHandle.standardError.write(Data(String(format: "trials %5d-%5d  reward %.2f\n", b * block + 1, b * block + rewards.count, rewards.reduce(0, +) / Float(rewards.count)).utf8))
        }
        let mean = { (x: [Float]) in Double(x.reduce(0, +)) / Double(max(1, x.count)) }
        print(JSONValue.text([
            "job": "rstdp", "seed": Int(seed), "states": states, "trials": trials, "chance": 1.0 / Double(states),
            "first_block_reward": mean(blocks.first ?? []), "last_block_reward": mean(blocks.last ?? []),
            "ppu_seconds_per_update": r.ppuSecondsPerUpdate,
        ]))
    }
}

/// `spikeloop experiment onchip-gradient`: the cosine of the on-chip e-prop program's update (high precision and chip
/// precision) to the BPTT gradient of the same chip runs (``OnChipGradientCheck``).
struct OnChipGradientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onchip-gradient",
        abstract: "Cosine of the on-chip e-prop update to BPTT's gradient on the same chip runs.",
        discussion: "Uses configs/onchip-images.yaml's objective on the first N training images; prints one JSON line.")

    @Option(help: "Dataset: mnist or fashion-mnist.") var dataset = "mnist"
    @Option(help: "Folder with the four IDX files.") var dataDir: String?
    @Option(help: "Training images to sum the updates over.") var samples = 200
    @Option(help: "A checkpoint (safetensors) whose network to measure; default: a fresh network.") var checkpoint: String?
    @Option(help: "Seed of the network and of the chip instance.") var seed: UInt64 = 1

    func validate() throws {
        guard samples > 0 else { throw ValidationError("--samples must be positive") }
    }

    func run() throws {
        var config = RunConfig.defaults(for: dataset)
        (config.dataDir, config.trainSamples, config.seed, config.validationSamples) = (dataDir, samples, seed, 0)
        (config.learning, config.substrate, config.loss, config.readoutScale, config.surrogate) = ("onchip", "chip:\(seed)", .sumOverTime, 0.5, "superspike:10")
        try config.validate()
        let data = try RunData.load(config)
        let network = try checkpoint.map { try Checkpoint.read(from: URL(fileURLWithPath: $0)).network } ?? config.makeNetwork(inputs: data.channels, classes: data.classes)
        guard let chip = try config.makeChip(for: network) else { throw ValidationError("no chip") }
        let c = try OnChipGradientCheck.measure(
            network: network, batch: data.train.subset(Array(0..<min(samples, data.train.sampleCount))), chip: chip,
            objective: config.objective, settings: config.onChipLearning, seed: seed)
        var line = try JSONSerialization.jsonObject(with: JSONEncoder().encode(c)) as! [String: Any]
        (line["job"], line["dataset"], line["seed"], line["network"]) = ("onchip-gradient", dataset, Int(seed), checkpoint ?? "fresh")
        print(JSONValue.text(line))
    }
}
