import Foundation
import SpikeRun
import Testing

@Suite(.serialized) struct RunReportTests {
    /// A tiny trained run's report, and its directory.
    static func report(substrate: String) throws -> String {
        var config = TrainingRunTests.tinyConfig()
        config.substrate = substrate
        config.chipCalibrated = false  // calibration takes seconds in a debug build; the report is the same
        config.chipDecalibration = substrate == "software" ? 0 : 0.2
        config.epochs = 1
        let dir = try RunDirectory.create(at: RunDirectoryTests.tempURL(), config: config)
        _ = try TrainingRun(config: config, directory: dir).run()
        return try String(contentsOf: dir.reportURL, encoding: .utf8)
    }

    @Test(
        "the report of a tiny chip run has the chip sections: traces with the ADC range, weights, activity, calibration, time"
    )
    func chipRun() throws {
        let html = try Self.report(substrate: "chip:2")
        for section in RunReport.Section.allCases {
            #expect(html.contains("id='\(section.rawValue)'"), "no section \(section.rawValue)")
        }
        for text in [
            "Chip vs software", "ADC range", "software (dashed)", "±63", "synapse code", "neurons silent",
            "calibration", "decalibrated by σ_d = 0.20", "chip time", "µJ", "hardware runs", "input spikes",
            "Learning rate", "<table class='kv'>", "chip_decalibration",
        ] {
            #expect(html.contains(text), "the chip report lacks '\(text)'")
        }
    }

    @Test("the report of a software run has the new plots but no chip sections")
    func softwareRun() throws {
        let html = try Self.report(substrate: "software")
        for section in RunReport.Section.allCases {
            let chipOnly = section == .chipTraces || section == .chip
            #expect(html.contains("id='\(section.rawValue)'") != chipOnly, "section \(section.rawValue)")
        }
        #expect(
            html.contains("what copying the weights onto an emulated chip would do") && html.contains("neurons silent"))
    }

    @Test("a neuron whose inputs are all inhibitory is counted silent; the others are not")
    func silentNeuron() throws {
        var config = TrainingRunTests.tinyConfig()
        config.hidden = [4]
        let data = try RunData.load(config)
        var network = config.makeNetwork(inputs: data.channels, classes: data.classes)
        let layer = network.layers[0]
        for j in 0..<layer.inputCount {
            for i in 0..<layer.neuronCount { network.layers[0].weights[j * layer.neuronCount + i] = i == 2 ? -1 : 1 }
        }
        let software = SoftwareSubstrate()
        try software.load(network)
        let (layers, perSample) = try LayerActivity.measure(
            network: network, input: data.test, substrate: software, limit: 30)
        #expect(layers.count == 1 && perSample.count == 30)
        let a = try #require(layers.first)
        #expect(a.silentCount == 1 && a.spikeCounts[2] == 0 && a.spikeCounts.filter { $0 > 0 }.count == 3)
        #expect(a.samples == 30 && perSample.reduce(0, +) == a.spikeCounts.reduce(0, +))
        #expect(LayerActivity(layer: 0, spikeCounts: [0, 3, 0, 1], samples: 2).silentCount == 2)
        #expect(LayerActivity(layer: 0, spikeCounts: [0, 3, 0, 1], samples: 2).rates == [0, 1.5, 0, 0.5])
    }

    @Test("class names: Fashion-MNIST and spoken digits by name, MNIST and unknown datasets by number")
    func classNames() {
        #expect(ClassNames.names(dataset: "fashion-mnist", classes: 10)[9] == "Ankle boot")
        #expect(ClassNames.names(dataset: "shd", classes: 20)[12] == "german zwei")
        #expect(ClassNames.names(dataset: "mnist", classes: 10).isEmpty)
        #expect(ClassNames.names(dataset: "fashion-mnist", classes: 3).isEmpty)
        #expect(
            ClassNames.label(0, names: ClassNames.fashionMNIST) == "0 T-shirt/top"
                && ClassNames.label(4, names: []) == "4")
    }

    @Test("inspect chip writes a standalone SVG with a histogram pair per parameter")
    func inspectionSVG() throws {
        // measured values of 3 neurons (measuring a whole chip takes a minute in a debug build)
        let names = ["tau_m (us)", "tau_s (us)", "leak", "threshold", "reset"]
        let parameters = names.map {
            ChipInspection.Parameter(name: $0, before: [0.8, 1, 1.3], after: [0.99, 1, 1.01], scale: 1)
        }
        let inspection = ChipInspection(seed: 5, tauMem: 6e-6, tauSyn: 6e-6, parameters: parameters)
        #expect(inspection.neuronCount == 3)
        let svg = inspection.svg
        #expect(svg.hasPrefix("<?xml") && !svg.contains("<html"))
        #expect(svg.components(separatedBy: "<svg").count - 1 == 1 + 10)
        #expect(svg.contains("tau_m (us): uncalibrated") && svg.contains("reset: calibrated"))
        #expect(ChipInspection.defaultSVGPath(seed: 5) == "chip-5.svg")
    }
}
