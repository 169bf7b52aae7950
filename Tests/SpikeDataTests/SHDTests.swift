import Foundation
import Testing
import SpikeTraining
@testable import SpikeData

@Suite(.serialized) struct SHDTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/shd_h5py.h5").path

    static func tempPath(_ name: String) -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("spikeloop-shd-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d.appendingPathComponent(name).path
    }

    @Test("reads a file written by h5py in the SHD layout (float16 times, uint16 units)")
    func readsH5pyFixture() throws {
        let f = try SHDFile(path: Self.fixture)
        #expect(f.sampleCount == 5)
        #expect(f.labels == [3, 14, 0, 19, 7])
        #expect(f.speakers == [1, 1, 2, 5, 9])
        // values printed by scripts/make-shd-fixture.py
        let expected: [(Int, Double, Int32, Double, Int32)] = [
            (20, 0.00421142578125, 326, 0.79638671875, 359), (27, 0.002986907958984375, 280, 0.7041015625, 5),
            (34, 0.0201568603515625, 470, 0.77392578125, 606), (41, 0.040557861328125, 439, 0.7841796875, 614),
            (48, 0.01617431640625, 58, 0.76806640625, 230),
        ]
        for (i, e) in expected.enumerated() {
            let s = try f.sample(i)
            #expect(s.times.count == e.0 && s.units.count == e.0)
            #expect(s.times.first == e.1 && s.units.first == e.2 && s.times.last == e.3 && s.units.last == e.4)
        }
    }

    @Test("write then read preserves every spike exactly")
    func roundTrip() throws {
        var samples: [SHDSample] = []
        var rng = SpikeCore_SeededRandomShim(seed: 5)
        for s in 0..<12 {
            let n = 30 + s * 11
            let times = (0..<n).map { _ in Double(Float(rng.unit() * 1.2)) }.sorted()
            let units = (0..<n).map { _ in Int32(rng.index(700)) }
            samples.append(SHDSample(times: times, units: units, label: Int32(s % 20)))
        }
        samples.append(SHDSample(times: [], units: [], label: 4))  // an empty sample
        let path = Self.tempPath("rt.h5")
        try SHDWriter.write(samples, speakers: (0..<13).map { Int32($0 % 3) }, keys: ["zero", "one"], to: path)
        let f = try SHDFile(path: path)
        #expect(f.sampleCount == samples.count)
        for i in samples.indices { #expect(try f.sample(i) == samples[i], "sample \(i)") }
        #expect(f.speakers == (0..<13).map { Int32($0 % 3) })
        let left = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
        #expect(left == ["rt.h5"])
    }

    @Test("malformed files are errors naming the dataset and the sample")
    func malformed() throws {
        // unit beyond the channel count, non-monotone and negative times, length mismatch via h5py-free writes
        let bad = Self.tempPath("bad.h5")
        try SHDWriter.write([
            SHDSample(times: [0.1, 0.2], units: [3, 700], label: 0),
            SHDSample(times: [0.3, 0.2], units: [1, 2], label: 1),
            SHDSample(times: [-0.1], units: [1], label: 1),
        ], to: bad)
        let f = try SHDFile(path: bad)
        func message(_ i: Int) -> String {
            do { _ = try f.sample(i); return "accepted" } catch { return "\(error)" }
        }
        #expect(message(0).contains("spikes/units[0][1] = 700"), "\(message(0))")
        #expect(message(1).contains("spikes/times[1]") && message(1).contains("non-decreasing"), "\(message(1))")
        #expect(message(2).contains("spikes/times[2][0]") && message(2).contains("negative"), "\(message(2))")
        // missing dataset
        let text = Self.tempPath("text.h5")
        try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: text))
        #expect(throws: DatasetError.self) { _ = try SHDFile(path: text) }
        do { _ = try SHDFile(path: Self.tempPath("none.h5")) } catch { #expect("\(error)".contains("does not exist")) }
    }

    @Test("missing datasets, wrong types and length mismatches are named")
    func malformedLayouts() throws {
        let dir = URL(fileURLWithPath: Self.fixture).deletingLastPathComponent()
        func open(_ name: String) -> String {
            do { _ = try SHDFile(path: dir.appendingPathComponent(name).path); return "accepted" } catch { return "\(error)" }
        }
        #expect(open("shd_bad_missing.h5").contains("missing dataset 'spikes/units'"), "\(open("shd_bad_missing.h5"))")
        #expect(open("shd_bad_types.h5").contains("spikes/times") , "\(open("shd_bad_types.h5"))")
        let f = try SHDFile(path: dir.appendingPathComponent("shd_bad_lengths.h5").path)
        do {
            _ = try f.sample(0)
            Issue.record("length mismatch accepted")
        } catch { #expect("\(error)".contains("spikes/times[0] has 3 spikes but spikes/units[0] has 2"), "\(error)") }
    }

    @Test("binning, channel subsampling and time scaling follow their definitions")
    func binning() {
        let s = SHDSample(times: [0.0, 0.001, 0.0021, 0.5], units: [70, 79, 71, 88], label: 2)
        let b = SHDBinning(dt: 1e-6, stepCount: 10, timeScale: 1.0 / 2000, channelOffset: 70, channelStride: 9)
        #expect(b.channelCount == 70)
        // times ÷ 2000: 0, 0.5 µs, 1.05 µs, 250 µs; channels 70 → 0, 79 → 1, 88 → 2, 71 dropped
        let e = b.events(s).map { "\($0.step):\($0.channel)" }
        #expect(e == ["0:0", "0:1"])
        let full = SHDBinning(dt: 1e-3, stepCount: 600)
        #expect(full.channelCount == 700)
        #expect(full.events(s).map { "\($0.step):\($0.channel)" } == ["0:70", "1:79", "2:71", "500:88"])
    }
}

/// A tiny deterministic generator for the test (keeps SpikeCore out of this file's imports).
struct SpikeCore_SeededRandomShim {
    var x: UInt64
    init(seed: UInt64) { x = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
    mutating func next() -> UInt64 {
        x ^= x << 13
        x ^= x >> 7
        x ^= x << 17
        return x
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func index(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
