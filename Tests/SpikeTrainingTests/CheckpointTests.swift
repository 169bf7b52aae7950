import Foundation
import Testing
import SpikeTraining

@Suite struct CheckpointTests {
    static func sample() -> Checkpoint {
        let v = Fixtures.Variant(reset: .subtract, resetGradient: .detached, timing: .sameStep, recurrent: true, reduction: .maxOverTime)
        let net = Fixtures.network(v)
        var opt = Optimizer(config: OptimizerConfig(kind: .adam, learningRate: 1e-3), network: net)
        var n2 = net
        var g = Gradients(zeroLike: net)
        for l in g.weights.indices { for i in g.weights[l].indices { g.weights[l][i] = Float(i % 7) - 3 } }
        opt.apply(g, to: &n2, learningRate: 1e-3)
        return Checkpoint(network: n2, optimizer: opt, metadata: ["spikeloop.epoch": "3", "note": "héllo"])
    }

    func tempDir() -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("spikeloop-ckpt-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    @Test("round trip keeps weights, optimizer state and metadata; the file is valid safetensors")
    func roundTrip() throws {
        let c = Self.sample()
        let dir = tempDir()
        let url = dir.appendingPathComponent("m.safetensors")
        try c.write(to: url)
        let r = try Checkpoint.read(from: url)
        #expect(r.network == c.network)
        #expect(r.optimizer?.step == 1)
        #expect(r.optimizer?.first == c.optimizer?.first)
        #expect(r.optimizer?.second == c.optimizer?.second)
        #expect(r.metadata["spikeloop.epoch"] == "3")
        #expect(r.metadata["note"] == "héllo")
        // the safetensors layout: u64 header length, JSON header, data aligned to 8
        let data = try Data(contentsOf: url)
        let n = data.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        #expect((8 + n) % 8 == 0)
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as! [String: Any]
        let w = header["layers.0.weight"] as! [String: Any]
        #expect(w["dtype"] as? String == "F32")
        #expect(w["shape"] as? [Int] == [6, 5])
        #expect(header["layers.0.recurrent_weight"] != nil)
        // no temporary files left behind
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(left == ["m.safetensors"])
    }

    @Test("a truncated file is a clear error")
    func truncated() throws {
        let data = try Self.sample().encoded()
        for cut in [4, 20, data.count - 3] {
            do {
                _ = try Checkpoint.decodeForTesting(data.prefix(cut))
                Issue.record("cut at \(cut) was accepted")
            } catch let e as TrainingError {
                #expect("\(e)".contains("truncated"), "\(e)")
            }
        }
    }

    @Test("a corrupt header, a wrong shape and a missing tensor name the problem")
    func corrupt() throws {
        let good = try Self.sample().encoded()
        var bad = good
        bad[8] = UInt8(ascii: "[")
        #expect(throws: TrainingError.self) { _ = try Checkpoint.decodeForTesting(bad) }
        do {
            _ = try Checkpoint.decodeForTesting(bad)
        } catch { #expect("\(error)".contains("header")) }

        // rewrite the header with a wrong shape
        let n = good.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        let header = String(decoding: good.subdata(in: 8..<(8 + n)), as: UTF8.self)
        let wrong = header.replacingOccurrences(of: "\"shape\":[6,5]", with: "\"shape\":[5,6]")
        #expect(wrong != header)
        var data = good
        data.replaceSubrange(8..<(8 + n), with: Data(wrong.utf8))
        do {
            _ = try Checkpoint.decodeForTesting(data)
            Issue.record("wrong shape accepted")
        } catch {
            let m = "\(error)"
            #expect(m.contains("layers.0.weight") && m.contains("[5, 6]") && m.contains("[6, 5]"), "\(m)")
        }
        let missing = header.replacingOccurrences(of: "\"layers.1.weight\"", with: "\"layers.9.weight\"")
        data = good
        data.replaceSubrange(8..<(8 + n), with: Data(missing.utf8))
        do {
            _ = try Checkpoint.decodeForTesting(data)
            Issue.record("missing tensor accepted")
        } catch { #expect("\(error)".contains("missing tensor 'layers.1.weight'"), "\(error)") }
    }

    @Test("writing into a missing or unwritable folder fails cleanly and leaves nothing")
    func unwritable() {
        let url = URL(fileURLWithPath: "/proc/spikeloop-no/m.safetensors")
        #expect(throws: TrainingError.self) { try Self.sample().write(to: url) }
    }
}
