import Foundation

/// Gain, offset and noise of a VMM, measured per column by running known inputs (nothing read from the emulator).
public struct VMMCalibration: Codable, Equatable, Sendable {
    /// Per column: ADC LSB per unit of `Σ x·w`.
    public var columnGain: [Double]
    /// Per column: ADC code at zero input, LSB.
    public var columnOffset: [Double]
    /// Per column: trial-to-trial SD, LSB (the ADC's quantization variance 1/12 removed).
    public var columnNoise: [Double]
    /// Global gain, the mean of the column gains (what hxtorch's `measure_mock_parameter` reports).
    public var gain: Double
    /// Global noise, the root-mean-square of the column noise.
    public var noise: Double
}

extension AnalogVMM {
    /// Measures every column's gain, offset and noise, and a global gain and σ like hxtorch's
    /// `measure_mock_parameter`.
    ///
    /// All `rowsPerTile` rows carry weight +63 (then −63) and the same input level `x = 0…L`, with `L` chosen so
    /// that the nominal result stays at about 50 LSB, well inside the ADC's linear range; each level is
    /// repeated `repeats` times. Per column a least-squares line through the level means gives the gain and the
    /// offset (flooring lowers every mean by ½ LSB, added back); the pooled within-level variance minus the
    /// quantization variance 1/12 gives the noise. Levels whose mean leaves 90 % of the linear range are left
    /// out of the fit. Using all rows averages the per-synapse mismatch as a full-size matrix does.
    /// - Complexity: `2·(L + 1)·repeats` VMM calls' worth of vectors on one tile.
    public func calibrate(repeats: Int = 32) throws -> VMMCalibration {
        precondition(repeats >= 2, "repeats must be at least 2, got \(repeats)")
        let rows = rowsPerTile, cols = columnsPerTile
        let full = Double(rows * config.weightMax)
        let maxLevel = max(1, min(config.inputMax, Int(50 / (config.gain * full))))
        // points[j] collects (d, mean, variance) per level and sign.
        var points = [[(Double, Double, Double)]](repeating: [], count: cols)
        for sign in [1.0, -1.0] {
            let weights = [Float](repeating: Float(sign) * Float(config.weightMax), count: rows * cols)
            let levels = sign > 0 ? Array(0...maxLevel) : Array(1...maxLevel)
            var inputs = [Float]()
            inputs.reserveCapacity(levels.count * repeats * rows)
            for level in levels { inputs += [Float](repeating: Float(level), count: repeats * rows) }
            let y = try multiply(inputs, batch: levels.count * repeats, weights: weights, outputCount: cols).outputs
            for (l, level) in levels.enumerated() {
                for j in 0..<cols {
                    var sum = 0.0, sumSq = 0.0
                    for r in 0..<repeats {
                        let v = Double(y[(l * repeats + r) * cols + j])
                        sum += v
                        sumSq += v * v
                    }
                    let mean = sum / Double(repeats)
                    let variance = max(0, (sumSq - Double(repeats) * mean * mean) / Double(repeats - 1))
                    points[j].append((sign * Double(level) * full, mean, variance))
                }
            }
        }
        var result = VMMCalibration(columnGain: [], columnOffset: [], columnNoise: [], gain: 0, noise: 0)
        for j in 0..<cols {
            let inRange = points[j].filter { abs($0.1) < 0.9 * config.adcLinearRange }
            let fit = Self.line(inRange.count >= 2 ? inRange : points[j])
            result.columnGain.append(fit.slope)
            result.columnOffset.append(fit.intercept + 0.5)
            let pooled = points[j].reduce(0) { $0 + $1.2 } / Double(points[j].count)
            result.columnNoise.append(max(0, pooled - 1.0 / 12).squareRoot())
        }
        result.gain = result.columnGain.reduce(0, +) / Double(cols)
        result.noise = (result.columnNoise.reduce(0) { $0 + $1 * $1 } / Double(cols)).squareRoot()
        return result
    }

    /// Ordinary least squares `y = slope·x + intercept` through `(x, y, _)` points.
    static func line(_ p: [(Double, Double, Double)]) -> (slope: Double, intercept: Double) {
        let n = Double(p.count)
        let mx = p.reduce(0) { $0 + $1.0 } / n, my = p.reduce(0) { $0 + $1.1 } / n
        var sxy = 0.0, sxx = 0.0
        for (x, y, _) in p {
            sxy += (x - mx) * (y - my)
            sxx += (x - mx) * (x - mx)
        }
        let slope = sxx > 0 ? sxy / sxx : 0
        return (slope, my - slope * mx)
    }
}
