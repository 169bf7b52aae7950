import Foundation

/// A number or size that entered from outside (a data file, a checkpoint, a flag or a config key) is unusable.
///
/// Readers never trust a count, a size or a value they did not produce: they check it with an ``InputCheck``
/// before using it in arithmetic or an allocation, so malformed input ends in this error instead of a trap, a hang
/// or a silent truncation. The description names the source, the field, what was found and what is allowed:
///
/// ```
/// /data/train-images-idx3-ubyte: dimensions: 3 × 4294967295 × 4294967295 overflows a 64-bit size (allowed: a product ≤ 9223372036854775807)
/// ```
///
/// Module error types (`DatasetError`, `TrainingError`) wrap it, keeping this text.
public struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of check failed; a struct over a private enum so that codes can be added (NIO's `FileSystemError`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Sendable {
            case notFinite = "not finite"
            case outOfRange = "out of range"
            case notInteger = "not an integer"
            case overflow
            case tooLarge = "too large"
            case truncated
            case malformed
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// NaN or ±infinity where a finite number is needed.
        public static let notFinite = Code(.notFinite)
        /// A value outside its allowed range.
        public static let outOfRange = Code(.outOfRange)
        /// A fractional value where an integer (an index, a count) is needed.
        public static let notInteger = Code(.notInteger)
        /// Arithmetic on declared sizes does not fit in `Int`.
        public static let overflow = Code(.overflow)
        /// A declared size beyond what the file holds or the memory budget allows.
        public static let tooLarge = Code(.tooLarge)
        /// Fewer bytes than the declared sizes need.
        public static let truncated = Code(.truncated)
        /// Structurally wrong input (bad magic, overlapping ranges, missing parts).
        public static let malformed = Code(.malformed)

        public var description: String { kind.rawValue }
    }

    public var code: Code
    /// The file path, `--flag` or config file the value came from.
    public var source: String
    /// The field inside the source: `dimensions[1]`, `spikes/times[3][0]`, `data_offsets`, a config key.
    public var field: String
    /// What was found and why it is wrong.
    public var message: String
    /// The allowed values, e.g. `0...9`, `finite`, `≤ 1.0 GiB`; nil when the message says it all.
    public var allowed: String?

    public init(_ code: Code, source: String, field: String, _ message: String, allowed: String? = nil) {
        self.code = code
        self.source = source
        self.field = field
        self.message = message
        self.allowed = allowed
    }

    /// `field: message (allowed: …)` without the source, for module errors that print the source themselves.
    public var detail: String {
        let head = field.isEmpty ? message : "\(field): \(message)"
        return allowed.map { "\(head) (allowed: \($0))" } ?? head
    }

    public var description: String { source.isEmpty ? detail : "\(source): \(detail)" }
}

/// Limits that bound what a declared size may make a reader allocate.
public enum InputLimits {
    /// Bytes a single reader may allocate for one file's decoded contents: half the physical memory, at most
    /// 16 GiB, overridable with `SPIKELOOP_MEMORY_BUDGET` (bytes). A declared size beyond it is an error, not an
    /// allocation that the kernel kills or that aborts the process.
    public static var memoryBudget: Int {
        if let s = ProcessInfo.processInfo.environment["SPIKELOOP_MEMORY_BUDGET"], let v = Int(s), v > 0 { return v }
        let physical = ProcessInfo.processInfo.physicalMemory
        return Int(min(physical / 2, 16 << 30))
    }

    /// `bytes` in binary units for messages: `512 B`, `3.0 KiB`, `2.5 GiB`.
    public static func formatBytes(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var v = Double(bytes), u = 0
        while abs(v) >= 1024 && u < units.count - 1 {
            v /= 1024
            u += 1
        }
        return u == 0 ? "\(bytes) B" : String(format: "%.1f %@", v, units[u])
    }

    /// The size of the file at `path` in bytes, nil when it cannot be determined.
    public static func fileSize(_ path: String) -> Int? {
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: path),
            let n = attrs[.size] as? NSNumber
        else { return nil }
        return n.intValue
    }
}

/// Checks on untrusted numbers, all naming the same source; each returns the checked value or throws ``InputError``.
///
/// ```swift
/// let check = InputCheck(source: path)
/// let total = try check.product(dims, field: "dimensions")               // no overflow trap
/// try check.fits(total, elementBytes: 1, inFileOf: fileBytes, field: "dimensions")
/// let label = try check.integer(raw, in: 0...255, field: "labels[\(i)]")
/// ```
public struct InputCheck: Sendable {
    public var source: String

    public init(source: String) { self.source = source }

    /// An error for this source.
    public func error(_ code: InputError.Code, field: String, _ message: String, allowed: String? = nil) -> InputError {
        InputError(code, source: source, field: field, message, allowed: allowed)
    }

    /// `value` if it is neither NaN nor infinite.
    @discardableResult
    public func finite<T: BinaryFloatingPoint>(_ value: T, field: String) throws -> T {
        guard value.isFinite else { throw error(.notFinite, field: field, "\(value) is not a finite number", allowed: "finite") }
        return value
    }

    /// `value` if it is finite and in `range`.
    @discardableResult
    public func finite<T: BinaryFloatingPoint>(_ value: T, in range: ClosedRange<T>, field: String, unit: String = "") throws -> T {
        try finite(value, field: field)
        guard range.contains(value) else {
            throw error(.outOfRange, field: field, "\(value)\(unit) is out of range", allowed: "\(range.lowerBound)...\(range.upperBound)\(unit)")
        }
        return value
    }

    /// `value` if it lies in `range`.
    @discardableResult
    public func inRange<T: Comparable>(_ value: T, _ range: ClosedRange<T>, field: String, unit: String = "") throws -> T {
        guard range.contains(value) else {
            throw error(.outOfRange, field: field, "\(value)\(unit) is out of range", allowed: "\(range.lowerBound)...\(range.upperBound)\(unit)")
        }
        return value
    }

    /// `value` if it lies in the half-open `range`.
    @discardableResult
    public func inRange<T: Comparable>(_ value: T, _ range: Range<T>, field: String) throws -> T {
        guard range.contains(value) else {
            throw error(.outOfRange, field: field, "\(value) is out of range", allowed: "\(range.lowerBound)..<\(range.upperBound)")
        }
        return value
    }

    /// A floating-point value that must be an exact integer in `range` (an index or a label stored as float).
    @discardableResult
    public func integer<T: BinaryFloatingPoint>(_ value: T, in range: ClosedRange<Int>, field: String) throws -> Int {
        try finite(value, field: field)
        guard value.rounded(.towardZero) == value else {
            throw error(.notInteger, field: field, "\(value) is not an integer", allowed: "integers \(range.lowerBound)...\(range.upperBound)")
        }
        guard value >= T(range.lowerBound), value <= T(range.upperBound), let i = Int(exactly: value), range.contains(i) else {
            throw error(.outOfRange, field: field, "\(value) is out of range", allowed: "\(range.lowerBound)...\(range.upperBound)")
        }
        return i
    }

    /// An integer of any width converted to `Int` in `range` (no trapping conversion of a 64-bit unsigned value).
    @discardableResult
    public func integer<T: BinaryInteger>(_ value: T, in range: ClosedRange<Int>, field: String) throws -> Int {
        guard let i = Int(exactly: value), range.contains(i) else {
            throw error(.outOfRange, field: field, "\(value) is out of range", allowed: "\(range.lowerBound)...\(range.upperBound)")
        }
        return i
    }

    /// The product of declared sizes, or an error when it overflows `Int` or a factor is negative.
    public func product(_ factors: [Int], field: String) throws -> Int {
        var p = 1
        for f in factors {
            guard f >= 0 else { throw error(.outOfRange, field: field, "size \(f) is negative", allowed: "≥ 0") }
            let (r, o) = p.multipliedReportingOverflow(by: f)
            guard !o else {
                throw error(
                    .overflow, field: field, "\(factors.map(String.init).joined(separator: " × ")) overflows a 64-bit size",
                    allowed: "a product ≤ \(Int.max)")
            }
            p = r
        }
        return p
    }

    /// `a × b` for sizes, or an error on overflow.
    public func multiply(_ a: Int, _ b: Int, field: String) throws -> Int { try product([a, b], field: field) }

    /// The sum of declared sizes, or an error when it overflows `Int` or a term is negative.
    public func sum(_ terms: [Int], field: String) throws -> Int {
        var s = 0
        for t in terms {
            guard t >= 0 else { throw error(.outOfRange, field: field, "size \(t) is negative", allowed: "≥ 0") }
            let (r, o) = s.addingReportingOverflow(t)
            guard !o else {
                throw error(.overflow, field: field, "\(terms.map(String.init).joined(separator: " + ")) overflows a 64-bit size", allowed: "a sum ≤ \(Int.max)")
            }
            s = r
        }
        return s
    }

    /// Checks that `count` elements of `elementBytes` each can be held in memory: at most `budget` bytes.
    /// Returns the byte count.
    @discardableResult
    public func allocation(count: Int, elementBytes: Int, field: String, budget: Int = InputLimits.memoryBudget) throws -> Int {
        let bytes = try multiply(count, elementBytes, field: field)
        guard bytes <= budget else {
            throw error(
                .tooLarge, field: field,
                "declares \(count) elements (\(InputLimits.formatBytes(bytes))), beyond the memory budget",
                allowed: "≤ \(InputLimits.formatBytes(budget)); set SPIKELOOP_MEMORY_BUDGET to raise it")
        }
        return bytes
    }

    /// Checks that `count` declared elements, each stored in at least `minBytesPerElement` bytes, fit in a file of
    /// `availableBytes`: a small file cannot declare a huge count. `ratio` allows for compression (gzip at most
    /// ~1032:1). Returns `count`.
    @discardableResult
    public func fits(
        _ count: Int, minBytesPerElement: Double, available availableBytes: Int, ratio: Double = 1, field: String
    ) throws -> Int {
        guard count >= 0 else { throw error(.outOfRange, field: field, "count \(count) is negative", allowed: "≥ 0") }
        let limit = Double(availableBytes) * ratio / minBytesPerElement
        guard Double(count) <= limit else {
            let what = ratio == 1 ? "" : " even at \(Int(ratio)):1 compression"
            throw error(
                .tooLarge, field: field,
                "declares \(count) elements but the file holds only \(InputLimits.formatBytes(availableBytes))\(what)",
                allowed: "≤ \(Int(limit.rounded(.down))) for this file size")
        }
        return count
    }

    /// `range` of a buffer of `length` bytes if it lies inside it (`0 ≤ lower ≤ upper ≤ length`).
    public func byteRange(_ lower: Int, _ upper: Int, within length: Int, field: String) throws -> Range<Int> {
        guard lower >= 0, upper >= lower else {
            throw error(.malformed, field: field, "[\(lower), \(upper)] is not a byte range", allowed: "0 ≤ begin ≤ end")
        }
        guard upper <= length else {
            throw error(.truncated, field: field, "[\(lower), \(upper)] ends past the \(length) bytes present", allowed: "end ≤ \(length)")
        }
        return lower..<upper
    }

    /// Throws at the first non-finite value of `values` (a NaN scan for decoded buffers), naming its index.
    public func allFinite<C: Collection>(_ values: C, field: String) throws where C.Element: BinaryFloatingPoint {
        for (i, v) in values.enumerated() where !v.isFinite {
            throw error(.notFinite, field: "\(field)[\(i)]", "\(v) is not a finite number", allowed: "finite")
        }
    }
}
