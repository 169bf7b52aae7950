import Foundation
import SpikeRun
import Testing

@Suite struct NIRInteropTests {
    static func nirFixture(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../SpikeNIRTests/Fixtures/\(name)"
        ).standardized
    }

    struct Reference: Decodable {
        struct LayerTrace: Decodable {
            var node: String
            var spikes: [[[Int]]]
            var v: [[[Double]]]
            /// The synaptic current of CubaLIF/CubaLI nodes.
            var i: [[[Double]]]?
        }
        var dt: Double
        var producer: String
        var layers: [LayerTrace]
    }

    @Test(
        "nir run's traces, on NIR's time axis, equal the numpy reference (spikes exact, membranes and currents within 1e-4)",
        arguments: ["cubalif", "recurrent", "nested-if-plain", "snntorch-rleaky", "norse-cubalif"])
    func runMatchesReference(_ name: String) throws {
        let reference = try JSONDecoder().decode(
            Reference.self, from: Data(contentsOf: Self.nirFixture("\(name).json")))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nir-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let options = NIRImportOptions(dt: reference.dt, producer: NIRProducer(rawValue: reference.producer)!)
        let (_, files) = try NIRInterop.run(
            graph: Self.nirFixture("\(name).nir"), input: Self.nirFixture("\(name)-input.npy"), options: options,
            directory: dir)
        let currents = reference.layers.filter { $0.i != nil }.count
        #expect(files.count == 2 * reference.layers.count - 1 + currents)
        for layer in reference.layers {
            let iURL = dir.appendingPathComponent("\(layer.node).i.npy")
            #expect(FileManager.default.fileExists(atPath: iURL.path) == (layer.i != nil), "\(layer.node).i.npy")
            if let ref = layer.i {
                let i = try NPYArray.read(iURL)
                let flat = ref.flatMap { $0.flatMap { $0 } }
                #expect(i.values.count == flat.count)
                let worst = zip(i.values, flat).map { abs(Double($0) - $1) / max(1, abs($1)) }.max()!
                #expect(worst < 1e-4, "\(layer.node): currents differ by up to \(worst)")
            }
            let v = try NPYArray.read(dir.appendingPathComponent("\(layer.node).v.npy"))
            let flatV = layer.v.flatMap { $0.flatMap { $0 } }
            #expect(v.shape == [layer.v.count, layer.v[0].count, layer.v[0][0].count])
            let worst = zip(v.values, flatV).map { abs(Double($0) - $1) }.max()!
            #expect(worst < 1e-4, "\(layer.node): membranes differ by up to \(worst)")
            let spikesURL = dir.appendingPathComponent("\(layer.node).spikes.npy")
            if layer.spikes.joined().joined().contains(1) || FileManager.default.fileExists(atPath: spikesURL.path) {
                let s = try NPYArray.read(spikesURL)
                #expect(s.values == layer.spikes.flatMap { $0.flatMap { $0.map(Float.init) } }, "\(layer.node) spikes")
            }
        }
    }

    @Test("npy files round trip; non-spike input and wrong shapes are errors naming the file")
    func npy() throws {
        let a = NPYArray(shape: [2, 3, 1], values: [0, 1, 0.5, -2, 3e-7, 1e9])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("a-\(UUID().uuidString).npy")
        defer { try? FileManager.default.removeItem(at: url) }
        try a.write(to: url)
        #expect(try NPYArray.read(url) == a)
        let numpy = try NPYArray.read(Self.nirFixture("cubalif-input.npy"))
        #expect(numpy.shape == [50, 2, 8] && Set(numpy.values) == [0, 1])
        // A header that declares more than the file holds (here: an overflowing shape) is an error, not a trap.
        var bogus = NPYArray(shape: [1], values: [0]).encoded()
        let at = try #require(bogus.range(of: Data("(1,)".utf8)))
        bogus.replaceSubrange(at, with: Data("(9223372036854775807, 4)".utf8))
        try bogus.write(to: url)
        #expect(throws: InputError.self) { try NPYArray.read(url) }
        let imported = try NIRInterop.importGraph(
            from: Self.nirFixture("cubalif.nir"), options: NIRImportOptions(dt: 1e-3)
        ).result
        let e = try #require(throws: RunError.self) { try NIRInterop.simulate(imported, input: a, inputName: url.path) }
        #expect(e.code == .inputFile && e.description.contains("[T, B, 8]"))
        let half = NPYArray(shape: [1, 1, 8], values: [0, 0.5, 0, 0, 0, 0, 0, 0])
        let e2 = try #require(throws: RunError.self) {
            try NIRInterop.simulate(imported, input: half, inputName: "x.npy")
        }
        #expect(e2.description.contains("x.npy") && e2.description.contains("0.5"))
    }
}
