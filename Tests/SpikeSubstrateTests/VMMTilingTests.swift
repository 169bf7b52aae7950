import Foundation
import Testing
import SpikeCore
import SpikeSubstrate

/// Matrices larger than one chip half: 128-input × 256-output tiles with digitally summed int8 results.
@Suite struct VMMTilingTests {
    @Test("a matrix larger than one half equals the untiled result (ideal chip, unit gain, noise off)")
    func tiledEqualsUntiled() throws {
        let (batch, k, n) = (3, 300, 600)
        var cfg = VMMConfig.ideal
        cfg.gain = 1  // integer results, so flooring per tile is exact
        // Sparse 0/1 inputs and ±1 weights keep every tile's partial sum inside the int8 range.
        var rng = SeededRandom(seed: 5)
        let x = (0..<batch * k).map { _ in Float(rng.nextIndex(below: 4) == 0 ? 1 : 0) }
        let w = (0..<k * n).map { _ in Float(rng.nextIndex(below: 3) - 1) }
        let half = AnalogVMM(instance: ChipInstance(seed: 1, config: .ideal, tauMem: 6e-6, tauSyn: 6e-6), config: cfg)
        var big = ChipConfig.ideal
        big.maxFanIn = 2 * k
        big.neuronCircuits = 2 * n
        let whole = AnalogVMM(instance: ChipInstance(seed: 1, config: big, tauMem: 6e-6, tauSyn: 6e-6), config: cfg)
        let tiled = try half.multiply(x, batch: batch, weights: w, outputCount: n)
        let untiled = try whole.multiply(x, batch: batch, weights: w, outputCount: n)
        #expect(tiled.tiles == 9 && untiled.tiles == 1)
        #expect(tiled.outputs == untiled.outputs)
        #expect(tiled.outputs == VMMTests.oracle(x, batch: batch, w, outputs: n, gain: 1))
    }

    @Test("with mismatch, the tiled result is the sum of each tile run alone on the same half (noise off)")
    func tiledEqualsSumOfTiles() throws {
        let (batch, k, n) = (2, 200, 300)
        var cfg = VMMConfig()
        cfg.noise = 0
        let vmm = AnalogVMM(instance: ChipInstance(seed: 7, config: ChipConfig(), tauMem: 6e-6, tauSyn: 6e-6), config: cfg)
        let x = VMMTests.integers(batch * k, 0...31, seed: 1)
        let w = VMMTests.integers(k * n, -63...63, seed: 2)
        let tiled = try vmm.multiply(x, batch: batch, weights: w, outputCount: n)
        var sum = [Float](repeating: 0, count: batch * n)
        for r0 in [0, 128] {
            let rows = r0..<min(k, r0 + 128)
            for c0 in [0, 256] {
                let cols = c0..<min(n, c0 + 256)
                let xs = (0..<batch).flatMap { b in rows.map { x[b * k + $0] } }
                let ws = rows.flatMap { i in cols.map { w[i * n + $0] } }
                let y = try vmm.multiply(xs, batch: batch, weights: ws, outputCount: cols.count)
                for b in 0..<batch { for (jj, j) in cols.enumerated() { sum[b * n + j] += y.outputs[b * cols.count + jj] } }
            }
        }
        #expect(tiled.tiles == 4)
        #expect(tiled.outputs == sum)
        #expect(tiled.outputs != VMMTests.oracle(x, batch: batch, w, outputs: n, gain: 0.002), "mismatch should show")
    }
}
