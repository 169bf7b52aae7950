import Foundation
import SpikeRun
import SpikeSubstrate
import Testing

@Suite struct PartitionPlanTests {
    @Test("substrate chip partitions a network larger than one chip by itself; chip_count > 1 always does")
    func partitionsByItself() throws {
        var config = RunConfig.synthetic
        config.hidden = [300]  // 310 neuron slots > 256
        let network = config.makeNetwork(inputs: 20, classes: 10)
        let spec = SubstrateSpec.chip(seed: 2)
        let settings = ChipSettings(calibrated: false)
        #expect(try spec.makeChip(for: network, chip: settings) == nil)
        let substrate = try spec.makeSubstrate(for: network, chip: settings)
        #expect(substrate is PartitionedChip && substrate.name == "chip:2")
        let mapping = try #require(try spec.mapping(for: network, chip: settings))
        #expect(mapping.layers[0].partitions == [0..<150, 150..<300] && mapping.runsPerSample == 2)  // readout packed
        config.hidden = [8]
        let small = config.makeNetwork(inputs: 20, classes: 10)
        #expect(try spec.makeSubstrate(for: small, chip: settings) is EmulatedChip)
        let two = try spec.makeSubstrate(for: small, chip: ChipSettings(calibrated: false, chips: 2))
        #expect(two is PartitionedChip && two.name == "chips:2-3")
        #expect(try SubstrateSpec.software.mapping(for: small) == nil)
    }

    @Test("the plan of the 28x28 MNIST config: 5 sub-networks, 8 circuits per hidden neuron, 179 µs per image")
    func mnistPlan() throws {
        var config = RunConfig.defaults(for: "mnist")
        (config.imageSize, config.hidden, config.substrate) = (28, [256], "chip")
        let plan = try PartitionPlan(config: config)
        #expect(plan.networkName == "784-256-10")
        #expect(plan.mapping.runsPerSample == 5 && plan.mapping.layers[0].circuitsPerNeuron == 8)
        #expect(abs(plan.chipSecondsPerSample - 5 * (20 * 1.7e-6 + 1.8e-6)) < 1e-12)
        let json = plan.jsonObject
        #expect(json["subnetworks"] as? Int == 5 && json["network"] as? String == "784-256-10")
        #expect(plan.lines.last?.contains("5 runs per sample") == true)
        config.chipCount = 5
        #expect(try PartitionPlan(config: config).mapping.wavesPerSample == 1)
    }

    @Test("chip_count and chip_routing_delay need a chip substrate; a split recurrent layer needs chips in lockstep")
    func errors() throws {
        var o = RunOverrides()
        o.dataset = "synthetic"
        o.chipCount = 2
        #expect { _ = try o.resolve() } throws: { "\($0)".contains("--chip-count") && "\($0)".contains("chip[:SEED]") }
        o.chipCount = nil
        o.chipRoutingDelay = 1
        #expect { _ = try o.resolve() } throws: { "\($0)".contains("--chip-routing-delay") }
        var config = RunConfig.defaults(for: "shd")
        (config.shdChannelOffset, config.shdChannelStride, config.substrate) = (0, 1, "chip")
        #expect { _ = try PartitionPlan(config: config) } throws: { "\($0)".contains("lockstep") && "\($0)".contains("chip_count") }
        config.chipCount = 3
        #expect(try PartitionPlan(config: config).mapping.wavesPerSample == 2)
    }
}
