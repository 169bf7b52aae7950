import Foundation
import Testing
import SpikeCore
import SpikeSubstrate

/// The VMM calibration recovers gain and noise it cannot read directly.
@Suite struct VMMCalibrationTests {
    @Test("calibrating a mock VMM recovers its global gain and σ", arguments: [(0.002, 2.0), (0.0025, 1.5), (0.0015, 3.0)])
    func mockParameters(truth: (Double, Double)) throws {
        var cfg = VMMConfig()
        cfg.gain = truth.0
        cfg.noise = truth.1
        let vmm = AnalogVMM(instance: ChipInstance(seed: 4, config: ChipConfig(), tauMem: 6e-6, tauSyn: 6e-6), config: cfg, mode: .mock)
        let c = try vmm.calibrate()
        #expect(abs(c.gain / truth.0 - 1) < 0.01, "gain \(c.gain) vs \(truth.0)")
        #expect(abs(c.noise / truth.1 - 1) < 0.05, "noise \(c.noise) vs \(truth.1)")
        let worstGain = c.columnGain.map { abs($0 / truth.0 - 1) }.max() ?? 1
        #expect(worstGain < 0.05, "worst column gain error \(worstGain)")
    }

    @Test("calibrating the emulated VMM recovers each column's gain and offset")
    func emulatedColumns() throws {
        let vmm = AnalogVMM(instance: ChipInstance(seed: 9, config: ChipConfig(), tauMem: 6e-6, tauSyn: 6e-6))
        let c = try vmm.calibrate()
        var gainError = 0.0, offsetError = 0.0, spread = 0.0
        for j in 0..<vmm.columnsPerTile {
            let truth = vmm.columnParametersForTesting(j)
            gainError = max(gainError, abs(c.columnGain[j] / truth.gain - 1))
            offsetError = max(offsetError, abs(c.columnOffset[j] - truth.offset))
            spread = max(spread, abs(truth.gain / 0.002 - 1))
        }
        #expect(spread > 0.05, "the instance should have visible column mismatch")
        #expect(gainError < 0.03, "worst column gain error \(gainError)")
        #expect(offsetError < 1.2, "worst column offset error \(offsetError) LSB")
        #expect(abs(c.noise / 2 - 1) < 0.05, "noise \(c.noise)")
    }
}
