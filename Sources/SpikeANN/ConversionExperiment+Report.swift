import Foundation
import SpikeReport

extension ConversionExperiment {
    /// One run's accuracy curve as written next to the plot.
    public struct Curve: Codable, Sendable {
        public var record: Record
        public var mismatch_scale: Double
        /// Test accuracy on the first `eval_limit` test images after each iteration (index 0: converted).
        public var accuracy_per_iteration: [Double]
        public var eval_limit: Int
        /// The software ANN's accuracy on the same images.
        public var ann_accuracy_on_eval_images: Double?
    }

    /// Writes `<network>-<profile>-mismatch<k>-seed<s>.json` into `directory` and redraws `conversion.svg` there
    /// from every curve file in it (one panel per network and profile). Returns the two paths.
    public static func writeCurve(_ result: Result, settings s: Settings, directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let curve = Curve(record: result.record, mismatch_scale: s.mismatchScale, accuracy_per_iteration: result.curve, eval_limit: s.evalLimit,
                          ann_accuracy_on_eval_images: result.annSubsetAccuracy)
        let name = "\(s.task.rawValue)-\(s.conversion.profile.rawValue)-mismatch\(String(format: "%g", s.mismatchScale))-seed\(s.seed).json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let path = (directory as NSString).appendingPathComponent(name)
        try encoder.encode(curve).write(to: URL(fileURLWithPath: path), options: .atomic)
        let svg = (directory as NSString).appendingPathComponent("conversion.svg")
        try Data(plot(try readCurves(directory)).utf8).write(to: URL(fileURLWithPath: svg), options: .atomic)
        return [path, svg]
    }

    static func readCurves(_ directory: String) throws -> [Curve] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        return names.compactMap { try? JSONDecoder().decode(Curve.self, from: Data(contentsOf: URL(fileURLWithPath: (directory as NSString).appendingPathComponent($0)))) }
    }

    /// Accuracy (%) per iteration, one chart per network and profile: a line per chip and seed, dashed at the
    /// software ANN's accuracy.
    public static func plot(_ curves: [Curve]) -> String {
        let groups = Dictionary(grouping: curves) { "\($0.record.network) on \($0.record.profile)" }
        let charts = groups.keys.sorted().map { key -> String in
            let runs = groups[key]!.sorted { ($0.mismatch_scale, $0.record.seed) < ($1.mismatch_scale, $1.record.seed) }
            var series: [SVG.Series] = []
            for (i, c) in runs.enumerated() {
                let label = String(format: "chip, mismatch ×%g, seed %llu", c.mismatch_scale, c.record.seed)
                series.append(SVG.Series(name: label, points: c.accuracy_per_iteration.enumerated().map { (Double($0), 100 * $1) }, color: SVG.color(i)))
                let n = Double(max(1, c.accuracy_per_iteration.count - 1)), ann = 100 * (c.ann_accuracy_on_eval_images ?? c.record.ann_accuracy)
                series.append(SVG.Series(name: "software ANN, seed \(c.record.seed)", points: [(0, ann), (n, ann)],
                                         color: SVG.color(i), dashed: true))
            }
            return SVG.lineChart(title: key, xLabel: "in-the-loop iteration (0: converted)", yLabel: "test accuracy (%), first \(runs[0].eval_limit) images", series: series)
        }
        return SVG.document(charts, columns: min(2, max(1, charts.count)), title: "ANN→SNN conversion and in-the-loop fine-tuning")
    }
}
