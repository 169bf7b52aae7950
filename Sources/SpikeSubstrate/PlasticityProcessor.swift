import Foundation
import SpikeCore

/// Figures of the emulated plasticity processing unit (PPU). *Published* (BrainScaleS-2, Friedmann et al. 2017,
/// Pehle et al. 2022): one PPU per chip half, ≈ 250 MHz, a SIMD vector unit of 128 × 8-bit or 64 × 16-bit lanes,
/// 16 KiB of memory, row-wise access to the synapse array and to the column ADC. Every cycle and energy figure is
/// an **assumption** of this emulator, stated here so that reported chip times can be re-derived.
public struct PPUConfig: Codable, Equatable, Sendable {
    /// Clock, Hz (published ≈ 250 MHz).
    public var clockHz = 250e6
    /// Vector register width, bytes (published: 128 × 8 bit = 64 × 16 bit).
    public var vectorBytes = 128
    /// Local memory, bytes (published: 16 KiB); programs reserve what they keep between calls.
    public var memoryBytes = 16 * 1024
    /// Lane width of the arithmetic: 8 or 16 on the chip (saturating); 32 only to check rules at high precision.
    public var laneBits = 16
    /// Cycles per vector ALU instruction (add, multiply, shift, compare, select), issued back to back (assumption: 1).
    public var cyclesPerVectorOp = 1
    /// Cycles to load or store one vector of a synapse row's weights (assumption: 4).
    public var cyclesPerSynapseAccess = 4
    /// One conversion of the column ADC (all columns in parallel), seconds (the published CADC sample period, 1.7 µs).
    public var adcConversionSeconds = 1.7e-6
    /// Cycles to fetch one vector of converted ADC codes or spike counters (assumption: 4).
    public var cyclesPerReadoutVector = 4
    /// Cycles per vector of pseudo-random numbers (a vectorized xorshift: assumption 4).
    public var cyclesPerRandomVector = 4
    /// Cycles per scalar instruction (loop control, broadcasts) (assumption: 1).
    public var cyclesPerScalarOp = 1
    /// Energy per cycle, joules (assumption: ≈ 10 mW at 250 MHz → 40 pJ).
    public var joulesPerCycle = 40e-12

    public init() {}

    /// Lanes per vector instruction at ``laneBits``.
    public var lanesPerVector: Int { max(1, vectorBytes * 8 / max(8, min(laneBits, 16))) }
    /// Largest and smallest lane value (saturation bounds).
    public var laneMax: Int64 { (1 << Int64(laneBits - 1)) - 1 }
    public var laneMin: Int64 { -(1 << Int64(laneBits - 1)) }
}

/// One row of lane values (one per synapse column), as the PPU's vector unit holds them: integers, saturating at
/// the lane width. A row wider than one vector costs one instruction per vector.
public struct PPURow: Equatable, Sendable {
    public var lanes: [Int64]
    public init(_ lanes: [Int64]) { self.lanes = lanes }
    public init(repeating v: Int64, count: Int) { lanes = [Int64](repeating: v, count: count) }
    public var count: Int { lanes.count }
}

/// The emulated PPU: a restricted fixed-point vector API whose every instruction is counted in cycles, so that a
/// plasticity program reports the chip time and energy it would take (issue 14, item 2).
///
/// Programs are Swift code against this API only: vector arithmetic on ``PPURow``s (saturating), synapse-row loads
/// and stores of the chip's 6-bit weights, column-ADC reads (correlation sensors, membranes), spike counters, a
/// random generator, and a memory budget. What a program stores is what the chip's next run uses.
public final class PlasticityProcessor: @unchecked Sendable {
    public let config: PPUConfig
    /// Cycles spent since creation (or the last ``resetCounters()``).
    public private(set) var cycles = 0
    /// Column-ADC conversions since the last reset (their time is added to the chip time, not the cycles).
    public private(set) var adcConversions = 0
    /// Bytes of local memory reserved by programs.
    public private(set) var memoryReserved = 0
    private var state: UInt64

    public init(config: PPUConfig = PPUConfig(), seed: UInt64) {
        self.config = config
        state = seed | 1
    }

    /// Chip time of the work so far: cycles at the clock plus ADC conversions, seconds.
    public var chipSeconds: Double { Double(cycles) / config.clockHz + Double(adcConversions) * config.adcConversionSeconds }
    /// Energy estimate of the work so far, joules (cycles only; the ADC's share is in the chip's power figure).
    public var energyJoules: Double { Double(cycles) * config.joulesPerCycle }

    public func resetCounters() { (cycles, adcConversions) = (0, 0) }

    /// Reserves `bytes` of the PPU's memory for a program's state; throws when the budget would be exceeded.
    public func reserve(bytes: Int, for what: String) throws {
        guard memoryReserved + bytes <= config.memoryBytes else {
            throw SubstrateError("PPU memory: \(what) needs \(bytes) bytes, \(config.memoryBytes - memoryReserved) of \(config.memoryBytes) are free")
        }
        memoryReserved += bytes
    }

    public func release(bytes: Int) { memoryReserved = max(0, memoryReserved - bytes) }

    // MARK: Costs

    /// Vector instructions for a row of `n` lanes.
    public func vectors(_ n: Int) -> Int { (n + config.lanesPerVector - 1) / config.lanesPerVector }

    func charge(vectorOps n: Int, lanes: Int) { cycles += n * vectors(lanes) * config.cyclesPerVectorOp }

    /// Scalar instructions (loop control, broadcasts of a scalar into a vector).
    public func scalar(_ n: Int = 1) { cycles += n * config.cyclesPerScalarOp }

    // MARK: Arithmetic (saturating at the lane width)

    @inline(__always) func saturate(_ v: Int64) -> Int64 { min(config.laneMax, max(config.laneMin, v)) }

    public func add(_ a: PPURow, _ b: PPURow) -> PPURow {
        charge(vectorOps: 1, lanes: a.count)
        return PPURow(zip(a.lanes, b.lanes).map { saturate($0 + $1) })
    }

    public func subtract(_ a: PPURow, _ b: PPURow) -> PPURow {
        charge(vectorOps: 1, lanes: a.count)
        return PPURow(zip(a.lanes, b.lanes).map { saturate($0 - $1) })
    }

    /// Lane-wise `(a·b) >> shift`, rounded to nearest (the vector unit's fractional multiply), saturated.
    public func multiply(_ a: PPURow, _ b: PPURow, shift: Int) -> PPURow {
        charge(vectorOps: 1, lanes: a.count)
        return PPURow(zip(a.lanes, b.lanes).map { saturate(Self.shiftRound($0 * $1, shift)) })
    }

    /// Lane-wise `(a·s) >> shift` with a scalar `s` broadcast once.
    public func multiply(_ a: PPURow, scalar s: Int64, shift: Int) -> PPURow {
        scalar()
        charge(vectorOps: 1, lanes: a.count)
        return PPURow(a.lanes.map { saturate(Self.shiftRound($0 * s, shift)) })
    }

    /// Lane-wise `(a·b) >> shift` with stochastic rounding: the discarded fraction is compared with fresh random
    /// bits, so that the expected result is the exact quotient (unbiased low-precision weight updates).
    public func multiplyStochastic(_ a: PPURow, _ b: PPURow, shift: Int) -> PPURow {
        let r = random(count: a.count)
        charge(vectorOps: 3, lanes: a.count)  // multiply, add random fraction, shift
        // random bits aligned with the top of the discarded fraction (a lane has laneBits − 1 of them)
        let bits = config.laneBits - 1
        let mask = shift > 0 ? (Int64(1) << Int64(min(shift, bits))) - 1 : 0
        let up = Int64(max(0, shift - bits))
        return PPURow((0..<a.count).map { i in
            let p = a.lanes[i] * b.lanes[i]
            return saturate(shift > 0 ? (p + ((r.lanes[i] & mask) << up)) >> Int64(shift) : p)
        })
    }

    /// Lane-wise clamp to `lo…hi`.
    public func clamp(_ a: PPURow, _ lo: Int64, _ hi: Int64) -> PPURow {
        charge(vectorOps: 2, lanes: a.count)
        return PPURow(a.lanes.map { min(hi, max(lo, $0)) })
    }

    /// Lane-wise `a < b ? x : y` (compare and select).
    public func select(less a: PPURow, than b: PPURow, _ x: PPURow, else y: PPURow) -> PPURow {
        charge(vectorOps: 2, lanes: a.count)
        return PPURow((0..<a.count).map { a.lanes[$0] < b.lanes[$0] ? x.lanes[$0] : y.lanes[$0] })
    }

    /// A lookup table applied lane by lane (the vector unit has no gather: one scalar load per lane).
    public func lookup(_ a: PPURow, table: [Int64]) -> PPURow {
        scalar(2 * a.count)
        return PPURow(a.lanes.map { table[Int(min(Int64(table.count - 1), max(0, $0)))] })
    }

    /// Sum of the lanes (a reduction tree over the vectors and their lanes).
    public func sum(_ a: PPURow) -> Int64 {
        charge(vectorOps: 1, lanes: a.count)
        scalar(Int(log2(Double(config.lanesPerVector))) + vectors(a.count))
        return a.lanes.reduce(0, +)
    }

    // MARK: Random numbers

    /// Uniform non-negative lane values below `2^(laneBits−1)` (xorshift64*, one vector at a time).
    public func random(count n: Int) -> PPURow {
        cycles += vectors(n) * config.cyclesPerRandomVector
        let bits = Int64(config.laneBits - 1)
        return PPURow((0..<n).map { _ in
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return Int64(bitPattern: (state &* 0x2545_F491_4F6C_DD1D) >> UInt64(64 - bits))
        })
    }

    @inline(__always) static func shiftRound(_ p: Int64, _ shift: Int) -> Int64 {
        shift > 0 ? (p + (Int64(1) << Int64(shift - 1))) >> Int64(shift) : p << Int64(-shift)
    }
}

extension PlasticityProcessor {
    // MARK: Chip access (costed)

    /// Loads one synapse row's signed 6-bit weight codes of layer `l`.
    public func loadWeights(_ chip: EmulatedChip, layer l: Int, row j: Int) -> PPURow {
        cycles += vectors(chip.synapseColumns(layer: l)) * config.cyclesPerSynapseAccess
        return PPURow(chip.synapseRow(layer: l, row: j).map { Int64($0) })
    }

    /// Stores one synapse row: lanes are clamped to the chip's ±weightMax and are what the next run uses.
    public func storeWeights(_ row: PPURow, _ chip: EmulatedChip, layer l: Int, row j: Int) {
        cycles += vectors(row.count) * (config.cyclesPerSynapseAccess + 2 * config.cyclesPerVectorOp)
        let m = Int64(chip.config.weightMax)
        chip.writeSynapseRow(layer: l, row: j, codes: row.lanes.map { Int8(min(m, max(-m, $0))) })
    }

    /// One row of correlation sensors through the column ADC (one conversion): causal codes 0…255.
    public func readCausal(_ sensors: CorrelationSensors, row j: Int) -> PPURow {
        adcConversions += 1
        cycles += vectors(sensors.columns) * config.cyclesPerReadoutVector
        return PPURow(sensors.read(row: j).causal.map { Int64($0) })
    }

    /// Both stores of one sensor row (one conversion each).
    public func readCorrelation(_ sensors: CorrelationSensors, row j: Int) -> (causal: PPURow, anticausal: PPURow) {
        adcConversions += 2
        cycles += 2 * vectors(sensors.columns) * config.cyclesPerReadoutVector
        let r = sensors.read(row: j)
        return (PPURow(r.causal.map { Int64($0) }), PPURow(r.anticausal.map { Int64($0) }))
    }

    /// The cost of one hidden-row update (read and baseline-subtract the sensor row, reset it, load the weights,
    /// stochastic multiply, add, store) without doing it: for rows whose result is known to be zero.
    func chargeRowUpdate(columns n: Int) {
        adcConversions += 1
        let v = vectors(n)
        cycles += v * (config.cyclesPerReadoutVector + config.cyclesPerSynapseAccess + config.cyclesPerRandomVector)
        cycles += v * (1 + 1 + 3 + 1) * config.cyclesPerVectorOp  // subtract, reset, multiply (3), add
        cycles += v * (config.cyclesPerSynapseAccess + 2 * config.cyclesPerVectorOp)  // store
    }

    public func resetSensors(_ sensors: CorrelationSensors, row j: Int) {
        cycles += vectors(sensors.columns) * config.cyclesPerVectorOp
        sensors.reset(row: j)
    }

    /// A row of membrane samples (ADC codes) taken at one instant: one conversion of all columns.
    public func readMembranes(codes: [UInt8]) -> PPURow {
        adcConversions += 1
        cycles += vectors(codes.count) * config.cyclesPerReadoutVector
        return PPURow(codes.map { Int64($0) })
    }

    /// The neurons' spike counters (saturating 8-bit on the chip: assumption).
    public func readCounters(_ counts: [Int]) -> PPURow {
        cycles += vectors(counts.count) * config.cyclesPerReadoutVector
        return PPURow(counts.map { Int64(min(255, $0)) })
    }
}
