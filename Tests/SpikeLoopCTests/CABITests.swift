import Foundation
import SpikeLoopC
import Testing

/// The C ABI called as C would: handles, status codes, per-thread messages and flat buffers (the Python suite
/// in python/tests covers the package on top).
@Suite struct CABITests {
    /// The last error of this thread as (code, message).
    static func lastError() -> (Int32, String) {
        (slLastErrorCode(), slLastError().map { String(cString: $0) } ?? "")
    }

    static func network(_ json: String, inputs: Int64 = 6, classes: Int64 = 3) -> UnsafeMutableRawPointer? {
        json.withCString { slNetworkCreate($0, inputs, classes) }
    }

    @Test("a network from JSON settings has the requested shapes and settings")
    func createNetwork() throws {
        let net = try #require(Self.network(#"{"hidden": [5, 4], "recurrent": true, "learningRate": 0.01}"#))
        defer { slHandleFree(net) }
        #expect(slNetworkLayerCount(net) == 3)
        var (inputs, neurons, recurrent): (Int64, Int64, Int32) = (0, 0, 0)
        #expect(slNetworkLayerShape(net, 1, &inputs, &neurons, &recurrent) == 0)
        #expect(inputs == 5 && neurons == 4 && recurrent == 1)
        let json = try #require(slNetworkConfigJSON(net))
        defer { slStringFree(json) }
        #expect(String(cString: json).contains(#""learning_rate" : 0.01"#))
    }

    @Test(
        "bad settings fail with the setting code and a message naming the setting",
        arguments: [
            (#"{"surrogate": "nope"}"#, "surrogate"), (#"{"batch_size": 0}"#, "batch_size"), (#"{"batchSize": 0}"#, "batch_size"),
            (#"{"colour": 1}"#, "unknown setting 'colour'"), (#"[1, 2]"#, "JSON object"),
        ])
    func badSettings(json: String, fragment: String) {
        #expect(Self.network(json) == nil)
        let (code, message) = Self.lastError()
        #expect(code == 2 || (fragment == "JSON object" && code == 1))
        #expect(message.contains(fragment), "\(message)")
    }

    @Test("weights round-trip through flat buffers; a wrong count is an argument error")
    func weights() throws {
        let net = try #require(Self.network(#"{"hidden": [4]}"#))
        defer { slHandleFree(net) }
        var values = (0..<24).map { Float($0) / 100 }
        #expect(slNetworkSetWeights(net, 0, 0, &values, 24) == 0)
        var out = [Float](repeating: 0, count: 24)
        #expect(slNetworkGetWeights(net, 0, 0, &out, 24) == 0)
        #expect(out == values)
        #expect(slNetworkGetWeights(net, 0, 0, &out, 23) == 1)
        #expect(Self.lastError().1.contains("24 weights, buffer holds 23"))
        #expect(slNetworkGetWeights(net, 7, 0, &out, 24) == 1)
    }

    @Test("events outside the batch are rejected with their coordinates")
    func badEvents() {
        var samples: [Int32] = [0, 1]
        var steps: [Int32] = [0, 3]
        var channels: [Int32] = [2, 9]
        let batch = slBatchCreate(2, 4, 6, &samples, &steps, &channels, 2, nil)
        #expect(batch == nil)
        #expect(Self.lastError() == (1, "event 1 at (sample 1, step 3, channel 9) lies outside [2, 4, 6]"))
    }

    @Test("a run records dense spikes and membranes per layer; the readout never spikes")
    func runObservation() throws {
        let net = try #require(Self.network(#"{"hidden": [5], "initScale": 20}"#))
        defer { slHandleFree(net) }
        let substrate = try #require("software".withCString { slSubstrateCreate($0, nil, nil) })
        defer { slHandleFree(substrate) }
        var samples: [Int32] = [0, 0, 1, 1]
        var steps: [Int32] = [0, 1, 0, 2]
        var channels: [Int32] = [0, 1, 2, 3]
        var labels: [Int32] = [0, 2]
        let batch = try #require(slBatchCreate(2, 4, 6, &samples, &steps, &channels, 4, &labels))
        defer { slHandleFree(batch) }
        let obs = try #require(slRun(substrate, net, batch))
        defer { slHandleFree(obs) }
        var spikes = [Float](repeating: -1, count: 2 * 4 * 3)
        var membranes = spikes
        #expect(slObservationLayer(obs, 1, &spikes, &membranes, 24) == 0)
        #expect(spikes.allSatisfy { $0 == 0 } && membranes.contains { $0 != 0 })
        var stats = [Double](repeating: -1, count: 6)
        var predictions = [Int32](repeating: -1, count: 2)
        #expect(slEvaluate(net, substrate, batch, &stats, &predictions) == 0)
        #expect(stats[0] == 2 && predictions.allSatisfy { (0..<3).contains($0) })
    }

    @Test("a chip needs a network to calibrate to")
    func chipNeedsNetwork() {
        #expect("chip:3".withCString { slSubstrateCreate($0, nil, nil) } == nil)
        #expect(Self.lastError().0 == 1)
        #expect("tpu".withCString { slSubstrateCreate($0, nil, nil) } == nil)
        #expect(Self.lastError().0 == 2)
    }

    @Test("a missing checkpoint fails with the checkpoint code and names the file")
    func missingCheckpoint() {
        #expect("/nonexistent/x.safetensors".withCString { slNetworkLoad($0) } == nil)
        let (code, message) = Self.lastError()
        #expect(code == 3 && message.contains("/nonexistent/x.safetensors"))
    }
}
