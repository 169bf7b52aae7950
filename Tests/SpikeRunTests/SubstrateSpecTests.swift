import SpikeRun
import Testing

@Suite struct SubstrateSpecTests {
    @Test(
        "parses software, chip and chip:SEED",
        arguments: [
            ("software", SubstrateSpec.software), ("chip", .chip(seed: 1)), ("chip:7", .chip(seed: 7)),
            ("chip:18446744073709551615", .chip(seed: .max)),
        ])
    func parses(text: String, expected: SubstrateSpec) throws {
        let spec = try SubstrateSpec(parsing: text)
        #expect(spec == expected)
        #expect(spec.isChip == (text != "software"))
    }

    @Test(
        "bad specs name the setting and what was expected",
        arguments: ["", "Software", "chip:", "chip:-1", "chip:x", "gpu", "chip:1:2"])
    func rejects(text: String) {
        #expect {
            try SubstrateSpec(parsing: text)
        } throws: { error in
            let e = error as? RunError
            let hint = text == "Software" ? ". Did you mean 'software'?" : ""  // a near miss gets a suggestion
            return e?.code == .invalidSetting && e?.subject == "substrate"
                && e?.description == "substrate: expected software, chip or chip:SEED, got '\(text)'\(hint)"
        }
    }

    @Test("the substrate built from a spec is named like the spec and a chip loads the network")
    func builds() throws {
        var config = RunConfig.synthetic
        config.hidden = [8]
        let network = config.makeNetwork(inputs: 20, classes: 10)
        let software = try SubstrateSpec.software.makeSubstrate(for: network)
        #expect(software.name == "software")
        let chip = try SubstrateSpec(parsing: "chip:3").makeSubstrate(
            for: network, chip: ChipSettings(calibrated: false))
        #expect(chip.name == "chip:3")
        #expect(SubstrateSpec.chip(seed: 3).description == "chip:3")
    }
}
