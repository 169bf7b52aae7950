import Foundation
import SpikeCore

/// What one VMM call returned: the digitally summed int8 tile results and what it cost on the chip.
public struct VMMResult: Sendable {
    /// `[batch][outputCount]` row-major; integers, each the sum of one int8 ADC result per input tile.
    public var outputs: [Float]
    /// Tiles the matrix was cut into (128 inputs × 256 outputs each).
    public var tiles: Int
    /// Input events sent (one per non-zero input, per tile).
    public var events: Int
    /// Emulated chip time, seconds (``VMMConfig`` timing model).
    public var chipSeconds: Double
    /// Energy estimate, joules (chip time × ``VMMConfig/chipPower``).
    public var energyJoules: Double
}

/// The analog vector-matrix-multiply mode of one emulated chip instance (BrainScaleS-2's "hagen" mode).
///
/// It reuses the instance's frozen mismatch, so the spiking and the VMM mode of one seed are the same chip:
/// synapse `(i, j)` of a signed input is the pair of rows `2i` (excitatory) and `2i + 1` (inhibitory) of neuron
/// `j`, with the instance's per-synapse gains; column `j`'s gain deviation is the instance's τ_s draw (scaled
/// by ``VMMConfig/columnGainResidual``) times its ADC gain, its offset the ADC channel offset. Every deviation
/// is multiplied by ``VMMConfig/mismatchScale``. One tile is one chip half as the instance models it:
/// `maxFanIn / 2 = 128` signed inputs × `neuronCapacity = 256` outputs; larger matrices run tile after tile
/// on that same half and the int8 results are summed digitally (Weis et al. 2020, arXiv:2006.13177):
/// ```
/// y[b, j] = Σ_tiles clamp(floor(sat(g_j · Σ_i x[b, i]·w[i, j]·s_ij + o_j + σ·z)), −128, 127)
/// ```
/// The ``Mode/mock`` mode is hxtorch's mock: one global gain, Gaussian noise, hard clamp, no mismatch.
public final class AnalogVMM: @unchecked Sendable {
    public enum Mode: String, Codable, Sendable { case emulated, mock }

    public let config: VMMConfig
    public let mode: Mode
    /// Signed inputs per tile (128 on BrainScaleS-2).
    public let rowsPerTile: Int
    /// Outputs per tile (256 on BrainScaleS-2).
    public let columnsPerTile: Int
    /// `[column][2·row + (inhibitory ? 1 : 0)]` relative synapse efficacy; nil in mock mode.
    let synapseFactor: [Float]?
    let columnGain: [Double]
    let columnOffset: [Double]
    private var noise: SeededRandom

    /// The VMM mode of `instance`.
    /// - Parameter noiseSeed: selects the trial-to-trial noise stream (the fixed pattern comes from the instance).
    public init(instance: ChipInstance, config: VMMConfig = VMMConfig(), mode: Mode = .emulated, noiseSeed: UInt64 = 0) {
        let fanIn = instance.config.maxFanIn
        let columns = instance.neurons
        precondition(fanIn >= 2 && columns >= 1, "chip has fan-in \(fanIn) and \(columns) neurons")
        self.config = config
        self.mode = mode
        rowsPerTile = fanIn / 2
        columnsPerTile = columns
        noise = SeededRandom(seed: instance.seed, stream: 0x7_0A6E_2000 &+ noiseSeed)
        let s = config.mismatchScale
        guard mode == .emulated else {
            synapseFactor = nil
            columnGain = Array(repeating: config.gain, count: columns)
            columnOffset = Array(repeating: 0, count: columns)
            return
        }
        synapseFactor = instance.synapseGain.map { 1 + Float(s) * ($0 - 1) }
        columnGain = (0..<columns).map { j in
            let tau = 1 + s * config.columnGainResidual * (instance.tauSynFactor[j] - 1)
            let adc = 1 + s * (instance.adcGain[j] - 1)
            return config.gain * max(0.05, tau) * max(0.05, adc)
        }
        columnOffset = (0..<columns).map { s * instance.adcOffset[$0] }
    }

    /// The VMM mode of `chip`'s instance (same seed, same fixed pattern).
    public convenience init(chip: EmulatedChip, config: VMMConfig = VMMConfig(), mode: Mode = .emulated, noiseSeed: UInt64 = 0) {
        self.init(instance: chip.instance, config: config, mode: mode, noiseSeed: noiseSeed)
    }

    /// Multiplies a batch of input vectors by a weight matrix on the chip, tile by tile.
    ///
    /// - Parameters:
    ///   - inputs: `[batch][inputCount]` row-major, integers in 0…``VMMConfig/inputMax``.
    ///   - weights: `[inputCount][outputCount]` row-major, integers in ±``VMMConfig/weightMax``.
    /// - Throws: ``SubstrateError`` naming `inputs` or `weights` and the first value out of range.
    /// - Complexity: one `sgemm` of `batch × 128 × 256` per tile plus `O(batch · outputCount)` readout per tile.
    public func multiply(_ inputs: [Float], batch: Int, weights: [Float], outputCount: Int) throws -> VMMResult {
        precondition(
            outputCount > 0 && weights.count % outputCount == 0,
            "weights has \(weights.count) values, not a multiple of outputCount \(outputCount)")
        let inputCount = weights.count / outputCount
        precondition(
            batch >= 0 && inputs.count == batch * inputCount,
            "inputs has \(inputs.count) values, expected batch \(batch) × \(inputCount) inputs")
        let wMax = Float(config.weightMax)
        try Self.checkIntegers(inputs, name: "inputs", range: 0...Float(config.inputMax), what: "the 5-bit input range")
        try Self.checkIntegers(weights, name: "weights", range: -wMax...wMax, what: "the signed 6-bit weight range")
        var result = VMMResult(
            outputs: Array(repeating: 0, count: batch * outputCount), tiles: 0, events: 0, chipSeconds: 0, energyJoules: 0)
        guard batch > 0, inputCount > 0 else { return result }
        for r0 in stride(from: 0, to: inputCount, by: rowsPerTile) {
            let rows = min(rowsPerTile, inputCount - r0)
            let events = Self.countEvents(inputs, batch: batch, inputCount: inputCount, rows: r0..<(r0 + rows))
            for c0 in stride(from: 0, to: outputCount, by: columnsPerTile) {
                let cols = min(columnsPerTile, outputCount - c0)
                runTile(
                    inputs, batch: batch, inputCount: inputCount, rows: r0..<(r0 + rows), weights: weights,
                    outputCount: outputCount, columns: c0..<(c0 + cols), into: &result.outputs)
                result.tiles += 1
                result.events += events
                result.chipSeconds += config.tileOverhead + Double(batch) * config.vectorOverhead
                    + Double(events * config.cyclesPerEvent) / config.fpgaClock
            }
        }
        result.energyJoules = result.chipSeconds * config.chipPower
        return result
    }

    /// One tile: effective weights on the physical block, one `sgemm`, then the per-column readout.
    private func runTile(
        _ inputs: [Float], batch: Int, inputCount: Int, rows: Range<Int>, weights: [Float], outputCount: Int,
        columns: Range<Int>, into outputs: inout [Float]
    ) {
        let k = rows.count, n = columns.count
        var effective = [Float](repeating: 0, count: k * n)
        let fanIn = 2 * rowsPerTile
        for i in 0..<k {
            for j in 0..<n {
                let w = weights[(rows.lowerBound + i) * outputCount + columns.lowerBound + j]
                guard let f = synapseFactor else { effective[i * n + j] = w; continue }
                effective[i * n + j] = w * f[j * fanIn + 2 * i + (w < 0 ? 1 : 0)]
            }
        }
        var acc = [Float](repeating: 0, count: batch * n)
        inputs.withUnsafeBufferPointer { x in
            effective.withUnsafeBufferPointer { w in
                acc.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(
                        m: batch, n: n, k: k, a: x.baseAddress! + rows.lowerBound, lda: inputCount,
                        b: w.baseAddress!, ldb: n, beta: 0, c: c.baseAddress!, ldc: n)
                }
            }
        }
        let sigma = config.noise
        let hard = mode == .mock || !config.softSaturation
        let lo = Double(config.outputMin), hi = Double(config.outputMax)
        for b in 0..<batch {
            for j in 0..<n {
                var u = columnGain[j] * Double(acc[b * n + j]) + columnOffset[j]
                if sigma > 0 { u += sigma * noise.nextGaussian() }
                if !hard { u = config.saturate(u) }
                outputs[b * outputCount + columns.lowerBound + j] += Float(min(hi, max(lo, u.rounded(.down))))
            }
        }
    }

    static func countEvents(_ inputs: [Float], batch: Int, inputCount: Int, rows: Range<Int>) -> Int {
        var events = 0
        for b in 0..<batch {
            for i in rows where inputs[b * inputCount + i] != 0 { events += 1 }
        }
        return events
    }

    static func checkIntegers(_ values: [Float], name: String, range: ClosedRange<Float>, what: String) throws {
        for (i, v) in values.enumerated() where !(range.contains(v) && v.rounded() == v) {
            throw SubstrateError("\(name)[\(i)] = \(v) is outside \(what) \(Int(range.lowerBound))…\(Int(range.upperBound)) (integers only)")
        }
    }

    /// Column `j`'s realized gain and offset (tests only: software learns them through ``calibrate(repeats:)``).
    public func columnParametersForTesting(_ j: Int) -> (gain: Double, offset: Double) { (columnGain[j], columnOffset[j]) }
}
