import Foundation
import Testing
import SpikeCore
import SpikeSubstrate

/// The VMM mode without mismatch and noise against an integer oracle, and its input checks.
@Suite struct VMMTests {
    /// Random integers in `range`, seeded.
    static func integers(_ count: Int, _ range: ClosedRange<Int>, seed: UInt64) -> [Float] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { _ in Float(range.lowerBound + rng.nextIndex(below: range.count)) }
    }

    /// `clamp(floor(gain · Σ x·w), −128, 127)` in integer arithmetic.
    static func oracle(_ x: [Float], batch: Int, _ w: [Float], outputs n: Int, gain: Double) -> [Float] {
        let k = w.count / n
        var y = [Float](repeating: 0, count: batch * n)
        for b in 0..<batch {
            for j in 0..<n {
                var dot = 0
                for i in 0..<k { dot += Int(x[b * k + i]) * Int(w[i * n + j]) }
                y[b * n + j] = Float(min(127, max(-128, (gain * Double(dot)).rounded(.down))))
            }
        }
        return y
    }

    static let shapes = [(1, 1, 1), (3, 7, 8), (2, 9, 1), (4, 128, 256), (5, 100, 37)]

    @Test("without mismatch and noise the VMM is integer matmul · gain, floored and clamped, exactly", arguments: shapes)
    func exactWithoutMismatch(shape: (Int, Int, Int)) throws {
        let (batch, k, n) = shape
        for chipConfig in [ChipConfig.ideal, ChipConfig()] {  // an ideal instance, and a real one at mismatch scale 0
            let instance = ChipInstance(seed: 11, config: chipConfig, tauMem: 6e-6, tauSyn: 6e-6)
            let vmm = AnalogVMM(instance: instance, config: .ideal)
            let x = Self.integers(batch * k, 0...31, seed: UInt64(k))
            let w = Self.integers(k * n, -63...63, seed: UInt64(n) + 100)
            let y = try vmm.multiply(x, batch: batch, weights: w, outputCount: n)
            #expect(y.outputs == Self.oracle(x, batch: batch, w, outputs: n, gain: 0.002))
            #expect(y.tiles == 1)
        }
    }

    @Test("results beyond the int8 range clamp at −128 and 127")
    func clampsAtTheRails() throws {
        let vmm = AnalogVMM(instance: ChipInstance(seed: 1, config: .ideal, tauMem: 6e-6, tauSyn: 6e-6), config: .ideal)
        let x = [Float](repeating: 31, count: 128)
        let w = (0..<128 * 2).map { Float($0 % 2 == 0 ? 63 : -63) }
        let y = try vmm.multiply(x, batch: 1, weights: w, outputCount: 2)
        #expect(y.outputs == [127, -128])
    }

    @Test("inside the linear range the soft saturation is the identity, beyond it stays monotone below the rails")
    func softSaturation() {
        let c = VMMConfig()
        for u in stride(from: -80.0, through: 80, by: 0.5) { #expect(c.saturate(u) == u) }
        var last = c.saturate(80)
        for u in stride(from: 80.5, through: 400, by: 0.5) {
            let s = c.saturate(u)
            #expect(s > last && s < 128)
            last = s
        }
    }

    @Test("inputs outside 0…31 and weights outside ±63 are errors that name the parameter")
    func rangeErrors() throws {
        let vmm = AnalogVMM(instance: ChipInstance(seed: 2, config: .ideal, tauMem: 6e-6, tauSyn: 6e-6), config: .ideal)
        for bad: Float in [32, -1, 1.5, .nan] {
            #expect(throws: SubstrateError.self) { try vmm.multiply([0, bad], batch: 1, weights: [1, 1], outputCount: 1) }
            do {
                _ = try vmm.multiply([0, bad], batch: 1, weights: [1, 1], outputCount: 1)
            } catch let e as SubstrateError {
                #expect(e.message.hasPrefix("inputs[1]"), "\(e.message)")
            }
        }
        for bad: Float in [64, -64, 0.5] {
            do {
                _ = try vmm.multiply([1, 1], batch: 1, weights: [1, bad], outputCount: 1)
                Issue.record("weight \(bad) was accepted")
            } catch let e as SubstrateError {
                #expect(e.message.hasPrefix("weights[1]"), "\(e.message)")
            }
        }
        #expect(throws: Never.self) { try vmm.multiply([0, 31], batch: 1, weights: [-63, 63], outputCount: 1) }
    }

    @Test("chip time and energy follow the timing model: per tile, per vector and per event")
    func timingModel() throws {
        let cfg = VMMConfig.ideal
        let vmm = AnalogVMM(instance: ChipInstance(seed: 3, config: .ideal, tauMem: 6e-6, tauSyn: 6e-6), config: cfg)
        let x: [Float] = [1, 0, 2, 3, 0, 0]  // 3 events in 2 vectors
        let y = try vmm.multiply(x, batch: 2, weights: [Float](repeating: 1, count: 3 * 4), outputCount: 4)
        let expected = cfg.tileOverhead + 2 * cfg.vectorOverhead + 3.0 * Double(cfg.cyclesPerEvent) / cfg.fpgaClock
        #expect(y.events == 3)
        #expect(abs(y.chipSeconds - expected) < 1e-15)
        #expect(abs(y.energyJoules - expected * cfg.chipPower) < 1e-15)
    }
}
