import ArgumentParser
import Foundation
import SpikeRun
import SpikeSubstrate

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
