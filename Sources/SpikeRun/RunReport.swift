import Foundation
import SpikeReport
import SpikeSubstrate
import SpikeTraining

/// The run report `report.html`: what the run learned and, on a chip, what the chip did.
///
/// Sections (each an anchor of the page): training curves and the learning rate; one test sample's input raster,
/// hidden raster and readout; for chip runs, chip and software membranes of the same input with the ADC's range;
/// the weights as 6-bit synapse codes against the chip's ±63; per-layer activity with the silent neurons; for
/// chip runs, the calibration summary and chip time and energy; the confusion matrix with class names; the
/// configuration. Everything is inline SVG, so the page works offline and in a headless browser.
///
/// The figures after the training curves come from running test samples on the run's substrate, so on a chip they
/// show what the chip did.
public struct RunReport {
    public var network: Network
    public var config: RunConfig
    public var test: SpikeBatch
    public var classes: Int
    public var evaluation: RunStatistics
    /// The substrate the run trained on; it must hold ``network`` or accept it in `load`.
    public var substrate: Substrate
    /// Lines of `metrics.jsonl` (one per epoch); an optional `phase` key ("software", "in the loop") splits the
    /// curves into series.
    public var metrics: [[String: Any]]
    /// The page title; nil: dataset and layer sizes.
    public var title: String?
    /// Written before the training curves (what an experiment adds: its headline and comparison).
    public var preamble: ((inout HTMLReport) -> Void)?
    /// The chip, when ``substrate`` is one: the report shows what the `Substrate` protocol does not expose (the ADC's
    /// per-channel normalization, the calibration targets, the weight mapping). The caller that built the chip
    /// passes it; nil adds no chip sections.
    public var chip: EmulatedChip?

    public init(
        network: Network, config: RunConfig, test: SpikeBatch, classes: Int, evaluation: RunStatistics,
        substrate: Substrate, metrics: [[String: Any]], chip: EmulatedChip? = nil
    ) {
        self.chip = chip
        self.network = network
        self.config = config
        self.test = test
        self.classes = classes
        self.evaluation = evaluation
        self.substrate = substrate
        self.metrics = metrics
    }

    /// The section anchors of a report, in page order (chip-only ones are absent for software runs).
    public enum Section: String, CaseIterable, Sendable {
        case training, samples
        case chipTraces = "chip-traces"
        case weights, activity, chip, confusion, configuration
    }

    /// Writes `report.html` into `runDirectory` (atomically) and returns its URL.
    public static func write(
        runDirectory: RunDirectory, network: Network, config: RunConfig, data: RunData, evaluation: RunStatistics,
        substrate: Substrate, chip: EmulatedChip? = nil
    ) throws -> URL {
        let report = RunReport(
            network: network, config: config, test: data.test, classes: data.classes, evaluation: evaluation,
            substrate: substrate, metrics: runDirectory.metrics(), chip: chip)
        try report.write(to: runDirectory.reportURL)
        return runDirectory.reportURL
    }

    /// Writes ``html()`` atomically to `url`.
    public func write(to url: URL) throws {
        try atomicWrite(Data(try html().utf8), to: url)
    }

    /// The class names of the run's dataset (empty when the numbers are the names).
    var classNames: [String] { ClassNames.names(dataset: config.dataset, classes: classes) }

    /// The whole page. Loads ``network`` onto ``substrate`` and runs test samples on it.
    public func html() throws -> String {
        let sizes = network.layers.map { "\($0.neuronCount)" }.joined(separator: "-")
        var page = HTMLReport(
            title: title
                ?? "SpikeLoop run — \(ClassNames.datasetTitle(config.dataset)), \(sizes) (input \(network.inputCount))")
        page.paragraph(summary)
        preamble?(&page)
        addCurves(to: &page)
        try substrate.load(network)
        try addSamples(to: &page)
        if chip != nil { try addChipTraces(to: &page) }
        addWeights(to: &page)
        try addActivity(to: &page)
        if chip != nil { addChipSummary(to: &page) }
        addConfusion(to: &page)
        addConfiguration(to: &page)
        return page.html
    }

    var summary: String {
        String(
            format: "Test accuracy %.2f %% on %d samples; %.1f hidden spikes per sample; substrate %@; seed %llu.",
            100 * evaluation.accuracy, evaluation.samples, evaluation.hiddenSpikesPerSample, substrate.name,
            config.seed)
    }

    func addConfusion(to page: inout HTMLReport) {
        guard evaluation.samples > 0 else { return }
        let names = classNames
        page.heading("Test confusion matrix", id: Section.confusion.rawValue)
        page.figures([
            SVG.confusion(title: "Confusion (rows: true class)", matrix: evaluation.confusion, classNames: names)
        ])
        page.table(
            header: ["class", "accuracy (%)", "samples"],
            rows: evaluation.perClassAccuracy.enumerated().map { k, a in
                [
                    ClassNames.label(k, names: names), String(format: "%.2f", 100 * a),
                    String(evaluation.confusion[k].reduce(0, +)),
                ]
            })
    }

    /// The resolved settings as a key/value table (from `config.json`), three column pairs wide.
    func addConfiguration(to page: inout HTMLReport) {
        page.heading("Configuration", id: Section.configuration.rawValue)
        page.keyValueTable(Self.settingPairs(json: config.json))
    }

    /// Sorted `key value` pairs of a JSON object: numbers in their shortest form, arrays joined with commas,
    /// null as "default". Nested objects are flattened with dotted keys.
    static func settingPairs(json: String) -> [(key: String, value: String)] {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            return [("config", json)]
        }
        var pairs: [(key: String, value: String)] = []
        func add(_ prefix: String, _ o: [String: Any]) {
            for key in o.keys.sorted() {
                let name = prefix.isEmpty ? key : "\(prefix).\(key)"
                if let nested = o[key] as? [String: Any] {
                    add(name, nested)
                } else {
                    pairs.append((name, text(o[key])))
                }
            }
        }
        func text(_ v: Any?) -> String {
            switch v {
            case let s as String: return s
            case let a as [Any]: return a.map { text($0) }.joined(separator: ", ")
            case nil, is NSNull: return "default"
            case let v?:
                // JSON's own spelling of numbers and booleans (NSNumber does not tell them apart on Linux)
                let data = try? JSONSerialization.data(withJSONObject: v, options: [.fragmentsAllowed])
                return data.map { String(decoding: $0, as: UTF8.self) } ?? "\(v)"
            }
        }
        add("", obj)
        return pairs
    }
}
